"""ProfilesTable: the HomeForPup ``profiles`` preset on DataTable, per stage, plus bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match

from petplatform_constructs import PropError, Stage, use_naming, use_stage_profile
from petplatform_constructs.data.data_table import IndexSpec
from petplatform_constructs.data.profiles_table import ProfilesTable
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.testing import SynthResult, make_app

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"
REPLICA_KEY_ARN = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
LEGACY_STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/profiles-legacy/stream/2024-01-01T00:00:00.000"
)
SUFFIX = {"dev": "", "staging": "-staging", "prod": "-prod"}


def build_profiles(stack: Stack) -> None:
    """The preset as HomeForPup uses it, a fully featured variant, and a wrapped table."""
    profiles = ProfilesTable(stack, "Profiles")
    consumer = iam.Role(
        stack, "StreamConsumer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
    )
    profiles.grant_stream_read(consumer)
    ProfilesTable(
        stack,
        "ArchivedProfiles",
        name="archived-profiles",
        extra_global_indexes=[
            IndexSpec(
                "userType-index",
                partition_key="userType",
                projection=dynamodb.ProjectionType.KEYS_ONLY,
            )
        ],
        time_to_live_attribute="purgeAt",
        recovery_period_days=10,
        encryption_key=kms.Key(stack, "ProfilesKey", enable_key_rotation=True),
        replica_regions=["us-west-2"],
        replica_key_arns={"us-west-2": REPLICA_KEY_ARN},
        contributor_insights=True,
        export_prefix="HomeForPup-ArchivedProfiles",
    )
    ProfilesTable(
        stack,
        "LegacyProfiles",
        existing_table=dynamodb.TableV2.from_table_attributes(
            stack, "LegacyRef", table_name="profiles-legacy", table_stream_arn=LEGACY_STREAM_ARN
        ),
        export_prefix="HomeForPup-LegacyProfiles",
    )


@pytest.fixture(scope="module", params=tuple(SUFFIX))
def staged(request: pytest.FixtureRequest, stack_synth: Callable[..., SynthResult]) -> SynthResult:
    stage = request.param
    return stack_synth(
        "profiles-table",
        build_profiles,
        stage=stage,
        naming=Naming.suffixed(stage),
        project="HomeForPup",
    )


@pytest.fixture(scope="module")
def dev(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth(
        "profiles-table",
        build_profiles,
        stage="dev",
        naming=Naming.suffixed("dev"),
        project="HomeForPup",
    )


def table_of(result: SynthResult, construct_id: str) -> dict[str, Any]:
    pattern = re.compile(rf"{construct_id}Table[0-9A-F]{{8}}")
    (table,) = [
        r
        for lid, r in result.template_json("Test")["Resources"].items()
        if pattern.fullmatch(lid) and r["Type"] == GLOBAL_TABLE
    ]
    return dict(table)


def suffix_of(result: SynthResult) -> str:
    name = table_of(result, "Profiles")["Properties"]["TableName"]
    return str(name.removeprefix("profiles"))


@pytest.mark.checklist("000#5", "000#53", "000#55", "000#56")
def test_default_short_name_goes_through_the_naming_strategy(staged: SynthResult) -> None:
    suffix = suffix_of(staged)
    assert suffix in SUFFIX.values()
    archived = table_of(staged, "ArchivedProfiles")["Properties"]["TableName"]
    assert archived == f"archived-profiles{suffix}"


@pytest.mark.checklist("000#17", "000#19", "000#20", "000#21")
def test_preset_keys_email_index_stream_billing_and_encryption(dev: SynthResult) -> None:
    props = table_of(dev, "Profiles")["Properties"]
    assert props["TableName"] == "profiles"
    assert props["KeySchema"] == [{"AttributeName": "userId", "KeyType": "HASH"}]
    assert {"AttributeName": "userId", "AttributeType": "S"} in props["AttributeDefinitions"]
    assert props["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "email-index",
            "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ]
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert "WriteProvisionedThroughputSettings" not in props
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    dev.template("Test").resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)


@pytest.mark.checklist("000#18", "000#22", "000#54", "000#56", "003#26")
def test_stage_decides_retention_pitr_and_deletion_protection(staged: SynthResult) -> None:
    prod_like = suffix_of(staged) != ""
    policy = "Retain" if prod_like else "Delete"
    for construct_id in ("Profiles", "ArchivedProfiles"):
        table = table_of(staged, construct_id)
        assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == (policy, policy)
        for replica in table["Properties"]["Replicas"]:
            assert replica["DeletionProtectionEnabled"] is prod_like
            assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is (
                prod_like
            )


def test_full_featured_variant_keeps_the_preset_and_adds_options(staged: SynthResult) -> None:
    props = table_of(staged, "ArchivedProfiles")["Properties"]
    indexes = [
        (g["IndexName"], g["Projection"]["ProjectionType"]) for g in props["GlobalSecondaryIndexes"]
    ]
    assert indexes == [("email-index", "ALL"), ("userType-index", "KEYS_ONLY")]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "purgeAt", "Enabled": True}
    replicas = {r["Region"]: r for r in props["Replicas"]}
    assert set(replicas) == {"us-east-1", "us-west-2"}
    assert replicas["us-west-2"]["SSESpecification"] == {"KMSMasterKeyId": REPLICA_KEY_ARN}
    assert all(
        r["ContributorInsightsSpecification"] == {"Enabled": True} for r in replicas.values()
    )
    pitr = replicas["us-east-1"]["PointInTimeRecoverySpecification"]
    if suffix_of(staged):
        assert pitr == {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 10}
    else:
        assert pitr == {"PointInTimeRecoveryEnabled": False}


@pytest.mark.checklist("000#2", "000#19")
def test_exports_and_stream_grant(dev: SynthResult) -> None:
    outputs = dev.template_json("Test")["Outputs"]
    exports = {o["Export"]["Name"]: o["Value"] for o in outputs.values()}
    assert set(exports) == {
        "HomeForPup-ArchivedProfiles-TableName",
        "HomeForPup-ArchivedProfiles-TableArn",
        "HomeForPup-ArchivedProfiles-TableStreamArn",
        "HomeForPup-LegacyProfiles-TableName",
        "HomeForPup-LegacyProfiles-TableArn",
        "HomeForPup-LegacyProfiles-TableStreamArn",
    }
    assert exports["HomeForPup-LegacyProfiles-TableStreamArn"] == LEGACY_STREAM_ARN
    stream_arn = {"Fn::GetAtt": [table_logical_id(dev, "Profiles"), "StreamArn"]}
    for actions in (
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        "dynamodb:ListStreams",
    ):
        statement = {"Action": actions, "Effect": "Allow", "Resource": stream_arn}
        dev.template("Test").has_resource_properties(
            "AWS::IAM::Policy",
            {"PolicyDocument": {"Statement": Match.array_with([Match.object_like(statement)])}},
        )


def table_logical_id(result: SynthResult, construct_id: str) -> str:
    pattern = re.compile(rf"{construct_id}Table[0-9A-F]{{8}}")
    (logical_id,) = [
        lid for lid in result.template_json("Test")["Resources"] if pattern.fullmatch(lid)
    ]
    return str(logical_id)


def test_wrapped_table_creates_no_table(dev: SynthResult) -> None:
    dev.template("Test").resource_count_is(GLOBAL_TABLE, 2)
    dev.template("Test").resource_count_is("AWS::DynamoDB::Table", 0)


def test_no_unacknowledged_findings_in_any_stage(staged: SynthResult) -> None:
    """cdk-nag AwsSolutions in every stage, plus the data-protection check in staging/prod."""
    assert staged.error is None
    assert staged.findings == []


# -- bad input -------------------------------------------------------------------------------


def _stack(stage: Stage = Stage.DEV) -> Stack:
    stack = Stack(make_app(), "Bad", env=Environment(account="123456789012", region="us-east-1"))
    use_stage_profile(stack, stage)
    use_naming(stack, Naming.suffixed(stage))
    return stack


BAD_INPUT = [
    pytest.param(
        {"extra_global_indexes": [IndexSpec("email-index", partition_key="mail")]},
        r"global_indexes/local_indexes='email-index'; index names must be unique",
        id="extra index reuses email-index",
    ),
    pytest.param(
        {
            "extra_global_indexes": [
                IndexSpec(
                    "kind-index", partition_key="kind", projection=dynamodb.ProjectionType.INCLUDE
                )
            ]
        },
        r"global_indexes\[1\]\.non_key_attributes=\[\]",
        id="extra include index without attributes",
    ),
    pytest.param(
        {"extra_global_indexes": [IndexSpec("n", partition_key="x")]},
        r"global_indexes\[1\]\.name='n'; 3-255 characters",
        id="extra index name too short",
    ),
    pytest.param(
        {"extra_global_indexes": [IndexSpec("by-user", partition_key="userId:N")]},
        r"key attributes='userId'.*STRING and NUMBER",
        id="extra index with a numeric userId",
    ),
    pytest.param(
        {"recovery_period_days": 0}, r"recovery_period_days=0; 1-35", id="recovery period zero"
    ),
    pytest.param(
        {"replica_regions": ["us-east-1"]},
        r"replica_regions='us-east-1'",
        id="replica in the stack region",
    ),
    pytest.param(
        {"table_name": "p r"},
        r"ProfilesTable Bad/P: invalid table_name='p r'",
        id="invalid table name",
    ),
    pytest.param(
        {"name": "users", "table_name": "profiles-literal"},
        r"table_name='profiles-literal'; give either name='users'",
        id="name and table name",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_INPUT)
def test_bad_input_raises_prop_error(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropError, match=message) as raised:
        ProfilesTable(_stack(), "P", **props)
    assert raised.value.owner == "ProfilesTable Bad/P"


def test_existing_table_rejects_creation_props() -> None:
    stack = _stack()
    existing = dynamodb.TableV2.from_table_name(stack, "Ref", "profiles-legacy")
    with pytest.raises(PropError, match=r"existing_table=.*remove name"):
        ProfilesTable(stack, "P", existing_table=existing, name="profiles")
    with pytest.raises(PropError, match=r"existing_table=.*remove extra_global_indexes"):
        ProfilesTable(
            stack,
            "Q",
            existing_table=existing,
            extra_global_indexes=[IndexSpec("kind-index", partition_key="kind")],
        )


def test_default_name_is_not_applied_to_wrapped_or_literal_tables() -> None:
    stack = _stack(Stage.PROD)
    existing = dynamodb.TableV2.from_table_name(stack, "Ref", "profiles-legacy")
    wrapped = ProfilesTable(stack, "Wrapped", existing_table=existing)
    assert wrapped.created_table is None and wrapped.table is existing
    literal = ProfilesTable(stack, "Literal", table_name="user-profiles")
    assert literal.created_table is not None
    assert stack.resolve(literal.created_table.node.default_child.table_name) == "user-profiles"  # type: ignore[union-attr]
