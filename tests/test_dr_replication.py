"""DrReplication: S3 replication, TableV2 replicas, AWS Backup, alarms, nag and bad input."""

from __future__ import annotations

import json
from typing import Any

import jsii
import pytest
from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match

from petplatform_constructs import (
    DataTable,
    DnsFailover,
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
        dns_failover=DnsFailover(
            zone=_zone(stack),
            record_name="files",
            primary="files.us-west-2.listbackup.ai",
            secondary="files.us-east-1.listbackup.ai",
        ),
    )
    pack.watch(dr)
    return synth(app)


ZONE_ID = "Z0123456789ABCDEFGHIJ"


def _zone(scope: Stack) -> route53.IHostedZone:
    return route53.HostedZone.from_hosted_zone_attributes(
        scope, "Zone", hosted_zone_id=ZONE_ID, zone_name="listbackup.ai"
    )


@jsii.implements(route53.IAliasRecordTarget)
class ApiDomain:
    """A regional API's domain as an alias target (what ``targets.ApiGatewayDomain`` binds to)."""

    def __init__(self, region: str) -> None:
        self.dns_name = f"d-{region}.execute-api.{region}.amazonaws.com"

    def bind(
        self, record: route53.IRecordSet, zone: route53.IHostedZone | None = None
    ) -> route53.AliasRecordTargetConfig:
        return route53.AliasRecordTargetConfig(dns_name=self.dns_name, hosted_zone_id="ZAPI")


def build_multi_region() -> SynthResult:
    """Both regions serve: latency records in front of a failover pair per region; no RTC."""
    app = _app()
    stack = Stack(app, "Primary", env=WEST)
    table, bucket = _data(stack)
    pack = ObservabilityPack(
        stack, "Watch", alarm_email_addresses=["ops@example.com"], alarms_enabled=True
    )
    alias = route53.RecordTarget.from_alias
    dr = DrReplication(
        stack,
        "Dr",
        dr_region="us-east-1",
        tables=[table],
        buckets=[bucket],
        dns_failover=DnsFailover(
            zone=_zone(stack),
            record_name="api.listbackup.ai",
            primary=alias(ApiDomain("us-west-2")),
            secondary=alias(ApiDomain("us-east-1")),
            health_check_path="/api/health",
            latency=True,
        ),
    )
    pack.watch(dr)
    return synth(app)


@pytest.fixture(scope="module")
def before(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("dr", "before"), build_primary_only)


@pytest.fixture(scope="module")
def full(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("dr", "full"), build_full)


@pytest.fixture(scope="module")
def multi_region(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("dr", "multi-region"), build_multi_region)


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


# -- replication metrics without RTC --------------------------------------------------------------


def _destination(result: SynthResult) -> JsonDict:
    (config,) = [
        v["Properties"]["ReplicationConfiguration"]
        for v in _resources(result, "Primary", "AWS::S3::Bucket").values()
        if "ReplicationConfiguration" in v["Properties"]
    ]
    destination: JsonDict = config["Rules"][0]["Destination"]
    return destination


def _alarm_metrics(result: SynthResult) -> set[str]:
    alarms = _resources(result, "Primary", "AWS::CloudWatch::Alarm").values()
    return {a["Properties"].get("MetricName") for a in alarms}


def test_replication_metrics_are_on_without_rtc_and_failures_alarm(
    multi_region: SynthResult,
) -> None:
    destination = _destination(multi_region)
    assert destination["Metrics"] == {"Status": "Enabled"}  # no EventThreshold: that is RTC's
    assert "ReplicationTime" not in destination
    metrics = _alarm_metrics(multi_region)
    assert "OperationsFailedReplication" in metrics
    assert "ReplicationLatency" not in metrics  # no time objective to alarm on without RTC


def test_rtc_adds_the_15_minute_threshold_and_the_latency_alarm(full: SynthResult) -> None:
    destination = _destination(full)
    assert destination["Metrics"] == {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
    assert {"OperationsFailedReplication", "ReplicationLatency"} <= _alarm_metrics(full)


def test_replication_metrics_can_be_turned_off_but_not_under_rtc() -> None:
    def build(stack: Stack) -> None:
        _, bucket = _data(stack)
        DrReplication(
            stack, "Dr", dr_region="us-east-1", buckets=[bucket], backup=False,
            replication_time_control=True, replication_metrics=False,
        )  # fmt: skip

    app = _app()
    with pytest.raises(PropError, match="RTC requires replication metrics") as info:
        build(Stack(app, "S", env=WEST))
    assert info.value.prop == "replication_metrics"


# -- Route 53 failover and latency routing --------------------------------------------------------


def _records(result: SynthResult, stack: str) -> list[JsonDict]:
    return [v["Properties"] for v in _resources(result, stack, "AWS::Route53::RecordSet").values()]


@pytest.mark.checklist("003#17")
def test_failover_records_primary_with_a_health_check_secondary_in_the_dr_stack(
    full: SynthResult,
) -> None:
    (primary,) = _records(full, "Primary")
    (secondary,) = _records(full, "PrimaryDr")
    for record in (primary, secondary):
        assert record["Name"] == "files.listbackup.ai."
        assert record["Type"] == "CNAME" and record["HostedZoneId"] == ZONE_ID
    assert primary["Failover"] == "PRIMARY"
    assert primary["ResourceRecords"] == ["files.us-west-2.listbackup.ai"]
    assert secondary["Failover"] == "SECONDARY" and "HealthCheckId" not in secondary
    assert secondary["ResourceRecords"] == ["files.us-east-1.listbackup.ai"]
    assert primary["SetIdentifier"] != secondary["SetIdentifier"]
    checks = _resources(full, "Primary", "AWS::Route53::HealthCheck")
    (check_id,) = checks
    assert primary["HealthCheckId"] == {"Ref": check_id}
    config = checks[check_id]["Properties"]["HealthCheckConfig"]
    assert (config["Type"], config["FullyQualifiedDomainName"], config["ResourcePath"]) == (
        "HTTPS", "files.us-west-2.listbackup.ai", "/health"
    )  # fmt: skip


@pytest.mark.checklist("003#17", "003#18")
def test_latency_records_front_one_failover_pair_per_region(multi_region: SynthResult) -> None:
    west, east = _records(multi_region, "Primary"), _records(multi_region, "PrimaryDr")
    by_name: dict[str, list[JsonDict]] = {}
    for record in west + east:
        by_name.setdefault(record["Name"], []).append(record)
    latency = by_name.pop("api.listbackup.ai.")
    assert sorted(r["Region"] for r in latency) == ["us-east-1", "us-west-2"]
    for record in latency:  # each latency record is an alias to its region's failover pair
        assert record["AliasTarget"] == {
            "DNSName": f"{record['Region']}.api.listbackup.ai",
            "HostedZoneId": ZONE_ID,
            "EvaluateTargetHealth": True,
        }
    for region, other in (("us-west-2", "us-east-1"), ("us-east-1", "us-west-2")):
        pair = {r["Failover"]: r for r in by_name.pop(f"{region}.api.listbackup.ai.")}
        assert (
            pair["PRIMARY"]["AliasTarget"]["DNSName"]
            == f"d-{region}.execute-api.{region}.amazonaws.com"
        )
        assert "HealthCheckId" in pair["PRIMARY"]
        assert (
            pair["SECONDARY"]["AliasTarget"]["DNSName"]
            == f"d-{other}.execute-api.{other}.amazonaws.com"
        )
    assert by_name == {}
    for stack in ("Primary", "PrimaryDr"):  # each region's endpoint is checked in its stack
        (check,) = _resources(multi_region, stack, "AWS::Route53::HealthCheck").values()
        assert check["Properties"]["HealthCheckConfig"]["ResourcePath"] == "/api/health"


def test_no_routing_unless_configured(before: SynthResult, multi_region: SynthResult) -> None:
    assert _resources(before, "Primary", "AWS::Route53::RecordSet") == {}
    assert [str(f) for f in multi_region.findings] == []


def _failover(**overrides: Any) -> Any:
    def build(stack: Stack) -> None:
        zone = overrides.pop("zone", None) or _zone(stack)
        fields: JsonDict = {
            "zone": zone, "record_name": "api", "primary": "a.listbackup.ai",
            "secondary": "b.listbackup.ai", **overrides,
        }  # fmt: skip
        DrReplication(
            stack, "Dr", dr_region="us-east-1", backup=False, dns_failover=DnsFailover(**fields),
            stage_profile=StageProfile.for_stage("dev"),
        )  # fmt: skip

    return build


@pytest.mark.parametrize(
    ("case", "overrides", "prop"),
    [
        ("mixed target kinds", {"secondary": "ALIAS"}, "dns_failover.secondary"),
        ("a CNAME at the apex", {"record_name": "listbackup.ai"}, "dns_failover.primary"),
        ("a bad domain", {"primary": "Not A Domain"}, "dns_failover.primary"),
        (
            "a relative health path",
            {"health_check_path": "health"},
            "dns_failover.health_check_path",
        ),
        ("a wrong field type", {"latency": "yes"}, "dns_failover.latency"),
        (
            "values, not an alias",
            {"primary": "VALUES", "secondary": "VALUES"},
            "dns_failover.primary",
        ),
    ],
)
def test_bad_dns_failover_fails_at_synth(case: str, overrides: JsonDict, prop: str) -> None:
    for side in ("primary", "secondary"):
        if overrides.get(side) == "ALIAS":
            overrides[side] = route53.RecordTarget.from_alias(ApiDomain("us-east-1"))
        elif overrides.get(side) == "VALUES":
            overrides[side] = route53.RecordTarget.from_ip_addresses("192.0.2.1")
    error = _attempt(_failover(**overrides))
    props = {e.prop for e in error.errors} if isinstance(error, PropErrors) else {error.prop}
    assert prop in props, (case, str(error))


def test_a_zone_without_its_name_is_refused() -> None:
    def build(stack: Stack) -> None:
        zone = route53.HostedZone.from_hosted_zone_id(stack, "Z", ZONE_ID)
        _failover(zone=zone)(stack)

    assert _attempt(build).prop == "dns_failover.zone"


# -- key scoping ----------------------------------------------------------------------------------


def test_every_service_principal_uses_keys_for_this_account_only(full: SynthResult) -> None:
    scoped = 0
    for stack in ("Primary", "PrimaryDr"):
        for key in _resources(full, stack, "AWS::KMS::Key").values():
            for statement in key["Properties"]["KeyPolicy"]["Statement"]:
                if "Service" not in statement["Principal"]:
                    continue
                conditions = statement.get("Condition", {})
                assert conditions["StringEquals"]["aws:SourceAccount"] == ACCOUNT, statement
                scoped += 1
    assert scoped >= 2  # CloudWatch alarms and EventBridge rules publish to the alert topic
    (events,) = [
        s
        for key in _resources(full, "Primary", "AWS::KMS::Key").values()
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s["Principal"].get("Service") == "events.amazonaws.com"
    ]
    arns = json.dumps(events["Condition"]["ArnLike"])
    assert ":events:us-west-2:123456789012:rule/*" in arns  # this account's rules
    assert ":sns:us-west-2:123456789012:*" in arns  # and topics, through the encryption context
    assert set(events["Condition"]["ArnLike"]) == {
        "aws:SourceArn",
        "kms:EncryptionContext:aws:sns:topicArn",
    }


def test_the_topic_accepts_eventbridge_only_from_the_failed_job_rule(full: SynthResult) -> None:
    (policy,) = _resources(full, "Primary", "AWS::SNS::TopicPolicy").values()
    (rule_id,) = [
        k for k, v in _resources(full, "Primary", "AWS::Events::Rule").items()
        if v["Properties"]["EventPattern"].get("source") == ["aws.backup"]
    ]  # fmt: skip
    (statement,) = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Principal"] == {"Service": "events.amazonaws.com"}
    ]  # fmt: skip
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}},
    }
