"""Traceability of the seeds checklist: per seed, how many items are asserted by tests, how many
can only be checked after deployment, and how many are neither.

Asserted items come from ``@pytest.mark.checklist`` markers (collected with
``pytest --collect-only --checklist-report``); deploy-time items are declared by each example in
``<package>/checklist.py`` as ``SEED`` and ``DEPLOY_TIME = {"000#52": "why", ...}``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHECKLIST = ROOT.parent / "shared" / "spec" / "seeds-checklist.md"
_SEED_HEADING = re.compile(r"^## Seed `(\d{3})_")
_ITEM = re.compile(r"^(\d+)\. ")


def parse_checklist(text: str) -> dict[str, list[str]]:
    """``{"000": ["000#1", ...]}`` for every numbered item of every seed section."""
    seeds: dict[str, list[str]] = {}
    seed: str | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = _SEED_HEADING.match(line)
            seed = heading.group(1) if heading else None
            if seed:
                seeds[seed] = []
        elif seed and (item := _ITEM.match(line)):
            seeds[seed].append(f"{seed}#{item.group(1)}")
    return seeds


@dataclass(frozen=True)
class SeedCoverage:
    seed: str
    total: int
    asserted: list[str]
    deploy_time: list[str]
    neither: list[str]


def coverage(
    seeds: Mapping[str, list[str]],
    asserted: Mapping[str, object],
    deploy_time: Mapping[str, object],
) -> list[SeedCoverage]:
    """Classify every item; an item both asserted and deploy-time counts as asserted."""
    result = []
    for seed, items in seeds.items():
        done = [i for i in items if i in asserted]
        later = [i for i in items if i not in asserted and i in deploy_time]
        rest = [i for i in items if i not in asserted and i not in deploy_time]
        result.append(SeedCoverage(seed, len(items), done, later, rest))
    return result


def declared_deploy_time() -> dict[str, str]:
    """Deploy-time items declared by every example's ``checklist`` module."""
    declared: dict[str, str] = {}
    for app_file in sorted((ROOT / "examples").glob("*/app.py")):
        package = app_file.parent.name
        sys.path.insert(0, str(app_file.parent))
        try:
            module = importlib.import_module(f"{package}.checklist")
        except ModuleNotFoundError:
            continue
        declared.update(module.DEPLOY_TIME)
    return declared


def collect_asserted() -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "covered.json"
        subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", f"--checklist-report={out}"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        covered: dict[str, list[str]] = json.loads(out.read_text())
        return covered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checklist", type=Path, default=DEFAULT_CHECKLIST)
    parser.add_argument("--verbose", action="store_true", help="list the items that are neither")
    args = parser.parse_args()
    if not args.checklist.exists():
        print(f"error: checklist not found at {args.checklist}", file=sys.stderr)
        return 1
    seeds = parse_checklist(args.checklist.read_text())
    rows = coverage(seeds, collect_asserted(), declared_deploy_time())
    print(render(rows, verbose=args.verbose))
    return 0


def render(rows: list[SeedCoverage], *, verbose: bool = False) -> str:
    """The report as a table, one line per seed."""
    lines = [f"{'seed':<6}{'items':>7}{'asserted':>10}{'deploy-time':>13}{'neither':>9}"]
    for row in rows:
        lines.append(
            f"{row.seed:<6}{row.total:>7}{len(row.asserted):>10}"
            f"{len(row.deploy_time):>13}{len(row.neither):>9}"
        )
        if verbose and row.neither:
            lines.append("      neither: " + ", ".join(row.neither))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
