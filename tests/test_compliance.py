"""cdk-nag wiring, scoped acknowledgements and the prod data-protection check."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from aws_cdk import App, RemovalPolicy, Stack, Stage
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from petplatform_constructs import NagPack, PropError, acknowledge, mark_stateful
from petplatform_constructs.platform.compliance import find_data_protection_gaps
from petplatform_constructs.testing import SynthResult

REASON = "Access logs of this bucket are collected by the organisation trail."


def _two_buckets(stack: Stack) -> None:
    kept = s3.Bucket(stack, "Acknowledged", enforce_ssl=True)
    s3.Bucket(stack, "Plain", enforce_ssl=True)
    acknowledge(kept, "AwsSolutions-S1", REASON)


def test_acknowledgement_covers_exactly_one_resource(
    stack_synth: Callable[..., SynthResult],
) -> None:
    result = stack_synth("two-buckets", _two_buckets)
    s1 = [f for f in result.findings if f.rule == "AwsSolutions-S1"]
    assert [f.path for f in s1] == ["Test/Plain/Resource"]
    assert s1[0].plugin == "AwsSolutions"


def test_extra_packs_can_be_asked_for(stack_synth: Callable[..., SynthResult]) -> None:
    result = stack_synth(
        "nist", _two_buckets, packs=(NagPack.AWS_SOLUTIONS, NagPack.NIST_800_53_R5, NagPack.HIPAA)
    )
    plugins = {f.plugin for f in result.findings}
    assert {"AwsSolutions", "NIST.800.53.R5", "HIPAA.Security"} <= plugins


def test_no_packs_means_no_findings(stack_synth: Callable[..., SynthResult]) -> None:
    assert stack_synth("no-packs", _two_buckets, packs=()).findings == []


@pytest.mark.parametrize("scope_kind", ["app", "stage", "stack"])
def test_acknowledging_a_whole_scope_is_refused(scope_kind: str) -> None:
    app = App()
    scope = {"app": lambda: app, "stage": lambda: Stage(app, "P"), "stack": lambda: Stack(app, "S")}
    with pytest.raises(PropError, match=r"scoped to one resource, never to an app, stage or stack"):
        acknowledge(scope[scope_kind](), "AwsSolutions-S1", REASON)


def test_acknowledgement_needs_a_real_reason() -> None:
    bucket = s3.Bucket(Stack(App(), "S"), "B")
    with pytest.raises(PropError, match=r"reason='because'; give a real reason of at least 20"):
        acknowledge(bucket, "AwsSolutions-S1", "because")


def test_acknowledgement_needs_a_rule_id() -> None:
    bucket = s3.Bucket(Stack(App(), "S"), "B")
    with pytest.raises(PropError, match=r"rule_id=' '; give a rule id"):
        acknowledge(bucket, " ", REASON)


# -- data protection ------------------------------------------------------------------------


def _stateful(removal: RemovalPolicy, protect: bool) -> Callable[[Stack], None]:
    def build(stack: Stack) -> None:
        ddb.TableV2(
            stack,
            "Table",
            partition_key=ddb.Attribute(name="id", type=ddb.AttributeType.STRING),
            removal_policy=removal,
            deletion_protection=protect,
            point_in_time_recovery_specification=ddb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
        )
        cognito.UserPool(
            stack,
            "Pool",
            removal_policy=removal,
            deletion_protection=protect,
        )
        s3.Bucket(stack, "Bucket", removal_policy=removal, enforce_ssl=True)

    return build


def _data_protection(result: SynthResult) -> set[tuple[str, str]]:
    return {(f.rule, f.path.split("/")[1]) for f in result.findings if f.plugin == "DataProtection"}


def test_prod_fails_when_stateful_resources_can_be_lost(
    stack_synth: Callable[..., SynthResult],
) -> None:
    result = stack_synth("dp-unsafe", _stateful(RemovalPolicy.DESTROY, False), stage="prod")
    assert _data_protection(result) == {
        ("PP-DP1", "Table"), ("PP-DP2", "Table"), ("PP-DP3", "Table"),
        ("PP-DP1", "Pool"), ("PP-DP2", "Pool"), ("PP-DP3", "Pool"),
        ("PP-DP1", "Bucket"), ("PP-DP2", "Bucket"),
    }  # fmt: skip
    assert result.error is not None and "ValidationFailed" in result.error


def test_prod_passes_when_retained_and_protected(stack_synth: Callable[..., SynthResult]) -> None:
    result = stack_synth("dp-safe", _stateful(RemovalPolicy.RETAIN, True), stage="prod")
    assert _data_protection(result) == set()


def test_dev_is_not_checked(stack_synth: Callable[..., SynthResult]) -> None:
    result = stack_synth("dp-unsafe", _stateful(RemovalPolicy.DESTROY, False), stage="dev")
    assert _data_protection(result) == set()


def _template(tmp_path: Path, resources: dict[str, object]) -> str:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Resources": resources}))
    return str(path)


def test_snapshot_counts_as_kept_and_unmarked_log_groups_are_ignored(tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        {
            "Db": {
                "Type": "AWS::RDS::DBCluster",
                "DeletionPolicy": "Snapshot",
                "UpdateReplacePolicy": "Snapshot",
                "Properties": {"DeletionProtection": True},
            },
            "Topic": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Delete"},
        },
    )
    assert list(find_data_protection_gaps(path)) == []


def _logs_and_queues(stack: Stack) -> None:
    logs.LogGroup(stack, "Audit", removal_policy=RemovalPolicy.RETAIN)
    logs.LogGroup(
        stack, "Kept", removal_policy=RemovalPolicy.RETAIN, deletion_protection_enabled=True
    )
    logs.LogGroup(stack, "AppLogs", removal_policy=RemovalPolicy.DESTROY)
    sqs.Queue(stack, "Jobs", enforce_ssl=True, removal_policy=RemovalPolicy.DESTROY)
    sqs.Queue(stack, "KeptJobs", enforce_ssl=True, removal_policy=RemovalPolicy.RETAIN)
    mark_stateful(sns.Topic(stack, "Marked", enforce_ssl=True))


def test_log_groups_queues_and_marked_resources_are_checked(
    stack_synth: Callable[..., SynthResult],
) -> None:
    result = stack_synth("logs-and-queues", _logs_and_queues, stage="prod")
    gaps = sorted(
        (f.rule, f.path.removeprefix("Test/").removesuffix("/Resource"))
        for f in result.findings
        if f.plugin == "DataProtection"
    )
    assert gaps == [
        ("PP-DP1", "AppLogs"),
        ("PP-DP1", "Jobs"),
        ("PP-DP1", "Marked"),
        ("PP-DP2", "AppLogs"),
        ("PP-DP2", "Jobs"),
        ("PP-DP2", "Marked"),
        ("PP-DP3", "AppLogs"),
        ("PP-DP3", "Audit"),
    ]


def test_global_table_needs_protection_on_every_replica(tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        {
            "T": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "Replicas": [
                        {"Region": "us-east-1", "DeletionProtectionEnabled": True},
                        {"Region": "us-west-2"},
                    ]
                },
            }
        },
    )
    assert [g.rule for g in find_data_protection_gaps(path)] == ["PP-DP3"]


def test_mark_stateful_needs_a_cloudformation_resource() -> None:
    with pytest.raises(PropError, match=r"mark_stateful: invalid construct='S'"):
        mark_stateful(Stack(App(), "S"))
