"""pytest plugin of petplatform-constructs: shared synthesis and checklist markers.

Importing this module must not start the jsii runtime, so aws_cdk is imported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from . import SynthCache


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "checklist(*items): seed-checklist items (e.g. '000#24') the test asserts"
    )


@pytest.fixture(scope="session")
def synth_cache() -> SynthCache:
    """One :class:`~petplatform_constructs.testing.SynthCache` per test session."""
    from . import SynthCache

    return SynthCache()
