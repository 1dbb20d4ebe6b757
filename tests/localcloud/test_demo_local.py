"""`scripts/demo_local.py` (the local-cloud half of `make demo`): table, exit code, failures."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

pytestmark = pytest.mark.localcloud

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "demo_local.py"


def _script() -> ModuleType:
    if "demo_local" not in sys.modules:
        spec = importlib.util.spec_from_file_location("demo_local", SCRIPT)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["demo_local"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["demo_local"]


def test_the_demo_deploys_an_example_runs_its_checks_and_prints_the_table(tmp_path: Path) -> None:
    # The script's own work (discover, synthesize, deploy, check, stop, summarize), on Dog Care's
    # HTTP scenario. Each example's deployment and checks (the same smoke modules `make demo`
    # runs) are tested once per session by its own local-cloud module.
    (tmp_path / "dogcare").symlink_to(ROOT / "examples" / "dogcare", target_is_directory=True)
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--stage", "dev", "--examples", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("example  stage  stacks"))
    assert lines.index("local cloud stopped") < header  # stopped before the summary
    (row,) = [line.split() for line in lines[header + 2 : header + 3]]
    assert row[:3] == ["dogcare", "dev", "1"]  # the HTTP scenario against the local REST API
    assert int(row[3]) > 40 and float(row[4]) > 0
    assert row[5] == "9/9"
    assert "1 deployments, 9/9 checks passed" in run.stdout
    assert "FAILED" not in run.stderr


BROKEN_PACKAGE = """
from aws_cdk import App, Stack, aws_s3 as s3, aws_sns as sns

STAGES = ("dev", "prod")


def build(app: App, stage: str) -> None:
    stack = Stack(app, f"Broken-{stage}")
    sns.Topic(stack, "Topic")
    if stage == "prod":
        s3.CfnBucketPolicy(
            stack, "Policy", bucket="no-such-bucket",
            policy_document={"Version": "2012-10-17", "Statement": []},
        )
"""

BROKEN_SMOKE = """
from petplatform_localcloud import DeployReport, LocalCloud
from typing import NamedTuple, Callable


class Check(NamedTuple):
    name: str
    items: tuple[str, ...]
    run: Callable[[LocalCloud, str, DeployReport], None]


def topic_exists(cloud: LocalCloud, stage: str, report: DeployReport) -> None:
    assert cloud.client("sns").list_topics()["Topics"], "no topic"


def always_fails(cloud: LocalCloud, stage: str, report: DeployReport) -> None:
    raise AssertionError("deliberately broken")


def crashes(cloud: LocalCloud, stage: str, report: DeployReport) -> None:
    cloud.client("dynamodb").describe_table(TableName="missing")


CHECKS = [
    Check("topic", (), topic_exists),
    Check("always-fails", (), always_fails),
    Check("crashes", (), crashes),
]
"""


def test_a_failing_deploy_or_check_is_named_with_its_reason_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "brokenpets" / "brokenpets"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(BROKEN_PACKAGE))
    (package / "smoke.py").write_text(textwrap.dedent(BROKEN_SMOKE))
    (tmp_path / "nochecks" / "nochecks").mkdir(parents=True)  # no smoke.py: not deployed
    try:
        assert _script().main(["--examples", str(tmp_path)]) == 1
    finally:
        sys.path.remove(str(package.parent))
        for name in ("brokenpets", "brokenpets.smoke"):
            sys.modules.pop(name, None)
    out, err = capsys.readouterr()
    assert "brokenpets  dev" in out and "1/3  FAILED" in out
    assert "FAILED brokenpets (dev) check always-fails: deliberately broken" in err
    assert "FAILED brokenpets (dev) check crashes: ResourceNotFoundException:" in err
    assert "(smoke.py:" in err  # where the check crashed
    assert "FAILED brokenpets (prod) deploy: stack Broken-prod failed" in err
    assert "Policy (AWS::S3::BucketPolicy) CREATE_FAILED" in err
    assert "bucket does not exist" in err
    assert "nochecks" not in out
    assert not any(t.name == "petplatform-localcloud" for t in threading.enumerate())


def test_no_example_with_checks_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _script().main(["--examples", str(tmp_path)]) == 1
    assert "has smoke checks or a local scenario" in capsys.readouterr().err
