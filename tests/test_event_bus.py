"""EventBus: bus, archive, schema discovery, policy, rules as data, alarms and bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from petplatform_constructs import (
    EventBus,
    FifoPipeline,
    FunctionTarget,
    LogGroupTarget,
    Naming,
    ObservabilityPack,
    PropError,
    QueueTarget,
    RuleSpec,
    StageProfile,
    use_naming,
    use_stage_profile,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.testing import SynthResult, make_app

Synth = Callable[..., SynthResult]
CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
SYNC = {"source": ["listbackup.sync"], "detail-type": ["SyncRequested"]}


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def build(stack: Stack) -> None:
    use_naming(stack, Naming.templated("listbackup-{resource}-{stage}", stage="dev"))
    pipeline = FifoPipeline(stack, "Sync", name="sync-queue")
    indexer = lambda_.Function(
        stack,
        "Indexer",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="app.handler",
        code=lambda_.Code.from_asset(str(CODE)),
    )
    audit = logs.LogGroup(stack, "Audit", retention=logs.RetentionDays.ONE_MONTH)
    bus = EventBus(
        stack,
        "Events",
        name="events",
        rules=[
            RuleSpec("sync", SYNC, [QueueTarget(pipeline, message_group_id="sync")]),
            RuleSpec(
                "restaurant-updated",
                {"source": ["bellyfed.restaurants"], "detail": {"kind": [{"prefix": "upd"}]}},
                [FunctionTarget(indexer), LogGroupTarget(audit)],
                retry_attempts=3,
                max_event_age=Duration.hours(2),
            ),
        ],
        policy_statements=[
            iam.PolicyStatement(
                sid="Organization",
                actions=["events:PutEvents"],
                principals=[iam.AnyPrincipal()],
                resources=["*"],
                conditions={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            )
        ],
        export_prefix="ListBackup-Events",
    )
    bus.grant_put_events(indexer)
    ObservabilityPack(stack, "Ops", watch=[bus], alarms_enabled=True)


@pytest.fixture(scope="module")
def result(stack_synth: Synth) -> SynthResult:
    return stack_synth("event-bus", build)


@pytest.fixture(scope="module")
def template(result: SynthResult) -> dict[str, Any]:
    return result.template_json("Test")


@pytest.mark.checklist("002#41", "003#45")
def test_a_custom_bus_named_by_the_strategy(template: dict[str, Any]) -> None:
    (bus,) = _resources(template, "AWS::Events::EventBus").values()
    assert bus["Properties"]["Name"] == "listbackup-events-dev"


@pytest.mark.checklist("002#42", "002#43")
def test_an_archive_of_the_bus_with_retention(template: dict[str, Any]) -> None:
    (archive,) = _resources(template, "AWS::Events::Archive").values()
    props = archive["Properties"]
    assert props["SourceArn"] == {"Fn::GetAtt": [_bus_id(template), "Arn"]}
    assert props["RetentionDays"] == 7
    assert props["EventPattern"] == {"account": ["123456789012"]}


def _bus_id(template: dict[str, Any]) -> str:
    return next(iter(_resources(template, "AWS::Events::EventBus")))


@pytest.mark.checklist("002#44")
def test_schema_discovery(template: dict[str, Any]) -> None:
    (discoverer,) = _resources(template, "AWS::EventSchemas::Discoverer").values()
    assert discoverer["Properties"]["SourceArn"] == {"Fn::GetAtt": [_bus_id(template), "Arn"]}


def test_the_bus_policy_keeps_its_condition(template: dict[str, Any]) -> None:
    (policy,) = _resources(template, "AWS::Events::EventBusPolicy").values()
    statement = policy["Properties"]["Statement"]
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}


@pytest.mark.checklist("003#46")
def test_rules_route_to_typed_targets_with_dead_letters_and_retries(
    template: dict[str, Any],
) -> None:
    rules = {
        r["Properties"]["EventPattern"]["source"][0]: r["Properties"]
        for r in _resources(template, "AWS::Events::Rule").values()
    }
    sync = rules["listbackup.sync"]
    assert sync["EventBusName"] == {"Ref": _bus_id(template)}
    assert sync["EventPattern"]["detail-type"] == ["SyncRequested"]
    (target,) = sync["Targets"]
    assert target["SqsParameters"] == {"MessageGroupId": "sync"}
    assert "DeadLetterConfig" in target
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    restaurants = rules["bellyfed.restaurants"]
    assert restaurants["EventPattern"]["detail"] == {"kind": [{"prefix": "upd"}]}
    assert len(restaurants["Targets"]) == 2
    for target in restaurants["Targets"]:
        assert target["RetryPolicy"] == {
            "MaximumEventAgeInSeconds": 7200,
            "MaximumRetryAttempts": 3,
        }
        assert "DeadLetterConfig" in target
    assert ":log-group:" in str(restaurants["Targets"][1]["Arn"])
    assert len(_resources(template, "AWS::Logs::ResourcePolicy")) == 1


def test_the_queue_policy_lets_only_the_rule_send(template: dict[str, Any]) -> None:
    statements = [
        s
        for p in _resources(template, "AWS::SQS::QueuePolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "events.amazonaws.com"}
    ]
    assert len(statements) == 4  # the FIFO queue and the three dead-letter queue grants
    assert all("aws:SourceArn" in str(s["Condition"]) for s in statements)


@pytest.mark.checklist("002#93")
def test_put_events_grant(template: dict[str, Any]) -> None:
    policies = _resources(template, "AWS::IAM::Policy")
    actions = [
        s["Action"]
        for p in policies.values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert "events:PutEvents" in actions


def test_failed_invocation_alarms_per_rule(template: dict[str, Any]) -> None:
    alarms = [r["Properties"] for r in _resources(template, "AWS::CloudWatch::Alarm").values()]
    failed = [a for a in alarms if a.get("MetricName") == "FailedInvocations"]
    assert len(failed) == 2
    dead_letters = [
        a for a in alarms if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    assert len(dead_letters) == 2


def _bus_and_a_plain_queue(stack: Stack) -> None:
    target = sqs.Queue(stack, "Target", enforce_ssl=True)  # no dead-letter queue: SQS3
    EventBus(
        stack, "Events", event_bus_name="sqs3", rules=[RuleSpec("r", SYNC, [QueueTarget(target)])]
    )


def test_sqs3_is_acknowledged_on_the_rule_dead_letter_queue_only(stack_synth: Synth) -> None:
    findings = stack_synth("event-bus-sqs3", _bus_and_a_plain_queue).findings
    sqs3 = [f.path for f in findings if f.rule == "AwsSolutions-SQS3"]
    assert sqs3 == ["Test/Target/Resource"]


def test_no_unacknowledged_findings(result: SynthResult) -> None:
    # The test's own plain Lambda function (managed policy, runtime) is not the library's.
    assert [f for f in result.findings if not f.path.startswith("Test/Indexer/")] == []


# -- bad input ---------------------------------------------------------------------------------


def _stack() -> Stack:
    return Stack(make_app(), "Bad", env=Environment(account="123456789012", region="us-east-1"))


def _fifo(stack: Stack) -> sqs.IQueue:
    return sqs.Queue.from_queue_arn(stack, "Fifo", "arn:aws:sqs:us-east-1:123456789012:x.fifo")


@pytest.mark.parametrize(
    ("rules", "extra", "prop", "fragment"),
    [
        ([RuleSpec("r", {}, [])], {}, "rules[r].event_pattern", "non-empty"),
        ([RuleSpec("r", {"sources": ["a"]}, [])], {}, "rules[r].event_pattern", "top-level"),
        ([RuleSpec("r", {"source": "a"}, [])], {}, "rules[r].event_pattern[source]", "list"),
        ([RuleSpec("r", SYNC, [])], {}, "rules[r].targets", "1 to 5"),
        ([RuleSpec("r", SYNC, [])] * 2, {}, "rules[].name", "unique"),
        ([], {"archive_retention_days": -1}, "archive_retention_days", "0 (keep"),
        (
            [],
            {
                "policy_statements": [
                    iam.PolicyStatement(
                        actions=["events:PutEvents"],
                        principals=[iam.AnyPrincipal()],
                        resources=["*"],
                    )
                ]
            },
            "policy_statements[0]",
            "condition",
        ),
        ([], {"archive": "yes"}, "archive", "bool"),
    ],
)
def test_bad_input_fails_at_synth(
    rules: list[RuleSpec], extra: dict[str, Any], prop: str, fragment: str
) -> None:
    with pytest.raises(PropError) as raised:
        EventBus(_stack(), "Bad", event_bus_name="bad", rules=rules, **extra)
    errors = getattr(raised.value, "errors", [raised.value])
    assert any(e.prop == prop and fragment in e.allowed for e in errors), errors


def test_a_fifo_target_needs_a_message_group_id() -> None:
    stack = _stack()
    with pytest.raises(PropError, match="message_group_id"):
        EventBus(
            stack,
            "Bad",
            event_bus_name="bad",
            rules=[RuleSpec("r", SYNC, [QueueTarget(_fifo(stack))])],
        )


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PropErrors) as raised:
        EventBus(
            _stack(),
            "Bad",
            event_bus_name="bad",
            archive_retention_days=-5,
            rules=[RuleSpec("r", {"nope": ["x"]}, [])],
        )
    assert {e.prop for e in raised.value.errors} >= {
        "archive_retention_days",
        "rules[r].event_pattern",
        "rules[r].targets",
    }


def test_rules_added_later_are_checked_too_on_every_bus() -> None:
    stack = _stack()
    use_stage_profile(stack, StageProfile.for_stage("dev"))
    first = EventBus(stack, "First", event_bus_name="first")
    second = EventBus(stack, "Second", event_bus_name="second")
    target = sqs.Queue(stack, "Target")
    first.add_rule(RuleSpec("r", SYNC, [QueueTarget(target)]))
    second.add_rule(RuleSpec("r", SYNC, [QueueTarget(target)]))  # per bus: no clash
    with pytest.raises(PropError, match="unique per bus"):
        first.add_rule(RuleSpec("r", SYNC, [QueueTarget(target)]))


def test_rules_of_another_stack_attach_to_an_existing_bus() -> None:
    app = make_app()
    use_stage_profile(app, StageProfile.for_stage("dev"))
    env = Environment(account="123456789012", region="us-west-2")
    events_stack, core = Stack(app, "Events", env=env), Stack(app, "Core", env=env)
    bus = EventBus(events_stack, "Bus", event_bus_name="listbackup-dev")
    log_group = logs.LogGroup(core, "JobEvents")
    routed = EventBus(
        core,
        "Rules",
        existing_event_bus=bus.bus,
        rules=[
            RuleSpec(
                "job-completed",
                {"source": ["listbackup.sync"], "detail-type": ["Job Completed"]},
                [LogGroupTarget(log_group)],
            )
        ],
    )
    assert routed.imported and routed.archive is None and routed.discoverer is None
    template = Template.from_stack(core)
    template.resource_count_is("AWS::Events::EventBus", 0)
    template.resource_count_is("AWS::Events::Archive", 0)
    template.resource_count_is("AWS::Events::Rule", 1)
    assert [d.node.id for d in core.dependencies] == ["Events"]


def test_an_existing_bus_takes_no_bus_props() -> None:
    stack = _stack()
    use_stage_profile(stack, StageProfile.for_stage("dev"))
    bus = EventBus(stack, "Bus", event_bus_name="orders")
    with pytest.raises(PropError, match="remove archive, event_bus_name or drop existing_event"):
        EventBus(stack, "Rules", existing_event_bus=bus.bus, event_bus_name="x", archive=False)
