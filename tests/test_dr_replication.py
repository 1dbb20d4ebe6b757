"""DrReplication: S3 replication, TableV2 replicas, AWS Backup, alarms, nag and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match

from petplatform_constructs import (
    DataTable,
    DrReplication,
    NagPack,
    ObservabilityPack,
    PropError,
    SecureBucket,
    StageProfile,
    configure_platform,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth

ACCOUNT = "123456789012"
WEST = Environment(account=ACCOUNT, region="us-west-2")
JsonDict = dict[str, Any]


def _app() -> App:
    app = make_app()
    configure_platform(app, project="ListBackup", stage="dev", compliance=(NagPack.AWS_SOLUTIONS,))
    return app


def _data(stack: Stack) -> tuple[DataTable, SecureBucket]:
    table = DataTable(
        stack, "Users", name="users", partition_key=dynamodb.Attribute(
            name="userId", type=dynamodb.AttributeType.STRING
        ),
    )  # fmt: skip
    logs = SecureBucket(stack, "Logs", access_log_destination=True)
    bucket = SecureBucket(
        stack, "Data", name="data", versioned=True, server_access_logs_bucket=logs
    )
    return table, bucket


def build_primary_only() -> SynthResult:
    app = _app()
    _data(Stack(app, "Primary", env=WEST))
    return synth(app)


def build_full() -> SynthResult:
    app = _app()
    stack = Stack(app, "Primary", env=WEST)
    table, bucket = _data(stack)
    pack = ObservabilityPack(
        stack, "Watch", alarm_email_addresses=["ops@example.com"], alarms_enabled=True
    )
    dr = DrReplication(
        stack,
        "Dr",
        dr_region="us-east-1",
        tables=[table],
        buckets=[bucket],
        replication_time_control=True,
        vault_lock=Duration.days(7),
        selection_tags={"backup": "daily"},
        export_prefix="ListBackup-Dr",
        job_failure_topic=pack.alert_topic,
    )
    pack.watch(dr)
    return synth(app)


@pytest.fixture(scope="module")
def before(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("dr", "before"), build_primary_only)


@pytest.fixture(scope="module")
def full(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("dr", "full"), build_full)


def _resources(result: SynthResult, stack: str, rtype: str) -> dict[str, JsonDict]:
    return {
        k: v
        for k, v in result.template_json(stack)["Resources"].items()
        if v["Type"] == rtype
    }  # fmt: skip


# -- the DR stack and S3 replication ------------------------------------------------------------


@pytest.mark.checklist("002#61")
def test_a_dr_stack_in_the_dr_region_holds_versioned_replica_buckets(full: SynthResult) -> None:
    manifest = full.stack_names
    assert "PrimaryDr" in {*manifest, *manifest.values()}
    replicas = _resources(full, "PrimaryDr", "AWS::S3::Bucket")
    replica = next(v for k, v in replicas.items() if "Replica0" in k)["Properties"]
    assert replica["BucketName"].endswith("replica-0") or "replica-0" in replica["BucketName"]
    assert replica["VersioningConfiguration"] == {"Status": "Enabled"}
    assert replica["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert replica["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    policies = _resources(full, "PrimaryDr", "AWS::S3::BucketPolicy")
    assert any("aws:SecureTransport" in str(p) for p in policies.values())


@pytest.mark.checklist("002#62")
def test_the_primary_bucket_replicates_to_the_replica(full: SynthResult) -> None:
    replica_name = next(
        v["Properties"]["BucketName"]
        for k, v in _resources(full, "PrimaryDr", "AWS::S3::Bucket").items()
        if "Replica0" in k
    )
    sources = [
        v["Properties"]["ReplicationConfiguration"]
        for v in _resources(full, "Primary", "AWS::S3::Bucket").values()
        if "ReplicationConfiguration" in v["Properties"]
    ]
    assert len(sources) == 1 and f":s3:::{replica_name}" in str(sources[0])
    full.template("Primary").has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "ReplicationConfiguration": {
                "Role": Match.any_value(),
                "Rules": [
                    Match.object_like(
                        {
                            "Status": "Enabled",
                            "DeleteMarkerReplication": {"Status": "Enabled"},
                            "Destination": Match.object_like(
                                {
                                    "Bucket": Match.any_value(),
                                    "ReplicationTime": {
                                        "Status": "Enabled",
                                        "Time": {"Minutes": 15},
                                    },
                                }
                            ),
                        }
                    )
                ],
            },
        },
    )


@pytest.mark.checklist("002#62")
def test_the_replication_role_is_least_privilege(full: SynthResult) -> None:
    roles = _resources(full, "Primary", "AWS::IAM::Role")
    (role_id,) = [k for k in roles if "ReplicationRole" in k]
    principal = roles[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert principal["Principal"] == {"Service": "s3.amazonaws.com"}
    policy = next(
        v for v in _resources(full, "Primary", "AWS::IAM::Policy").values()
        if v["Properties"]["Roles"] == [{"Ref": role_id}]
    )  # fmt: skip
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = sorted(
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    )
    assert actions == sorted(
        [
            "s3:GetReplicationConfiguration", "s3:ListBucket",
            "s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionTagging",
            "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags",
        ]
    )  # fmt: skip
    assert all(s["Resource"] != "*" for s in statements)


def test_the_primary_stack_depends_on_the_dr_stack(full: SynthResult) -> None:
    import json

    manifest = json.loads((full.outdir / "manifest.json").read_text())
    assert "PrimaryDr" in manifest["artifacts"]["Primary"]["dependencies"]
    assert manifest["artifacts"]["PrimaryDr"]["environment"] == f"aws://{ACCOUNT}/us-east-1"


# -- DynamoDB -----------------------------------------------------------------------------------


@pytest.mark.checklist("003#25")
def test_adding_the_replica_is_an_in_place_update(before: SynthResult, full: SynthResult) -> None:
    old = _resources(before, "Primary", "AWS::DynamoDB::GlobalTable")
    new = _resources(full, "Primary", "AWS::DynamoDB::GlobalTable")
    assert old.keys() == new.keys()  # the same logical id: CloudFormation updates, not replaces
    (logical_id,) = old
    old_props, new_props = old[logical_id]["Properties"], new[logical_id]["Properties"]
    # Replicas need a stream (NEW_AND_OLD_IMAGES); both are updates of the same global table.
    changed = {k for k in {*old_props, *new_props} if old_props.get(k) != new_props.get(k)}
    assert changed <= {"Replicas", "StreamSpecification"} and "Replicas" in changed
    regions = sorted(r["Region"] for r in new_props["Replicas"])
    assert regions == ["us-east-1", "us-west-2"]
    assert old_props["TableName"] == new_props["TableName"]


# -- AWS Backup ---------------------------------------------------------------------------------


@pytest.mark.checklist("002#66", "002#67")
def test_a_daily_plan_keeps_30_days_and_copies_to_the_dr_vault(full: SynthResult) -> None:
    (plan,) = _resources(full, "Primary", "AWS::Backup::BackupPlan").values()
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["ScheduleExpression"] == "cron(0 5 * * ? *)"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 30}
    assert rule["EnableContinuousBackup"] is True
    (copy,) = rule["CopyActions"]
    assert copy["Lifecycle"] == {"DeleteAfterDays": 30}
    dr_vault = next(iter(_resources(full, "PrimaryDr", "AWS::Backup::BackupVault").values()))
    name = dr_vault["Properties"]["BackupVaultName"]
    assert name in str(copy["DestinationBackupVaultArn"])
    assert "us-east-1" in str(copy["DestinationBackupVaultArn"])


def test_both_vaults_use_a_rotating_kms_key_and_the_lock(full: SynthResult) -> None:
    for stack in ("Primary", "PrimaryDr"):
        (vault,) = _resources(full, stack, "AWS::Backup::BackupVault").values()
        assert "EncryptionKeyArn" in vault["Properties"]
        assert vault["Properties"]["LockConfiguration"] == {"MinRetentionDays": 7}
        keys = _resources(full, stack, "AWS::KMS::Key").values()
        assert any(k["Properties"].get("EnableKeyRotation") for k in keys)


@pytest.mark.checklist("002#66")
def test_selections_by_resource_and_by_tag(full: SynthResult) -> None:
    selections = [
        v["Properties"]["BackupSelection"]
        for v in _resources(full, "Primary", "AWS::Backup::BackupSelection").values()
    ]
    by_name = {s["SelectionName"]: s for s in selections}
    resources = str(next(s for n, s in by_name.items() if "Resources" in n)["Resources"])
    assert "UsersTable" in resources and "DataBucket" in resources
    tagged = next(s for n, s in by_name.items() if "Tagged" in n)
    assert tagged["ListOfTags"] == [
        {"ConditionKey": "backup", "ConditionValue": "daily", "ConditionType": "STRINGEQUALS"}
    ]


def test_failed_jobs_are_matched_and_alarmed(full: SynthResult) -> None:
    full.template("Primary").has_resource_properties(
        "AWS::Events::Rule",
        {"EventPattern": Match.object_like({"source": ["aws.backup"]})},
    )
    alarms = _resources(full, "Primary", "AWS::CloudWatch::Alarm").values()
    metrics = {a["Properties"].get("MetricName") for a in alarms}
    assert {
        "OperationsFailedReplication",
        "ReplicationLatency",
        "NumberOfBackupJobsFailed",
        "NumberOfCopyJobsFailed",
    } <= metrics


@pytest.mark.checklist("002#65")
def test_rpo_and_rto_are_recorded_as_outputs(full: SynthResult) -> None:
    outputs = full.template_json("Primary")["Outputs"]
    values = {
        k.removeprefix("Dr").rstrip("0123456789ABCDEF"): v["Value"] for k, v in outputs.items()
    }
    assert values["Rpo"] == "1 day" and values["Rto"] == "1 hour"


def test_failed_jobs_go_to_the_topic(full: SynthResult) -> None:
    rules = [
        v["Properties"]
        for v in full.template_json("Primary")["Resources"].values()
        if v["Type"] == "AWS::Events::Rule"
    ]
    (rule,) = [r for r in rules if r["EventPattern"].get("source") == ["aws.backup"]]
    assert rule["EventPattern"]["detail"] == {"state": ["FAILED", "ABORTED", "EXPIRED"]}
    assert "WatchAlertTopic" in str(rule["Targets"]) or "Topic" in str(rule["Targets"])


def test_outputs_and_exports(full: SynthResult) -> None:
    outputs = full.template_json("Primary")["Outputs"]
    exports = {v.get("Export", {}).get("Name") for v in outputs.values()}
    assert {"ListBackup-Dr-BackupVaultArn", "ListBackup-Dr-BackupPlanId"} <= exports


# -- compliance ---------------------------------------------------------------------------------


def test_nag_clean_with_the_backup_role_acknowledged(full: SynthResult) -> None:
    import json

    assert [str(f) for f in full.findings] == []
    metadata = json.loads((full.outdir / "Primary.metadata.json").read_text())
    iam4: dict[str, list[str]] = {}
    for path, entries in metadata.items():
        for entry in entries:
            if entry["type"] == "aws:cdk:acknowledged-rules":
                rules = [rule for rule in entry["data"] if "IAM4" in rule]
                if rules:
                    iam4.setdefault(path, []).extend(rules)
    assert list(iam4) == ["/Primary/Dr/BackupRole"]  # that one role, nothing wider
    assert any("AWSBackupServiceRolePolicyForBackup" in r for r in iam4["/Primary/Dr/BackupRole"])


# -- bad input ----------------------------------------------------------------------------------


def _attempt(build: Any, region: str | None = "us-west-2") -> PropError:
    app = App()
    stack = Stack(app, "S", env=Environment(account=ACCOUNT, region=region))
    with pytest.raises(PropError) as info:
        build(stack)
    return info.value


def _table_v1(stack: Stack) -> dynamodb.Table:
    return dynamodb.Table(
        stack, "V1", partition_key=dynamodb.Attribute(name="k", type=dynamodb.AttributeType.STRING)
    )


@pytest.mark.parametrize(
    ("case", "build", "prop"),
    [
        ("same region", lambda s: DrReplication(s, "Dr", dr_region="us-west-2"), "dr_region"),
        ("unknown region", lambda s: DrReplication(s, "Dr", dr_region="us-middle-1"), "dr_region"),
        ("missing region", lambda s: DrReplication(s, "Dr"), "dr_region"),
        (
            "unversioned bucket",
            lambda s: DrReplication(s, "Dr", dr_region="us-east-1", buckets=[s3.Bucket(s, "B")]),
            "buckets[0]",
        ),
        (
            "not a TableV2",
            lambda s: DrReplication(s, "Dr", dr_region="us-east-1", tables=[_table_v1(s)]),
            "tables[0]",
        ),
        (
            "retention shorter than the copy's",
            lambda s: DrReplication(
                s,
                "Dr",
                dr_region="us-east-1",
                retention=Duration.days(7),
                copy_retention=Duration.days(14),
            ),
            "retention",
        ),
        (
            "wrong python type",
            lambda s: DrReplication(s, "Dr", dr_region="us-east-1", replicate_deletes="yes"),  # type: ignore[arg-type]
            "replicate_deletes",
        ),
        (
            "unknown prop",
            lambda s: DrReplication(s, "Dr", dr_region="us-east-1", regions=["x"]),  # type: ignore[call-arg]
            "regions",
        ),
    ],
)
def test_bad_input_fails_at_synth(case: str, build: Any, prop: str) -> None:
    error = _attempt(build)
    assert error.prop == prop, (case, str(error))
    assert "DrReplication S/Dr" in str(error)


def test_a_dr_stack_in_another_region_is_refused() -> None:
    def build(stack: Stack) -> None:
        app = stack.node.root
        assert isinstance(app, App)
        other = Stack(app, "Other", env=Environment(account=ACCOUNT, region="eu-west-1"))
        DrReplication(stack, "Dr", dr_region="us-east-1", dr_stack=other)

    assert _attempt(build).prop == "dr_stack"


def test_a_stack_without_region_is_refused() -> None:
    app = App()
    stack = Stack(app, "S")
    with pytest.raises(PropError, match="explicit region"):
        DrReplication(stack, "Dr", dr_region="us-east-1")


def test_every_problem_is_reported_at_once() -> None:
    def build(stack: Stack) -> None:
        DrReplication(
            stack, "Dr", dr_region="us-west-2", tables=[_table_v1(stack)],
            buckets=[s3.Bucket(stack, "B", removal_policy=RemovalPolicy.DESTROY)],
            retention=Duration.days(1), copy_retention=Duration.days(2),
        )  # fmt: skip

    error = _attempt(build)
    assert isinstance(error, PropErrors)
    assert {e.prop for e in error.errors} == {"dr_region", "tables[0]", "buckets[0]", "retention"}


def test_names_need_a_naming_strategy_which_is_reported_before_building() -> None:
    stack = Stack(App(), "S", env=Environment(account=ACCOUNT, region="us-west-2"))
    with pytest.raises(PropError, match="no naming strategy") as info:
        DrReplication(stack, "Dr", dr_region="us-east-1")
    assert info.value.prop == "naming"
    assert not [c for c in stack.node.find_all() if "Backup" in c.node.id]


def test_tables_only_without_backup_need_no_platform_configuration() -> None:
    app = App()
    stack = Stack(app, "S", env=Environment(account=ACCOUNT, region="us-west-2"))
    table = dynamodb.TableV2(
        stack, "T", partition_key=dynamodb.Attribute(name="k", type=dynamodb.AttributeType.STRING)
    )
    dr = DrReplication(
        stack, "Dr", dr_region="eu-west-1", tables=[table], backup=False,
        stage_profile=StageProfile.for_stage("dev"),
    )  # fmt: skip
    assert dr.backup_vault is None and dr.replication_role is None
    assert dr.dr_stack.region == "eu-west-1"
