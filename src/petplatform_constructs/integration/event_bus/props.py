"""EventBus's props, declared once, and the rule and target types they use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypedDict

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "EventBusProps",
    "FunctionTarget",
    "LogGroupTarget",
    "QueueTarget",
    "RuleSpec",
    "RuleTarget",
]


@dataclass(frozen=True, eq=False)
class QueueTarget:
    """Deliver matching events to an SQS queue: an ``sqs.IQueue`` or anything with a ``queue``
    (a :class:`~petplatform_constructs.FifoPipeline`).

    Args:
        queue: the queue.
        message_group_id: required for a FIFO queue: the message group of every delivered
            event (EventBridge takes one group id per target; use one rule per group).
    """

    queue: Any
    message_group_id: str | None = None


@dataclass(frozen=True, eq=False)
class FunctionTarget:
    """Invoke a Lambda function asynchronously with each matching event."""

    function: lambda_.IFunction


@dataclass(frozen=True, eq=False)
class LogGroupTarget:
    """Write each matching event to a CloudWatch log group (for auditing a rule)."""

    log_group: logs.ILogGroup


RuleTarget: TypeAlias = QueueTarget | FunctionTarget | LogGroupTarget
"""One target of a rule. ECS task targets come with FargateApi."""


@dataclass(frozen=True, eq=False)
class RuleSpec:
    """One rule of the bus: an event pattern and its targets.

    Args:
        name: unique per bus; the construct id is ``Rule-{name}``.
        event_pattern: the pattern as JSON-like data, e.g.
            ``{"source": ["listbackup.sync"], "detail-type": ["SyncRequested"]}``: top-level
            EventBridge fields, leaves are lists; ``detail`` may nest.
        targets: up to 5 targets; each gets the rule's dead-letter queue and retry policy.
        description: Default none.
        enabled: Default True.
        retry_attempts: retries of a failed delivery, 0-185. Default 185 (EventBridge's).
        max_event_age: how long to retry, 60 s-24 h. Default 24 h.
    """

    name: str
    event_pattern: Mapping[str, Any]
    targets: Sequence[RuleTarget]
    description: str | None = None
    enabled: bool = True
    retry_attempts: int = 185
    max_event_age: Duration | None = None


class EventBusProps(TypedDict, total=False):
    """Every prop of :class:`~petplatform_constructs.EventBus`. ``None`` means the default."""

    existing_event_bus: events.IEventBus
    """Add ``rules`` to a bus created elsewhere (another stack's EventBus ``bus``), so that
    rules live with their targets. Every bus prop is refused. Default none: a bus is created."""
    name: str
    """Short name through the naming strategy in scope. Default: required unless
    ``event_bus_name`` (or ``existing_event_bus``) is given."""
    event_bus_name: str
    """Literal bus name instead of ``name``. Default none."""
    rules: Sequence[RuleSpec]
    """Rules declared as data; names unique. Default none."""
    archive: bool
    """Archive every event of this account on the bus, for replay. Default True."""
    archive_retention_days: int
    """Days the archive keeps events; 0 keeps them indefinitely. Default 365 in prod-like
    stages, 7 elsewhere."""
    schema_discovery: bool
    """Discover event schemas into the ``discovered-schemas`` registry. Default True."""
    policy_statements: Sequence[iam.PolicyStatement]
    """Resource policy statements of the bus; a ``Principal: "*"`` statement must have a
    condition (``aws:PrincipalOrgID``...). Default none."""
    export_prefix: str
    """Export ``{prefix}-EventBusName`` and ``{prefix}-EventBusArn``. Default: none."""
    stage_profile: StageProfile
    """Profile to use instead of the scope default."""
    naming: Naming
    """Naming strategy to use instead of the scope default."""
