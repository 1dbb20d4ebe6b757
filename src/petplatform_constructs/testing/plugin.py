"""pytest plugin of petplatform-constructs: shared synthesis and checklist markers.

Opt in from a ``conftest.py`` with ``pytest_plugins = ["petplatform_constructs.testing.plugin"]``.
It is deliberately not auto-registered: loading it starts the jsii Node.js process, which no
unrelated test run in the same environment should pay for.
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
