"""HomeForPup deployed to the local cloud (moto on 127.0.0.1) and exercised with boto3.

dev and prod are deployed side by side once per module; staging is deployed, changed and
updated to prove that an update keeps stateful resources and their data.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from botocore.exceptions import ClientError

import homeforpup
from homeforpup import HomeForPupConfig, smoke
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth
from petplatform_localcloud import (
    DeployReport,
    LocalCloud,
    deploy,
    destroy,
)

pytestmark = pytest.mark.localcloud


def _synth(cache: SynthCache, stage: str, config: HomeForPupConfig | None = None) -> SynthResult:
    # Same key as tests/examples/test_homeforpup.py, so a full run synthesizes each stage once.
    key = ("homeforpup", stage, repr(config))
    return cache.get(
        key, lambda: synth(make_app(), lambda app: homeforpup.build(app, stage, config))
    )


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud() as started:
        yield started


@pytest.fixture(scope="module")
def deployments(
    synth_cache: SynthCache, cloud: LocalCloud
) -> Iterator[dict[str, smoke.Deployment]]:
    results = {stage: _synth(synth_cache, stage) for stage in ("dev", "prod")}
    started = time.perf_counter()
    deployed = {stage: smoke.Deployment(stage, deploy(cloud, r)) for stage, r in results.items()}
    cloud.say(f"deployed dev + prod in {time.perf_counter() - started:.2f} s")
    yield deployed
    for result in results.values():
        destroy(cloud, result)


# ---- deployment ------------------------------------------------------------------------------


@pytest.mark.checklist("000#1", "000#2")
def test_every_stack_and_resource_is_created(deployments: dict[str, smoke.Deployment]) -> None:
    dev_report = deployments["dev"].report
    assert [s.stack_name for s in dev_report.stacks] == [
        "HomeForPup-DynamoDB", "HomeForPup-S3", "HomeForPup-Cognito", "HomeForPup-IAM",
    ]  # fmt: skip
    assert all(s.status == "CREATE_COMPLETE" for s in dev_report.stacks)
    counts = {s.stack_name: s.resources for s in dev_report.stacks}
    # Each stack's ObservabilityPack adds a topic, its key and policy, and a dashboard (no
    # alarms in dev).
    assert counts == {
        "HomeForPup-DynamoDB": 12 + 4, "HomeForPup-S3": 14 + 4, "HomeForPup-Cognito": 3 + 4,
        "HomeForPup-IAM": 3,  # the role, its instance profile, the library's managed policy
    }  # fmt: skip
    # The dev buckets' auto-delete custom resources are Node.js handlers: skipped, and reported.
    (s3,) = [s for s in dev_report.stacks if s.stack_name == "HomeForPup-S3"]
    assert len(s3.skipped) == 3
    assert not any(s.skipped for s in deployments["prod"].report.stacks)


# ---- smoke checks (examples/homeforpup/homeforpup/smoke.py, also run by `make demo`) ----------


@pytest.mark.parametrize("stage", ("dev", "prod"))
@pytest.mark.parametrize(
    "check",
    [pytest.param(c, marks=pytest.mark.checklist(*c.items), id=c.name) for c in smoke.CHECKS],
)
def test_smoke_check(
    cloud: LocalCloud, deployments: dict[str, smoke.Deployment], stage: str, check: smoke.Check
) -> None:
    check.run(cloud, stage, deployments[stage].report)


def test_every_smoke_check_fails_on_a_deployment_without_its_resources(cloud: LocalCloud) -> None:
    """A check that cannot fail is a defect: against an empty deployment each one raises."""
    empty = DeployReport(stacks=(), seconds=0.0)
    for check in smoke.CHECKS:
        with pytest.raises((AssertionError, KeyError, ClientError)):
            check.run(cloud, "staging", empty)


# ---- update safety -----------------------------------------------------------------------------


@pytest.mark.checklist("000#22", "000#55")
def test_an_update_keeps_stateful_resources_and_their_data(
    synth_cache: SynthCache, cloud: LocalCloud
) -> None:
    first = _synth(synth_cache, "staging")
    changed_config = HomeForPupConfig(web_origin="https://beta.homeforpup.com")
    changed = synth(make_app(), lambda app: homeforpup.build(app, "staging", changed_config))
    try:
        before = deploy(cloud, first)
        staging = smoke.Deployment("staging", before)
        pool_id = staging.output("Cognito", "AuthUserPoolIdOutput")
        bucket = staging.output("S3", "StorageImagesBucketNameOutput")
        table_arn = cloud.client("dynamodb").describe_table(TableName="dogs-staging")["Table"][
            "TableArn"
        ]
        cloud.resource("dynamodb").Table("dogs-staging").put_item(Item={"dogId": "kept"})
        cloud.client("s3").put_object(Bucket=bucket, Key="kept.png", Body=b"png")
        cloud.client("cognito-idp").admin_create_user(
            UserPoolId=pool_id, Username="kept@example.com", MessageAction="SUPPRESS"
        )

        after = deploy(cloud, changed)
        actions = {s.stack_name: s.action for s in after.stacks}
        assert actions["HomeForPup-S3-staging"] == "update"
        assert actions["HomeForPup-Cognito-staging"] == "update"
        assert actions["HomeForPup-DynamoDB-staging"] == "unchanged"
        assert all(s.status in ("UPDATE_COMPLETE", "CREATE_COMPLETE") for s in after.stacks)

        updated = smoke.Deployment("staging", after)
        assert updated.output("Cognito", "AuthUserPoolIdOutput") == pool_id
        assert updated.output("S3", "StorageImagesBucketNameOutput") == bucket
        s3 = cloud.client("s3")
        (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
        assert cors["AllowedOrigins"] == ["https://beta.homeforpup.com"]  # the change applied
        assert s3.get_object(Bucket=bucket, Key="kept.png")["Body"].read() == b"png"
        dogs = cloud.client("dynamodb").describe_table(TableName="dogs-staging")["Table"]
        assert dogs["TableArn"] == table_arn
        assert (
            cloud.resource("dynamodb").Table("dogs-staging").get_item(Key={"dogId": "kept"})["Item"]
        )
        idp = cloud.client("cognito-idp")
        assert idp.admin_get_user(UserPoolId=pool_id, Username="kept@example.com")
        client_id = updated.output("Cognito", "AuthUserPoolClientIdwebOutput")
        client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        assert client["UserPoolClient"]["CallbackURLs"] == [
            "https://beta.homeforpup.com/auth/callback"
        ]
    finally:
        destroy(cloud, changed)
