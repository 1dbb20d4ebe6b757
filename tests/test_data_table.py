"""DataTable, TableSpec and tables_from_specs: template, stage, compliance and bad-input tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import Environment, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match

from petplatform_constructs import PropError, Stage, use_naming, use_stage_profile
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.data.data_table import (
    AutoscaledCapacity,
    DataTable,
    IndexSpec,
    ProvisionedCapacity,
    key_attribute,
)
from petplatform_constructs.data.table_specs import TableSpec, tables_from_specs
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.testing import SynthResult, make_app

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"
REPLICA_KEY_ARN = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
STAGES = ("dev", "staging", "prod")

# -- builders (one synthesis per stage, shared by all tests) ---------------------------------


def build_tables(stack: Stack) -> None:
    """A default table, a fully featured one, explicit PITR choices and two spec tables."""
    DataTable(stack, "Items", name="items", partition_key="id")
    DataTable(
        stack,
        "Orders",
        name="orders",
        partition_key="customerId",
        sort_key="createdAt:N",
        global_indexes=[
            IndexSpec("status-index", partition_key="status", sort_key="createdAt:N"),
            IndexSpec(
                "sku-index", partition_key="sku", projection=dynamodb.ProjectionType.KEYS_ONLY
            ),
            IndexSpec(
                "region-index",
                partition_key="region",
                projection=dynamodb.ProjectionType.INCLUDE,
                non_key_attributes=["total", "currency"],
            ),
        ],
        local_indexes=[
            IndexSpec(
                "total-index", sort_key="total:N", projection=dynamodb.ProjectionType.KEYS_ONLY
            )
        ],
        provisioned=ProvisionedCapacity(
            read=AutoscaledCapacity(min_capacity=2, max_capacity=50, target_utilization_percent=60),
            write=AutoscaledCapacity(max_capacity=20),
        ),
        recovery_period_days=7,
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        time_to_live_attribute="expiresAt",
        encryption_key=kms.Key(stack, "OrdersKey", enable_key_rotation=True),
        replica_regions=["us-west-2"],
        replica_key_arns={"us-west-2": REPLICA_KEY_ARN},
        contributor_insights=True,
        table_class=dynamodb.TableClass.STANDARD_INFREQUENT_ACCESS,
        export_prefix="PetTest-Orders",
    )
    DataTable(
        stack,
        "Audit",
        table_name="pet-audit-log",
        partition_key="id",
        point_in_time_recovery=True,
        recovery_period_days=14,
    )
    DataTable(stack, "Scratch", partition_key="id", point_in_time_recovery=False)
    tables_from_specs(
        stack,
        [
            TableSpec("activity", single_table=True, time_to_live_attribute="ttl"),
            TableSpec(
                "message-threads",
                partition_key="threadId",
                global_indexes=[IndexSpec("participantId-index", partition_key="participantId")],
            ),
        ],
        export_prefix="PetTest-Data",
    )


def build_unprotected(stack: Stack) -> None:
    """Prod tables whose explicit props undo the profile's protection."""
    DataTable(
        stack,
        "Disposable",
        name="disposable",
        partition_key="id",
        removal_policy=RemovalPolicy.DESTROY,
    )
    DataTable(stack, "Unguarded", name="unguarded", partition_key="id", deletion_protection=False)


def build_grants(stack: Stack) -> None:
    """Grants, metrics and a wrapped table (no cdk-nag: grantee policies are the app's)."""
    role = iam.Role(stack, "Consumer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    items = DataTable(stack, "Items", name="items", partition_key="id")
    events = DataTable(
        stack, "Events", name="events", partition_key="id", stream=dynamodb.StreamViewType.NEW_IMAGE
    )
    legacy = DataTable(
        stack,
        "Legacy",
        existing_table=dynamodb.TableV2.from_table_attributes(
            stack, "LegacyRef", table_name="legacy-users"
        ),
        export_prefix="PetTest-Legacy",
    )
    items.grant_read_write_data(role)
    events.grant_stream_read(role)
    legacy.grant_read_data(role)
    events.grant_write_data(role)
    for alarm_id, metric in (
        ("Throttles", items.metric_throttled_requests_for_operations()),
        ("SystemErrors", items.metric_system_errors_for_operations()),
        ("ReadUnits", items.metric_consumed_read_capacity_units()),
        ("WriteUnits", items.metric_consumed_write_capacity_units()),
        ("UserErrors", items.metric_user_errors()),
    ):
        cloudwatch.Alarm(stack, alarm_id, metric=metric, threshold=1, evaluation_periods=1)


@pytest.fixture(scope="module", params=STAGES)
def staged(request: pytest.FixtureRequest, stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("data-table", build_tables, stage=request.param)


@pytest.fixture(scope="module")
def dev(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("data-table", build_tables, stage="dev")


def table_of(result: SynthResult, construct_id: str) -> dict[str, Any]:
    """The GlobalTable created by the DataTable ``construct_id`` (child id ``Table``)."""
    pattern = re.compile(rf"{construct_id}Table[0-9A-F]{{8}}")
    matches = [
        r
        for lid, r in result.template_json("Test")["Resources"].items()
        if pattern.fullmatch(lid) and r["Type"] == GLOBAL_TABLE
    ]
    assert len(matches) == 1, f"expected one GlobalTable for {construct_id}"
    return dict(matches[0])


def stage_of(result: SynthResult) -> str:
    items = table_of(result, "Items")["Properties"]["TableName"]
    return str(items.split("-")[1])


# -- resource type, ids, names ---------------------------------------------------------------


def test_every_table_is_a_global_table_with_stable_child_id(dev: SynthResult) -> None:
    template = dev.template("Test")
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    template.resource_count_is(GLOBAL_TABLE, 6)
    for construct_id in ("Items", "Orders", "Audit", "Scratch", "Activity", "MessageThreads"):
        table_of(dev, construct_id)


def test_names_follow_the_naming_strategy_or_are_literal_or_generated(
    staged: SynthResult,
) -> None:
    stage = stage_of(staged)
    assert stage in STAGES
    assert table_of(staged, "Items")["Properties"]["TableName"] == f"pettest-{stage}-items"
    assert table_of(staged, "Audit")["Properties"]["TableName"] == "pet-audit-log"
    assert "TableName" not in table_of(staged, "Scratch")["Properties"]
    specs = {
        c: table_of(staged, c)["Properties"]["TableName"] for c in ("Activity", "MessageThreads")
    }
    assert specs == {
        "Activity": f"pettest-{stage}-activity",
        "MessageThreads": f"pettest-{stage}-message-threads",
    }


# -- billing, encryption (defaults) ----------------------------------------------------------


@pytest.mark.checklist("000#17", "001#32", "002#20", "003#24")
def test_default_billing_is_on_demand_without_autoscaling(dev: SynthResult) -> None:
    props = table_of(dev, "Items")["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert "WriteProvisionedThroughputSettings" not in props
    assert all("ReadProvisionedThroughputSettings" not in r for r in props["Replicas"])
    dev.template("Test").resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)


@pytest.mark.checklist("000#21", "003#71")
def test_default_encryption_is_the_aws_managed_key_stated_explicitly(dev: SynthResult) -> None:
    props = table_of(dev, "Items")["Properties"]
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert all("SSESpecification" not in r for r in props["Replicas"])


# -- stage-driven protection -----------------------------------------------------------------


@pytest.mark.checklist("000#18", "000#22", "000#54", "000#55", "000#56")
def test_stage_profile_decides_retention_pitr_and_deletion_protection(
    staged: SynthResult,
) -> None:
    prod_like = stage_of(staged) != "dev"
    policy = "Retain" if prod_like else "Delete"
    for construct_id in ("Items", "Orders", "Activity", "MessageThreads"):
        table = table_of(staged, construct_id)
        assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == (policy, policy)
        for replica in table["Properties"]["Replicas"]:
            assert replica["DeletionProtectionEnabled"] is prod_like
            pitr = replica["PointInTimeRecoverySpecification"]
            assert pitr["PointInTimeRecoveryEnabled"] is prod_like


@pytest.mark.checklist("002#21", "003#26")
def test_explicit_pitr_overrides_the_profile_with_its_recovery_period(
    staged: SynthResult,
) -> None:
    audit = table_of(staged, "Audit")["Properties"]["Replicas"][0]
    assert audit["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True,
        "RecoveryPeriodInDays": 14,
    }
    scratch = table_of(staged, "Scratch")["Properties"]["Replicas"][0]
    assert scratch["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": False}
    # recovery_period_days applies only where PITR is on (prod-like stages for Orders).
    orders = table_of(staged, "Orders")["Properties"]["Replicas"][0]
    expected = (
        {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}
        if stage_of(staged) != "dev"
        else {"PointInTimeRecoveryEnabled": False}
    )
    assert orders["PointInTimeRecoverySpecification"] == expected


def test_ddb3_is_acknowledged_with_the_stage_reason_only_where_pitr_is_off() -> None:
    def acknowledged(table: DataTable) -> dict[str, str]:
        assert table.created_table is not None
        entries = [
            m.data
            for m in table.created_table.node.metadata
            if m.type == "aws:cdk:acknowledged-rules"
        ]
        return {k: v for data in entries for k, v in data.items()}

    tables = {}
    for stage in ("dev", "prod"):
        stack = Stack(make_app(), f"Ack{stage}")
        use_stage_profile(stack, stage)
        tables[stage] = DataTable(stack, "T", partition_key="id")
        tables[f"{stage}-off"] = DataTable(
            stack, "Off", partition_key="id", point_in_time_recovery=False
        )
    dev_reason = acknowledged(tables["dev"])["Annotation::AwsSolutions-DDB3"]
    assert "'dev' stage profile" in dev_reason
    assert acknowledged(tables["prod"]) == {}
    assert tables["prod"].point_in_time_recovery is True
    off_reason = acknowledged(tables["prod-off"])["Annotation::AwsSolutions-DDB3"]
    assert "point_in_time_recovery=False" in off_reason


# -- keys, indexes ---------------------------------------------------------------------------


@pytest.mark.checklist("000#20", "002#19", "001#34")
def test_keys_and_indexes_with_all_keys_only_and_include_projections(dev: SynthResult) -> None:
    props = table_of(dev, "Orders")["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "customerId", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    definitions = {d["AttributeName"]: d["AttributeType"] for d in props["AttributeDefinitions"]}
    assert definitions == {
        "customerId": "S",
        "createdAt": "N",
        "status": "S",
        "sku": "S",
        "region": "S",
        "total": "N",
    }
    gsis = {g["IndexName"]: g for g in props["GlobalSecondaryIndexes"]}
    assert gsis["status-index"]["KeySchema"] == [
        {"AttributeName": "status", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    assert gsis["status-index"]["Projection"] == {"ProjectionType": "ALL"}
    assert gsis["sku-index"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert gsis["region-index"]["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["total", "currency"],
    }
    (lsi,) = props["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "total-index"
    assert lsi["KeySchema"][1] == {"AttributeName": "total", "KeyType": "RANGE"}
    assert lsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}


@pytest.mark.checklist("002#18")
def test_single_table_spec_uses_generic_pk_sk(dev: SynthResult) -> None:
    dev.template("Test").has_resource_properties(
        GLOBAL_TABLE,
        {
            "TableName": "pettest-dev-activity",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
            "StreamSpecification": Match.absent(),
        },
    )


# -- provisioned billing, CMK, replicas, stream, TTL, insights ------------------------------


@pytest.mark.checklist("002#20")
def test_provisioned_billing_autoscales_by_target_tracking(dev: SynthResult) -> None:
    props = table_of(dev, "Orders")["Properties"]
    assert props["BillingMode"] == "PROVISIONED"
    assert props["WriteProvisionedThroughputSettings"] == {
        "WriteCapacityAutoScalingSettings": {
            "MinCapacity": 1,
            "MaxCapacity": 20,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
        }
    }
    read = {
        "ReadCapacityAutoScalingSettings": {
            "MinCapacity": 2,
            "MaxCapacity": 50,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60},
        }
    }
    assert [r["ReadProvisionedThroughputSettings"] for r in props["Replicas"]] == [read, read]


@pytest.mark.checklist("002#22", "003#25")
def test_customer_managed_key_and_replicas(dev: SynthResult) -> None:
    props = table_of(dev, "Orders")["Properties"]
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    keys = {r["Region"]: r["SSESpecification"]["KMSMasterKeyId"] for r in props["Replicas"]}
    assert keys["us-west-2"] == REPLICA_KEY_ARN
    key_logical_id, attribute = keys["us-east-1"]["Fn::GetAtt"]
    assert (key_logical_id.startswith("OrdersKey"), attribute) == (True, "Arn")
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_ttl_contributor_insights_and_table_class(dev: SynthResult) -> None:
    props = table_of(dev, "Orders")["Properties"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    for replica in props["Replicas"]:
        assert replica["ContributorInsightsSpecification"] == {"Enabled": True}
        assert replica["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    items = table_of(dev, "Items")["Properties"]
    assert items["Replicas"][0]["ContributorInsightsSpecification"] == {"Enabled": False}
    assert "TimeToLiveSpecification" not in items


# -- exports ---------------------------------------------------------------------------------


@pytest.mark.checklist("000#2")
def test_exports_name_arn_and_stream_arn_only_when_asked(dev: SynthResult) -> None:
    outputs = dev.template_json("Test")["Outputs"]
    exports = {o["Export"]["Name"] for o in outputs.values() if "Export" in o}
    assert exports == {
        "PetTest-Orders-TableName",
        "PetTest-Orders-TableArn",
        "PetTest-Orders-TableStreamArn",
        "PetTest-Data-Activity-TableName",
        "PetTest-Data-Activity-TableArn",
        "PetTest-Data-MessageThreads-TableName",
        "PetTest-Data-MessageThreads-TableArn",
    }
    stream = next(
        o for o in outputs.values() if o["Export"]["Name"].endswith("Orders-TableStreamArn")
    )
    assert stream["Value"]["Fn::GetAtt"][1] == "StreamArn"


# -- compliance ------------------------------------------------------------------------------


@pytest.mark.checklist("000#22")
def test_no_unacknowledged_findings_for_default_and_full_tables(staged: SynthResult) -> None:
    assert staged.error is None
    assert staged.findings == []


def test_data_protection_check_catches_what_the_profile_would_have_prevented(
    stack_synth: Callable[..., SynthResult],
) -> None:
    result = stack_synth("data-table-unprotected", build_unprotected, stage="prod")
    found = {
        (f.rule, f.path.split("/")[1]) for f in result.findings if f.plugin == "DataProtection"
    }
    assert found == {
        ("PP-DP1", "Disposable"),
        ("PP-DP2", "Disposable"),
        ("PP-DP3", "Unguarded"),
    }


# -- grants, metrics, wrapped tables ---------------------------------------------------------


@pytest.fixture(scope="module")
def grants(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("data-table-grants", build_grants, packs=())


def _statements(result: SynthResult) -> list[dict[str, Any]]:
    policies = result.template_json("Test")["Resources"]
    return [
        s
        for r in policies.values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_grants_delegate_to_the_table_with_least_privilege(grants: SynthResult) -> None:
    statements = _statements(grants)
    assert all("*" not in _actions(s) and "dynamodb:*" not in _actions(s) for s in statements)
    assert all(s["Resource"] != "*" for s in statements)

    def resources(action: str) -> list[str]:
        return [str(s["Resource"]) for s in statements if action in _actions(s)]

    assert any("ItemsTable" in r for r in resources("dynamodb:PutItem"))
    assert any("EventsTable" in r for r in resources("dynamodb:PutItem"))
    # Stream reads (including ListStreams) are scoped to the stream ARN, not "*".
    for action in ("dynamodb:DescribeStream", "dynamodb:ListStreams"):
        (stream,) = resources(action)
        assert "EventsTable" in stream and "StreamArn" in stream
    # The wrapped table grants on its ARN; reads only.
    legacy = [r for r in resources("dynamodb:GetItem") if "table/legacy-users" in r]
    assert legacy and not [r for r in resources("dynamodb:PutItem") if "legacy-users" in r]


def test_wrapped_table_creates_nothing_but_exports(grants: SynthResult) -> None:
    template = grants.template("Test")
    template.resource_count_is(GLOBAL_TABLE, 2)
    template.has_output(
        "*", {"Export": {"Name": "PetTest-Legacy-TableName"}, "Value": "legacy-users"}
    )


@pytest.mark.checklist("002#70")
def test_metrics_are_table_scoped(grants: SynthResult) -> None:
    template = grants.template("Test")
    for name in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "UserErrors"):
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm", {"Namespace": "AWS/DynamoDB", "MetricName": name}
        )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ConsumedReadCapacityUnits",
            "Dimensions": [
                {"Name": "TableName", "Value": {"Ref": Match.string_like_regexp("^ItemsTable")}}
            ],
        },
    )
    alarms = grants.template_json("Test")["Resources"]
    expressions = [
        m["Expression"]
        for r in alarms.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        for m in r["Properties"].get("Metrics", [])
        if "Expression" in m
    ]
    assert any("getitem" in e and "putitem" in e for e in expressions)
    assert len(expressions) == 2  # throttles and system errors


# -- bad input -------------------------------------------------------------------------------


def _stack(*, region: str | None = "us-east-1") -> Stack:
    app = make_app()
    env = Environment(account="123456789012", region=region) if region else None
    stack = Stack(app, "Bad", env=env)
    use_stage_profile(stack, Stage.DEV)
    use_naming(stack, Naming.service_stage_resource("pettest", Stage.DEV))
    return stack


ID = {"partition_key": "id"}
INCLUDE = dynamodb.ProjectionType.INCLUDE
BAD_INPUT = [
    pytest.param({}, r"partition_key=None", id="no partition key"),
    pytest.param(
        {"single_table": True, "partition_key": "id"},
        r"single_table=True.*remove partition_key",
        id="single table and keys",
    ),
    pytest.param(
        {**ID, "global_indexes": [IndexSpec("by-x")]},
        r"global_indexes\[0\]\.partition_key=None",
        id="gsi without partition key",
    ),
    pytest.param(
        {**ID, "global_indexes": [IndexSpec("", partition_key="x")]},
        r"global_indexes\[0\]\.name=''",
        id="empty index name",
    ),
    pytest.param(
        {
            **ID,
            "sort_key": "sk",
            "global_indexes": [IndexSpec("dup", partition_key="x")],
            "local_indexes": [IndexSpec("dup", sort_key="y")],
        },
        r"global_indexes/local_indexes='dup'",
        id="duplicate index names",
    ),
    pytest.param(
        {**ID, "global_indexes": [IndexSpec("inc", partition_key="x", projection=INCLUDE)]},
        r"global_indexes\[0\]\.non_key_attributes=\[\].*INCLUDE",
        id="include without attributes",
    ),
    pytest.param(
        {**ID, "global_indexes": [IndexSpec("all", partition_key="x", non_key_attributes=["a"])]},
        r"global_indexes\[0\]\.non_key_attributes=\['a'\].*only projection INCLUDE",
        id="attributes without include",
    ),
    pytest.param(
        {**ID, "recovery_period_days": 36},
        r"recovery_period_days=36; 1-35",
        id="recovery period too long",
    ),
    pytest.param(
        {**ID, "recovery_period_days": 7, "point_in_time_recovery": False},
        r"recovery_period_days=7.*point_in_time_recovery=False",
        id="recovery period without pitr",
    ),
    pytest.param(
        {**ID, "global_indexes": [IndexSpec(f"gsi{i}", partition_key="x") for i in range(21)]},
        r"global_indexes='21 indexes'; at most 20",
        id="too many gsis",
    ),
    pytest.param(
        {
            **ID,
            "sort_key": "sk",
            "local_indexes": [IndexSpec(f"lsi{i}", sort_key=f"s{i}") for i in range(6)],
        },
        r"local_indexes='6 indexes'; at most 5",
        id="too many lsis",
    ),
    pytest.param(
        {**ID, "local_indexes": [IndexSpec("by-y", sort_key="y")]},
        r"local_indexes='by-y'.*sort_key",
        id="lsi without table sort key",
    ),
    pytest.param(
        {
            **ID,
            "provisioned": ProvisionedCapacity(
                read=AutoscaledCapacity(min_capacity=10, max_capacity=5),
                write=AutoscaledCapacity(max_capacity=5),
            ),
        },
        r"provisioned\.read\.max_capacity=5.*>= min_capacity \(10\)",
        id="autoscaling min above max",
    ),
    pytest.param(
        {
            **ID,
            "provisioned": ProvisionedCapacity(
                read=AutoscaledCapacity(max_capacity=5),
                write=AutoscaledCapacity(max_capacity=5, target_utilization_percent=95),
            ),
        },
        r"provisioned\.write\.target_utilization_percent=95",
        id="autoscaling target out of range",
    ),
    pytest.param(
        {**ID, "replica_regions": ["us-east-1"]},
        r"replica_regions='us-east-1'.*primary replica",
        id="replica in the stack region",
    ),
    pytest.param(
        {**ID, "replica_regions": ["eu-west-1"], "stream": dynamodb.StreamViewType.KEYS_ONLY},
        r"stream='KEYS_ONLY'.*NEW_AND_OLD_IMAGES",
        id="replica with a partial stream",
    ),
    pytest.param(
        {**ID, "replica_key_arns": {"us-west-2": REPLICA_KEY_ARN}},
        r"replica_key_arns=.*customer-managed encryption_key",
        id="replica keys without a table key",
    ),
    pytest.param(
        {**ID, "table_name": "bad name!"}, r"table_name='bad name!'", id="invalid table name"
    ),
    pytest.param(
        {**ID, "name": "items", "table_name": "items-literal"},
        r"table_name='items-literal'; give either name",
        id="name and table name",
    ),
    pytest.param(
        {**ID, "global_indexes": [IndexSpec("by-id", partition_key="id:N")]},
        r"key attributes='id'.*both STRING and NUMBER",
        id="conflicting key types",
    ),
    pytest.param(
        {**ID, "export_prefix": "My_Prefix"}, r"export_prefix='My_Prefix'", id="bad export prefix"
    ),
    pytest.param(
        {**ID, "sort_key": "createdAt:X"}, r"sort_key='createdAt:X'", id="bad key type suffix"
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_INPUT)
def test_bad_input_raises_prop_error(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropError, match=message) as raised:
        DataTable(_stack(), "T", **props)
    assert raised.value.owner == "DataTable Bad/T"


def test_existing_table_with_creation_props_names_the_conflicts() -> None:
    stack = _stack()
    existing = dynamodb.TableV2.from_table_name(stack, "Ref", "legacy")
    with pytest.raises(PropError, match=r"existing_table=.*remove name, partition_key, stream"):
        DataTable(
            stack,
            "T",
            existing_table=existing,
            name="x",
            partition_key="id",
            stream=dynamodb.StreamViewType.KEYS_ONLY,
        )


def test_replicas_need_a_concrete_stack_region() -> None:
    with pytest.raises(PropError, match=r"replica_regions=\['us-west-2'\].*concrete stack region"):
        DataTable(_stack(region=None), "T", partition_key="id", replica_regions=["us-west-2"])


def test_replica_keys_must_cover_every_replica_region() -> None:
    key = kms.Key(stack := _stack(), "Key", enable_key_rotation=True)
    with pytest.raises(PropError, match=r"replica_key_arns=\{\}.*missing: \['eu-west-1'\]"):
        DataTable(stack, "T", partition_key="id", encryption_key=key, replica_regions=["eu-west-1"])


def test_stream_grant_needs_a_stream() -> None:
    table = DataTable(_stack(), "T", partition_key="id")
    role = iam.Role(Stack.of(table), "R", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(PropError, match=r"stream=None; grant_stream_read needs"):
        table.grant_stream_read(role)


def test_spec_settings_win_over_shared_ones_and_ids_are_pascal_case() -> None:
    stack = _stack()
    tables = tables_from_specs(
        stack,
        [
            TableSpec("vet-visits", partition_key="id", point_in_time_recovery=True),
            TableSpec("breeds-simple", partition_key="id"),
            TableSpec("dogs", partition_key="id", construct_id="DogListings"),
        ],
        point_in_time_recovery=False,
    )
    assert list(tables) == ["vet-visits", "breeds-simple", "dogs"]
    assert [t.node.id for t in tables.values()] == ["VetVisits", "BreedsSimple", "DogListings"]
    assert [t.point_in_time_recovery for t in tables.values()] == [True, False, False]


def test_specs_reject_duplicate_names_and_ids() -> None:
    with pytest.raises(PropError, match=r"specs\[\] construct id=\['MessageThreads'\]"):
        tables_from_specs(
            _stack(),
            [
                TableSpec("message-threads", partition_key="id"),
                TableSpec("message_threads", partition_key="id"),
            ],
        )


def test_key_shorthand() -> None:
    assert key_attribute("age:N").type is dynamodb.AttributeType.NUMBER
    assert key_attribute("id").type is dynamodb.AttributeType.STRING
    assert key_attribute("blob:b").type is dynamodb.AttributeType.BINARY
    with pytest.raises(PropError, match=r"key=':N'"):
        key_attribute(":N")


# -- validation reports everything ----------------------------------------------------------


def test_every_invalid_prop_is_reported_in_one_error() -> None:
    with pytest.raises(PropErrors) as raised:
        DataTable(
            _stack(),
            "Bad",
            partition_key="id:X",
            recovery_period_days=99,
            time_to_live_attribute="",
            global_indexes=[IndexSpec("x")],
        )
    props = [error.prop for error in raised.value.errors]
    assert props == [
        "partition_key",
        "global_indexes[0].name",
        "global_indexes[0].partition_key",
        "recovery_period_days",
        "time_to_live_attribute",
    ]
    message = str(raised.value)
    assert message.startswith("DataTable Bad/Bad: 5 invalid props:")
    assert "invalid recovery_period_days=99; 1-35 days" in message


@pytest.mark.parametrize(
    ("props", "message"),
    [
        pytest.param(
            {"partition_key": 123},
            r"Typed: invalid partition_key=123; expected str or dynamodb\.Attribute \(got int\)$",
            id="number as key",
        ),
        pytest.param(
            {"partition_key": "id", "replica_regions": "us-west-2"},
            r"invalid replica_regions='us-west-2'; expected a list of str \(got str\)",
            id="string as region list",
        ),
        pytest.param(
            {"partition_key": "id", "point_in_time_recovery": "yes"},
            r"invalid point_in_time_recovery='yes'; expected bool \(got str\)",
            id="string as flag",
        ),
        pytest.param(
            {"partition_key": "id", "encryption_key": "alias/mine"},
            r"invalid encryption_key='alias/mine'; expected kms\.IKey \(got str\)",
            id="key alias instead of a key",
        ),
        pytest.param(
            {"partition_key": "id", "partiton_key": "id"},
            r"invalid partiton_key='id'; not a prop of DataTable; known props: ",
            id="misspelled prop",
        ),
    ],
)
def test_wrong_python_types_raise_prop_error_naming_the_prop(
    props: dict[str, Any], message: str
) -> None:
    with pytest.raises(PropError, match=message):
        DataTable(_stack(), "Typed", **props)


def _sibling(stack: Stack, id: str, region: str) -> Stack:
    sibling = Stack(stack.node.root, id, env=Environment(account="123456789012", region=region))
    use_stage_profile(sibling, Stage.DEV)
    return sibling


def test_two_tables_with_one_physical_name_fail_at_synth() -> None:
    stack = _stack()
    DataTable(stack, "First", table_name="dogs", partition_key="id")
    other = _sibling(stack, "Other", "us-east-1")
    with pytest.raises(PropError, match=r"'dogs'; a unique DynamoDB table name: Bad/First already"):
        DataTable(other, "Second", table_name="dogs", partition_key="id")


def test_one_physical_name_in_two_regions_is_two_tables() -> None:
    stack = _stack()
    DataTable(stack, "First", table_name="dogs", partition_key="id")
    DataTable(_sibling(stack, "West", "us-west-2"), "Second", table_name="dogs", partition_key="id")


def test_an_explicit_false_with_an_existing_table_is_refused_like_any_creation_prop() -> None:
    stack = _stack()
    existing = dynamodb.TableV2.from_table_name(stack, "Ref", "legacy")
    with pytest.raises(PropError, match=r"existing_table=.*remove contributor_insights"):
        DataTable(stack, "Wrapped", existing_table=existing, contributor_insights=False)
