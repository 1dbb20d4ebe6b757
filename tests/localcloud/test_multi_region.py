"""Deploys outside us-east-1, and across two regions at once, on the local cloud.

Before the fix, a stack in us-west-2 failed at S3 CreateBucket with
``IllegalLocationConstraintException`` (the asset staging bucket was created without a location
constraint), with or without an explicit env. One emulator for the module, in us-west-2; the
app has a us-west-2 stack, an environment-agnostic one (which goes to the cloud's region) and a
us-east-1 one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from aws_cdk import Environment, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets

from petplatform_constructs.testing import SynthResult, make_app, synth
from petplatform_localcloud import DeployReport, LocalCloud, deploy, deployed, read_assembly

pytestmark = pytest.mark.localcloud

ACCOUNT = "123456789012"


def _stack(app: object, name: str, region: str | None, asset: Path) -> Stack:
    env = Environment(account=ACCOUNT, region=region) if region else None
    stack = Stack(app, name, env=env)  # type: ignore[arg-type]
    s3.Bucket(stack, "Data", versioned=True, removal_policy=RemovalPolicy.DESTROY)
    dynamodb.TableV2(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        removal_policy=RemovalPolicy.DESTROY,
    )
    s3_assets.Asset(stack, "Blob", path=str(asset))  # published to the region's staging bucket
    return stack


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    asset = tmp_path_factory.mktemp("asset") / "blob.txt"
    asset.write_text("hello")
    app = make_app()
    _stack(app, "West", "us-west-2", asset)
    _stack(app, "Agnostic", None, asset)
    _stack(app, "East", "us-east-1", asset)
    return synth(app)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(region="us-west-2", log=None) as started:
        yield started


@pytest.fixture(scope="module")
def both(cloud: LocalCloud, assembly: SynthResult) -> Iterator[DeployReport]:
    with deployed(cloud, assembly) as report:
        yield report


def _bucket_region(cloud: LocalCloud, report: DeployReport, stack: str, region: str) -> str:
    cfn = cloud.client("cloudformation", region=region)
    resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    (bucket,) = [r for r in resources if r["ResourceType"] == "AWS::S3::Bucket"]
    location = cloud.client("s3", region=region).get_bucket_location(
        Bucket=bucket["PhysicalResourceId"]
    )
    return str(location["LocationConstraint"] or "us-east-1")


def test_the_assembly_records_each_stack_region(assembly: SynthResult) -> None:
    regions = {s.stack_name: s.region for s in read_assembly(assembly.outdir)}
    assert regions == {"West": "us-west-2", "Agnostic": None, "East": "us-east-1"}


def test_both_regions_deploy_at_once(cloud: LocalCloud, both: DeployReport) -> None:
    assert [r.status for r in both.stacks] == ["CREATE_COMPLETE"] * 3
    assert _bucket_region(cloud, both, "West", "us-west-2") == "us-west-2"
    assert _bucket_region(cloud, both, "Agnostic", "us-west-2") == "us-west-2"
    assert _bucket_region(cloud, both, "East", "us-east-1") == "us-east-1"


def test_each_stack_lives_in_its_region_only(cloud: LocalCloud, both: DeployReport) -> None:
    west = {s["StackName"] for s in cloud.client("cloudformation").describe_stacks()["Stacks"]}
    east_client = cloud.client("cloudformation", region="us-east-1")
    east = {s["StackName"] for s in east_client.describe_stacks()["Stacks"]}
    assert {"West", "Agnostic"} <= west and "East" not in west
    assert "East" in east and not {"West", "Agnostic"} & east
    tables = cloud.client("dynamodb", region="us-east-1").list_tables()["TableNames"]
    assert len(tables) == 1


def test_assets_are_staged_in_each_region(cloud: LocalCloud, both: DeployReport) -> None:
    for region in ("us-west-2", "us-east-1"):
        bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-{region}"
        location = cloud.client("s3", region=region).get_bucket_location(Bucket=bucket)
        assert (location["LocationConstraint"] or "us-east-1") == region


def test_a_single_region_deploy_in_each_region(
    cloud: LocalCloud, assembly: SynthResult, both: DeployReport
) -> None:
    """Redeploying one stack at a time finds it in its own region (unchanged), not a new one."""
    for name in ("West", "East"):
        (result,) = deploy(cloud, assembly, stacks=[name]).stacks
        assert (result.stack_name, result.action) == (name, "unchanged")


def test_create_bucket_helper_sets_the_location_constraint(cloud: LocalCloud) -> None:
    cloud.create_bucket("helper-west", region="us-west-2")
    cloud.create_bucket("helper-east", region="us-east-1")
    s3_client = cloud.client("s3")
    assert s3_client.get_bucket_location(Bucket="helper-west")["LocationConstraint"] == "us-west-2"
    assert s3_client.get_bucket_location(Bucket="helper-east")["LocationConstraint"] is None
