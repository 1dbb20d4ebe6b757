"""The checklist traceability report and the marker validation behind it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import checklist_report  # noqa: E402

SAMPLE = """# title
## Seed `000_abc.txt` — First
### A. Part
1. **One** — Test: x.
2. **Two** — Test: deploy-time.
### B. Part
3. **Three**
## Seed `001_def.txt` — Second
1. **Only**
## Cross-seed section
1. **Not an item of a seed**
"""


def test_parse_checklist_numbers_items_per_seed() -> None:
    assert checklist_report.parse_checklist(SAMPLE) == {
        "000": ["000#1", "000#2", "000#3"],
        "001": ["001#1"],
    }


def test_coverage_classifies_each_item_once() -> None:
    seeds = checklist_report.parse_checklist(SAMPLE)
    rows = checklist_report.coverage(
        seeds, asserted={"000#1": ["t"], "000#2": ["t"]}, deploy_time={"000#2": "", "000#3": ""}
    )
    first = rows[0]
    assert (first.asserted, first.deploy_time, first.neither) == (["000#1", "000#2"], ["000#3"], [])
    assert rows[1].neither == ["001#1"]


@pytest.mark.skipif(
    not checklist_report.DEFAULT_CHECKLIST.exists(), reason="../shared is not beside the repo"
)
def test_real_checklist_has_the_documented_item_counts() -> None:
    seeds = checklist_report.parse_checklist(checklist_report.DEFAULT_CHECKLIST.read_text())
    assert {seed: len(items) for seed, items in seeds.items()} == {
        "000": 72, "001": 51, "002": 93, "003": 83, "004": 128,
    }  # fmt: skip


def test_malformed_checklist_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["petplatform_localcloud.pytest_plugin"]')
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.checklist("000-24")
        def test_x():
            assert True
        """
    )
    result = pytester.runpytest("--collect-only")
    result.stderr.fnmatch_lines(["*checklist item '000-24' is not of the form NNN#N*"])
    assert result.ret != 0


EXAMPLE_SEEDS = ("000", "001", "002")  # seeds whose example app exists: every item is accounted for


@pytest.mark.skipif(
    not checklist_report.DEFAULT_CHECKLIST.exists(), reason="../shared is not beside the repo"
)
def test_the_checklist_report_accounts_for_every_item_of_the_examples_built(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report of ``make demo`` before: items asserted by tests, deploy-time, or neither.

    Uses this session's collected tests (no second collection); printed with ``-rP``.
    """
    items = request.session.items
    if not any("tests/examples/" in item.nodeid for item in items):
        pytest.skip("needs the example tests collected in the same session (run the suite)")
    asserted = {
        str(ref) for item in items for mark in item.iter_markers("checklist") for ref in mark.args
    }
    seeds = checklist_report.parse_checklist(checklist_report.DEFAULT_CHECKLIST.read_text())
    rows = checklist_report.coverage(
        seeds, dict.fromkeys(asserted), checklist_report.declared_deploy_time()
    )
    print(checklist_report.render(rows))
    neither = {row.seed: row.neither for row in rows if row.seed in EXAMPLE_SEEDS}
    assert neither == {seed: [] for seed in EXAMPLE_SEEDS}
