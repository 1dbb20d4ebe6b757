"""EventBus: a custom EventBridge bus with an archive, schema discovery and rules as data.

Every rule target gets the rule's dead-letter queue and a retry policy, so an event that cannot
be delivered is kept, not dropped. Replay is an operation, not a resource: ``StartReplay`` from
the archive (see the construct's documentation).
"""

from __future__ import annotations

from typing import Any

import jsii
from aws_cdk import ArnFormat, CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces.aws_events import IRuleRef
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import AlarmRule, Panel, Watcher, WatchPlan
from petplatform_constructs.integration.event_bus.props import (
    EventBusProps,
    FunctionTarget,
    LogGroupTarget,
    QueueTarget,
    RuleSpec,
    RuleTarget,
)
from petplatform_constructs.integration.event_bus.validation import (
    as_queue,
    check_bus,
    check_rules,
)
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["ARCHIVE_CONSTRUCT_ID", "BUS_CONSTRUCT_ID", "EventBus"]

BUS_CONSTRUCT_ID = "Bus"
"""Construct id of the ``events.EventBus``. Public contract: never change it."""
ARCHIVE_CONSTRUCT_ID = "Archive"
"""Construct id of the archive. Public contract: never change it."""

_PROD_ARCHIVE_DAYS = 365
_DEV_ARCHIVE_DAYS = 7


class EventBus(Construct):
    """A custom EventBridge bus, its archive, schema discoverer, policy and rules.

    Stable construct ids: ``Bus``, ``Archive``, ``SchemaDiscoverer``, ``Rule-{name}`` (child
    ``DeadLetterQueue``). Outputs with ``export_prefix``: ``EventBusName``, ``EventBusArn``.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.

    Attributes:
        bus: the ``events.EventBus`` (or the ``existing_event_bus``); ``event_bus_name``,
            ``event_bus_arn``. imported: whether the bus was created elsewhere.
        archive: the ``events.Archive``, if any; ``archive_name`` for ``StartReplay``.
        discoverer: the ``CfnDiscoverer``, if any.
        rules: ``{name: events.Rule}``; ``dead_letter_queues``: ``{name: sqs.Queue}``.
        outputs: CfnOutputs by attribute, with ``export_prefix``.
    """

    def __init__(self, scope: Construct, id: str, **props: Unpack[EventBusProps]) -> None:
        super().__init__(scope, id)
        owner = f"{type(self).__name__} {self.node.path}"
        received = receive(owner, EventBusProps, props)
        problems, valid, rejected = received.problems, received.valid, received.rejected
        name = check_bus(self, problems, valid, rejected)
        problems.raise_if_any()

        self._profile = StageProfile.of(self, valid.get("stage_profile"))
        existing = valid.get("existing_event_bus")
        self.imported = existing is not None
        self.bus: events.IEventBus = existing or events.EventBus(
            self, BUS_CONSTRUCT_ID, event_bus_name=name
        )
        self.event_bus_name = self.bus.event_bus_name
        self.event_bus_arn = self.bus.event_bus_arn
        for statement in valid.get("policy_statements") or ():
            assert isinstance(self.bus, events.EventBus)  # refused with an existing bus
            self.bus.add_to_resource_policy(statement)
        self.archive: events.Archive | None = None
        self.archive_name: str | None = None
        if valid.get("archive") is not False and not self.imported:
            days = valid.get("archive_retention_days")
            if days is None:
                days = _PROD_ARCHIVE_DAYS if self._profile.prod_like else _DEV_ARCHIVE_DAYS
            self.archive = events.Archive(
                self,
                ARCHIVE_CONSTRUCT_ID,
                source_event_bus=self.bus,
                event_pattern=events.EventPattern(account=[Stack.of(self).account]),
                retention=Duration.days(days) if days else None,
                description=f"Every event of {self.node.path}, for replay",
            )
            self.archive_name = self.archive.archive_name
        self.discoverer: eventschemas.CfnDiscoverer | None = None
        if valid.get("schema_discovery") is not False and not self.imported:
            self.discoverer = eventschemas.CfnDiscoverer(
                self,
                "SchemaDiscoverer",
                source_arn=self.bus.event_bus_arn,
                cross_account=False,
                description=f"Schemas of the events on {self.node.path}",
            )
        self.rules: dict[str, events.Rule] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self._rule_specs: list[RuleSpec] = []
        for rule in valid.get("rules") or ():
            self.add_rule(rule)
        self.outputs: dict[str, CfnOutput] = {}
        export_prefix = valid.get("export_prefix")
        if export_prefix is not None:
            self.outputs = add_exports(
                self,
                export_prefix,
                {"EventBusName": self.event_bus_name, "EventBusArn": self.event_bus_arn},
            )

    def add_rule(self, rule: RuleSpec) -> events.Rule:
        """Add one rule (validated like those of ``rules``); return it."""
        problems = Problems(f"{type(self).__name__} {self.node.path}")
        check_rules(problems, [*self._rule_specs, rule])
        problems.raise_if_any()
        scope = Construct(self, f"Rule-{rule.name}")
        dlq = sqs.Queue(
            scope,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=self._profile.removal_policy,
        )
        acknowledge(
            dlq,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of EventBridge rule targets: it holds events "
            "that could not be delivered and is watched by a depth alarm, so it needs no "
            "dead-letter queue of its own.",
        )
        created = events.Rule(
            scope,
            "Rule",
            event_bus=self.bus,
            event_pattern=_pattern(rule.event_pattern),
            description=rule.description,
            enabled=rule.enabled,
            targets=[self._target(target, rule, dlq) for target in rule.targets],
        )
        self.rules[rule.name] = created
        self.dead_letter_queues[rule.name] = dlq
        self._rule_specs.append(rule)
        return created

    def _target(self, target: RuleTarget, rule: RuleSpec, dlq: sqs.IQueue) -> events.IRuleTarget:
        retry: dict[str, Any] = {
            "dead_letter_queue": dlq,
            "retry_attempts": rule.retry_attempts,
            "max_event_age": rule.max_event_age or Duration.hours(24),
        }
        if isinstance(target, QueueTarget):
            queue = as_queue(target.queue)
            assert queue is not None  # validated
            return targets.SqsQueue(queue, message_group_id=target.message_group_id, **retry)
        if isinstance(target, FunctionTarget):
            return targets.LambdaFunction(target.function, **retry)
        assert isinstance(target, LogGroupTarget)
        return _LogGroupRuleTarget(self, target.log_group, rule, dlq)

    # -- public API -------------------------------------------------------------------------
    def grant_put_events(self, grantee: iam.IGrantable) -> iam.Grant:
        """``events:PutEvents`` on this bus."""
        return self.bus.grant_put_events_to(grantee)

    def metric_failed_invocations(
        self, rule: str, *, period: Duration | None = None
    ) -> cloudwatch.Metric:
        """Deliveries of rule ``rule`` that failed for good (``FailedInvocations``)."""
        return cloudwatch.Metric(
            namespace="AWS/Events",
            metric_name="FailedInvocations",
            dimensions_map={
                "EventBusName": self.event_bus_name,
                "RuleName": self.rules[rule].rule_name,
            },
            statistic="Sum",
            period=period or Duration.minutes(5),
        )

    def register_observability(self, watcher: Watcher) -> None:
        """A FailedInvocations alarm per rule, and each rule's dead-letter queue depth."""
        for name, dlq in self.dead_letter_queues.items():
            alarm = AlarmRule(
                id="FailedInvocations",
                metric=self.metric_failed_invocations(name),
                threshold=1,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                summary=f"Rule {name} failed to deliver events to a target.",
                runbook="check the target's permissions and health; undelivered events are "
                "in the rule's dead-letter queue.",
                evaluation_periods=1,
                datapoints_to_alarm=1,
            )
            plan = WatchPlan(
                kind="EventRule",
                title=f"EventBridge rule {name}",
                panels=[Panel("Failed invocations", [alarm.metric], alarm)],
            )
            watcher.add_plan(self.rules[name], plan)
            watcher.watch_queue(dlq, dlq=True)


def _pattern(pattern: Any) -> events.EventPattern:
    """An ``EventPattern`` from JSON-like data (``detail-type`` becomes ``detail_type``)."""
    return events.EventPattern(**{key.replace("-", "_"): value for key, value in pattern.items()})


@jsii.implements(events.IRuleTarget)
class _LogGroupRuleTarget:
    """A log group target without the custom resource of ``targets.CloudWatchLogGroup``: the
    log group's resource policy is a plain ``AWS::Logs::ResourcePolicy``."""

    def __init__(
        self, owner: Construct, log_group: logs.ILogGroup, rule: RuleSpec, dlq: sqs.IQueue
    ) -> None:
        self.owner, self.log_group, self.rule, self.dlq = owner, log_group, rule, dlq

    def bind(self, rule: IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        rule_arn = rule.rule_ref.rule_arn
        arn = Stack.of(self.log_group).format_arn(
            service="logs",
            resource="log-group",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
            resource_name=self.log_group.log_group_name,
        )
        self.dlq.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"AllowEventRule{self.rule.name}",
                actions=["sqs:SendMessage"],
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                resources=[self.dlq.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
            )
        )
        logs.ResourcePolicy(
            self.owner,
            f"LogGroupPolicy-{self.rule.name}",
            policy_statements=[
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    principals=[
                        iam.ServicePrincipal("events.amazonaws.com"),
                        iam.ServicePrincipal("delivery.logs.amazonaws.com"),
                    ],
                    resources=[f"{arn}:*"],
                    conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
                )
            ],
        )
        age = self.rule.max_event_age or Duration.hours(24)
        return events.RuleTargetConfig(
            arn=arn,
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self.dlq.queue_arn),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_retry_attempts=self.rule.retry_attempts,
                maximum_event_age_in_seconds=int(age.to_seconds()),
            ),
        )
