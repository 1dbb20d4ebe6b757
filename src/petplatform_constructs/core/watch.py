"""The observability protocol: a construct describes what to watch; the pack renders it.

A construct that should be watched implements :class:`Observable`: one method,
``register_observability(watcher)``, that hands its parts to the :class:`Watcher` (the pack) as
L2 resources (``watcher.watch_lambda(fn)``) or as a custom :class:`WatchPlan`
(``watcher.add_plan(self, plan)``). The pack imports no construct class, so a new construct
needs no edit in the pack; and no construct imports the pack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from aws_cdk import aws_cloudwatch as cloudwatch

if TYPE_CHECKING:
    from aws_cdk import Duration
    from aws_cdk import aws_apigateway as apigateway
    from aws_cdk import aws_apigatewayv2 as apigatewayv2
    from aws_cdk import aws_cloudfront as cloudfront
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_sqs as sqs
    from constructs import IConstruct, Node

    from petplatform_constructs.core.resources import TableLike

__all__ = [
    "AlarmRule",
    "BucketMetrics",
    "Observable",
    "Panel",
    "UserPoolMetrics",
    "WatchPlan",
    "Watcher",
    "alarmable_operations",
]

_ALARMABLE_OPERATIONS = (
    "GET_ITEM", "BATCH_GET_ITEM", "QUERY", "SCAN", "PUT_ITEM", "UPDATE_ITEM", "DELETE_ITEM",
    "BATCH_WRITE_ITEM", "TRANSACT_GET_ITEMS", "TRANSACT_WRITE_ITEMS",
)  # fmt: skip


def alarmable_operations() -> list[dynamodb.Operation]:
    """The ten DynamoDB item operations that per-operation metrics sum by default.

    A CloudWatch alarm on a math expression takes at most 10 metrics, so the CDK default (all 14
    operations) cannot be alarmed on; these ten can.
    """
    from aws_cdk import aws_dynamodb  # only the table plan needs it

    return [aws_dynamodb.Operation[name] for name in _ALARMABLE_OPERATIONS]


@dataclass(frozen=True)
class AlarmRule:
    """One alarm: a metric, a threshold, and what an on-call engineer should do about it.

    Args:
        id: construct id of the alarm inside its resource's section, e.g. ``"ErrorRate"``.
        metric: the metric or math expression to alarm on.
        threshold: the threshold.
        comparison: how the metric compares with the threshold to breach.
        summary: what the alarm means, one sentence.
        runbook: the first things to check, one or two sentences.
        evaluation_periods: N datapoints looked at. Default: the pack's ``AlarmWindow``.
        datapoints_to_alarm: M of them that must breach. Default: the pack's ``AlarmWindow``.
        treat_missing_data: Default NOT_BREACHING: no datapoint means no traffic, not failure.
    """

    id: str
    metric: cloudwatch.IMetric
    threshold: float
    comparison: cloudwatch.ComparisonOperator
    summary: str
    runbook: str
    evaluation_periods: int | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING

    @property
    def description(self) -> str:
        """``alarm_description``: the summary and a runbook line."""
        return f"{self.summary} Runbook: {self.runbook}"


@dataclass(frozen=True)
class Panel:
    """One dashboard graph; with ``alarm``, it also draws the threshold and defines the alarm."""

    title: str
    metrics: Sequence[cloudwatch.IMetric]
    alarm: AlarmRule | None = None


@dataclass(frozen=True)
class WatchPlan:
    """Everything the pack shows and alarms on for one resource.

    Args:
        kind: first part of the section's construct id, e.g. ``"Table"``.
        title: the dashboard section heading.
        panels: graphs, in order.
        note: an optional line of markdown under the heading.
        region: the one region the metrics live in (CloudFront's: us-east-1), when it is not
            the stack's own. A pack elsewhere graphs them but cannot alarm on them.
    """

    kind: str
    title: str
    panels: Sequence[Panel]
    note: str | None = None
    region: str | None = None

    @property
    def alarm_rules(self) -> list[AlarmRule]:
        return [panel.alarm for panel in self.panels if panel.alarm is not None]


class UserPoolMetrics(Protocol):
    """What a Cognito watch plan reads: the app clients, and per-client metrics."""

    @property
    def clients(self) -> Mapping[str, object]: ...

    def metric_sign_in_successes(
        self, *, client: str | None = ..., period: Duration | None = ..., statistic: str = ...
    ) -> cloudwatch.Metric: ...

    def metric_sign_up_successes(
        self, *, client: str | None = ..., period: Duration | None = ..., statistic: str = ...
    ) -> cloudwatch.Metric: ...

    def metric_token_refresh_successes(
        self, *, client: str | None = ..., period: Duration | None = ..., statistic: str = ...
    ) -> cloudwatch.Metric: ...

    def metric_sign_in_throttles(
        self, *, client: str | None = ..., period: Duration | None = ..., statistic: str = ...
    ) -> cloudwatch.Metric: ...


class BucketMetrics(Protocol):
    """What an S3 watch plan reads: storage metrics, and request metrics when enabled."""

    @property
    def metrics_enabled(self) -> bool: ...

    def metric_bucket_size_bytes(
        self, *, storage_type: str = ..., period: Duration | None = ...
    ) -> cloudwatch.Metric: ...

    def metric_number_of_objects(self, *, period: Duration | None = ...) -> cloudwatch.Metric: ...

    def metric_requests(
        self, metric_name: str = ..., *, statistic: str = ..., period: Duration | None = ...
    ) -> cloudwatch.Metric: ...


class Watcher(Protocol):
    """The part of the pack a construct talks to in ``register_observability``."""

    def watch_table(self, table: TableLike) -> list[cloudwatch.Alarm]: ...

    def watch_user_pool(self, pool: UserPoolMetrics) -> list[cloudwatch.Alarm]: ...

    def watch_bucket(self, bucket: BucketMetrics) -> list[cloudwatch.Alarm]: ...

    def watch_lambda(self, function: lambda_.IFunction) -> list[cloudwatch.Alarm]: ...

    def watch_queue(self, queue: sqs.IQueue, *, dlq: bool = ...) -> list[cloudwatch.Alarm]: ...

    def watch_rest_api(
        self, api: apigateway.IRestApi, *, stage_name: str | None = ...
    ) -> list[cloudwatch.Alarm]: ...

    def watch_http_api(
        self, api: apigatewayv2.IHttpApi, *, stage_name: str | None = ...
    ) -> list[cloudwatch.Alarm]: ...

    def watch_distribution(
        self, distribution: cloudfront.IDistribution
    ) -> list[cloudwatch.Alarm]: ...

    def add_plan(
        self, subject: IConstruct, plan: WatchPlan, *, variant: str | None = ...
    ) -> list[cloudwatch.Alarm]: ...

    def is_watched(self, subject: IConstruct, variant: str | None = ...) -> bool: ...


@runtime_checkable
class Observable(Protocol):
    """A construct that tells the pack what to watch on it (and is found by discovery)."""

    @property
    def node(self) -> Node: ...

    def register_observability(self, watcher: Watcher) -> None: ...
