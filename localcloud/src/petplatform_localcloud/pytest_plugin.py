"""pytest plugin for apps built with petplatform-constructs: shared synthesis, requirement markers.

Opt in from a ``conftest.py`` with ``pytest_plugins = ["petplatform_localcloud.pytest_plugin"]``.
It is deliberately not auto-registered: loading it starts the jsii Node.js process, which no
unrelated test run in the same environment should pay for.

``@pytest.mark.checklist("NNN#N", ...)`` names the requirements a test asserts: a three-digit
section, ``#`` and an item number.
``pytest --checklist-report=PATH`` writes ``{requirement: [test ids]}`` as JSON at collection
time, for traceability reports; malformed requirement ids are a usage error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_constructs.testing import SynthCache

REQUIREMENT_ID = re.compile(r"\d{3}#\d+")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--checklist-report",
        default=None,
        metavar="PATH",
        help="write the checklist items covered by the collected tests to PATH (JSON)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "checklist(*items): seed-checklist items (NNN#N) the test asserts"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    covered: dict[str, list[str]] = {}
    for item in items:
        for mark in item.iter_markers("checklist"):
            for ref in mark.args:
                if not isinstance(ref, str) or not REQUIREMENT_ID.fullmatch(ref):
                    raise pytest.UsageError(
                        f"{item.nodeid}: checklist item {ref!r} is not of the form NNN#N "
                        "(three digits, '#', a number)"
                    )
                covered.setdefault(ref, []).append(item.nodeid)
    path = config.getoption("--checklist-report")
    if path:
        Path(path).write_text(json.dumps(covered, indent=2, sort_keys=True) + "\n")


@pytest.fixture(scope="session")
def synth_cache() -> SynthCache:
    """One :class:`~petplatform_constructs.testing.SynthCache` per test session."""
    from petplatform_constructs.testing import SynthCache

    return SynthCache()
