"""What to watch on each kind of resource, as data: metrics, panels and alarm rules.

A recipe turns a resource into a :class:`WatchPlan`: dashboard panels, some of which carry an
:class:`AlarmRule`. Recipes create no constructs; the pack renders a plan into widgets and, when
alarms are enabled, into ``cloudwatch.Alarm``\\ s. Constructs of this library that the pack does
not know (a future ServerlessApi, FargateApi...) can build their own plans with these types and
hand them to :meth:`ObservabilityPack.add_plan
<petplatform_constructs.observability.pack.ObservabilityPack.add_plan>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from petplatform_constructs.core.watch import (
    AlarmRule,
    BucketMetrics,
    Panel,
    UserPoolMetrics,
    WatchPlan,
    alarmable_operations,
)

__all__ = [
    "ACCESS_DENIED_FILTER_PATTERN",
    "AlarmRule",
    "Panel",
    "WatchPlan",
    "access_denied_plan",
    "bucket_plan",
    "function_plan",
    "http_api_plan",
    "queue_plan",
    "rest_api_plan",
    "table_plan",
    "user_pool_plan",
]

ACCESS_DENIED_FILTER_PATTERN = (
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
)
"""CloudTrail events of denied API calls (the CIS "unauthorized API calls" filter)."""

_ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
_AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD


# -- DynamoDB ---------------------------------------------------------------------------------


def table_plan(
    table: dynamodb.ITable, *, label: str, throttle_events: float, period: Duration
) -> WatchPlan:
    """Throttling, capacity and errors of one table.

    The alarm sums ``ReadThrottleEvents`` and ``WriteThrottleEvents`` (dimension ``TableName``):
    two metrics that cover every operation, PartiQL and transactions included, where the
    per-operation ``ThrottledRequests`` sum needs ten metrics for ten operations.
    """
    reads = table.metric("ReadThrottleEvents", statistic="Sum", period=period)
    writes = table.metric("WriteThrottleEvents", statistic="Sum", period=period)
    throttles = cloudwatch.MathExpression(
        expression="FILL(reads, 0) + FILL(writes, 0)",
        using_metrics={"reads": reads, "writes": writes},
        label="Read + write throttle events",
        period=period,
    )
    return WatchPlan(
        kind="Table",
        title=f"DynamoDB table {label}",
        panels=[
            Panel(
                "Throttle events",
                [throttles],
                AlarmRule(
                    id="Throttles",
                    metric=throttles,
                    threshold=throttle_events,
                    comparison=_AT_LEAST,
                    summary=f"DynamoDB table {label} throttled at least {throttle_events:g} "
                    "read/write request(s) per period.",
                    runbook="find hot partition keys with Contributor Insights; raise the "
                    "capacity or autoscaling maximum of provisioned tables, the maximum "
                    "throughput of on-demand ones, or spread writes over more keys.",
                ),
            ),
            Panel(
                "Throttled requests by operation",
                [
                    table.metric_throttled_requests_for_operations(
                        operations=alarmable_operations(), period=period
                    )
                ],
            ),
            Panel(
                "Consumed capacity units",
                [
                    table.metric_consumed_read_capacity_units(period=period),
                    table.metric_consumed_write_capacity_units(period=period),
                ],
            ),
            Panel(
                "System errors",
                [
                    table.metric_system_errors_for_operations(
                        operations=alarmable_operations(), period=period
                    )
                ],
            ),
        ],
    )


# -- Cognito ----------------------------------------------------------------------------------


def user_pool_plan(
    pool: UserPoolMetrics, *, label: str, sign_in_throttles: float, period: Duration
) -> WatchPlan:
    """Sign-in, sign-up and token-refresh successes and sign-in throttles per app client.

    Cognito publishes these per (pool, app client) only, so a pool without clients has nothing
    to show.
    """
    panels: list[Panel] = []
    for client in pool.clients:
        throttles = pool.metric_sign_in_throttles(client=client, period=period)
        panels.append(
            Panel(
                f"Sign-ins, sign-ups, token refreshes ({client})",
                [
                    pool.metric_sign_in_successes(client=client, period=period),
                    pool.metric_sign_up_successes(client=client, period=period),
                    pool.metric_token_refresh_successes(client=client, period=period),
                ],
            )
        )
        panels.append(
            Panel(
                f"Sign-in throttles ({client})",
                [throttles],
                AlarmRule(
                    id=f"SignInThrottles-{client}",
                    metric=throttles,
                    threshold=sign_in_throttles,
                    comparison=_AT_LEAST,
                    summary=f"Cognito throttled at least {sign_in_throttles:g} sign-in(s) per "
                    f"period of app client '{client}' of {label}.",
                    runbook="check the UserAuthentication quota in Service Quotas (request "
                    "more), and look for credential stuffing from few IPs (threat protection, "
                    "WAF rate limits).",
                ),
            )
        )
    note = None if panels else "No app clients: Cognito publishes sign-in metrics per client."
    return WatchPlan(kind="UserPool", title=f"Cognito user pool {label}", panels=panels, note=note)


# -- S3 ---------------------------------------------------------------------------------------


def bucket_plan(bucket: BucketMetrics, *, label: str, period: Duration) -> WatchPlan:
    """Storage (daily) and, with request metrics on, requests and errors of a bucket."""
    panels = [
        Panel("Bucket size (bytes, daily)", [bucket.metric_bucket_size_bytes()]),
        Panel("Objects (daily)", [bucket.metric_number_of_objects()]),
    ]
    if bucket.metrics_enabled:
        panels.append(
            Panel(
                "Requests and errors",
                [
                    bucket.metric_requests("AllRequests", period=period),
                    bucket.metric_requests("4xxErrors", period=period),
                    bucket.metric_requests("5xxErrors", period=period),
                ],
            )
        )
        panels.append(
            Panel(
                "First byte latency (p90, ms)",
                [bucket.metric_requests("FirstByteLatency", statistic="p90", period=period)],
            )
        )
    return WatchPlan(kind="Bucket", title=f"S3 bucket {label}", panels=panels)


# -- Lambda -----------------------------------------------------------------------------------


def function_plan(
    function: lambda_.IFunction,
    *,
    label: str,
    error_rate_percent: float,
    throttles: float,
    duration_threshold_ms: float | None,
    period: Duration,
) -> WatchPlan:
    """Invocations, error rate, throttles and p99 duration of a function."""
    invocations = function.metric_invocations(statistic="Sum", period=period)
    errors = function.metric_errors(statistic="Sum", period=period)
    error_rate = cloudwatch.MathExpression(
        expression="100 * errors / invocations",
        using_metrics={"errors": errors, "invocations": invocations},
        label="Error rate (%)",
        period=period,
    )
    throttled = function.metric_throttles(statistic="Sum", period=period)
    duration = function.metric_duration(statistic="p99", period=period)
    duration_alarm = None
    if duration_threshold_ms is not None:
        duration_alarm = AlarmRule(
            id="Duration",
            metric=duration,
            threshold=duration_threshold_ms,
            comparison=_ABOVE,
            summary=f"Lambda {label}: p99 duration above {duration_threshold_ms:g} ms, close "
            "to the function timeout.",
            runbook="trace slow downstream calls with X-Ray, check memory size (CPU scales "
            "with it) and cold starts; raise the timeout only if the work is legitimately long.",
        )
    return WatchPlan(
        kind="Function",
        title=f"Lambda function {label}",
        panels=[
            Panel("Invocations and errors", [invocations, errors]),
            Panel(
                "Error rate (%)",
                [error_rate],
                AlarmRule(
                    id="ErrorRate",
                    metric=error_rate,
                    threshold=error_rate_percent,
                    comparison=_ABOVE,
                    summary=f"Lambda {label}: more than {error_rate_percent:g}% of invocations "
                    "failed.",
                    runbook="read the recent errors in CloudWatch Logs Insights and check the "
                    "last deployment and the function's dependencies; roll back if the rate "
                    "rose with a release.",
                ),
            ),
            Panel(
                "Throttles",
                [throttled],
                AlarmRule(
                    id="Throttles",
                    metric=throttled,
                    threshold=throttles,
                    comparison=_AT_LEAST,
                    summary=f"Lambda {label} was throttled at least {throttles:g} time(s) per "
                    "period.",
                    runbook="concurrency limit reached: check the function's reserved "
                    "concurrency and the account's ConcurrentExecutions; raise the limit or "
                    "smooth the callers' traffic.",
                ),
            ),
            Panel("Duration p99 (ms)", [duration], duration_alarm),
        ],
    )


# -- SQS --------------------------------------------------------------------------------------


def queue_plan(
    queue: sqs.IQueue,
    *,
    label: str,
    dead_letter_queue: bool,
    oldest_message_age_seconds: float,
    dlq_messages: float,
    period: Duration,
) -> WatchPlan:
    """Backlog age of a work queue, or the depth of a dead-letter queue."""
    visible = queue.metric_approximate_number_of_messages_visible(
        statistic="Maximum", period=period
    )
    if dead_letter_queue:
        return WatchPlan(
            kind="DeadLetterQueue",
            title=f"SQS dead-letter queue {label}",
            panels=[
                Panel(
                    "Messages visible",
                    [visible],
                    AlarmRule(
                        id="Messages",
                        metric=visible,
                        threshold=dlq_messages,
                        comparison=_AT_LEAST,
                        summary=f"Dead-letter queue {label} holds at least {dlq_messages:g} "
                        "message(s).",
                        runbook="messages failed processing repeatedly: inspect them in the "
                        "console, fix the consumer, then redrive them to the source queue.",
                        # Any dead letter is a failure already: alarm on the first datapoint.
                        evaluation_periods=1,
                        datapoints_to_alarm=1,
                    ),
                )
            ],
        )
    age = queue.metric_approximate_age_of_oldest_message(statistic="Maximum", period=period)
    return WatchPlan(
        kind="Queue",
        title=f"SQS queue {label}",
        panels=[
            Panel(
                "Age of oldest message (s)",
                [age],
                AlarmRule(
                    id="OldestMessageAge",
                    metric=age,
                    threshold=oldest_message_age_seconds,
                    comparison=_AT_LEAST,
                    summary=f"SQS queue {label}: a message has waited at least "
                    f"{oldest_message_age_seconds:g} s.",
                    runbook="consumers fail or lag: check the consumer's errors and throttles, "
                    "its concurrency and batch size, and poison messages.",
                ),
            ),
            Panel(
                "Messages",
                [
                    visible,
                    queue.metric_approximate_number_of_messages_not_visible(
                        statistic="Maximum", period=period
                    ),
                    queue.metric_number_of_messages_sent(statistic="Sum", period=period),
                ],
            ),
        ],
    )


# -- API Gateway ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ApiMetrics:
    requests: cloudwatch.IMetric
    client_errors: cloudwatch.IMetric
    server_errors: cloudwatch.IMetric
    latency: cloudwatch.IMetric


def _api_plan(
    kind: str,
    title: str,
    label: str,
    metrics: _ApiMetrics,
    *,
    error_rate_percent: float,
    latency_ms: float,
    latency_statistic: str,
    period: Duration,
) -> WatchPlan:
    """Shared by REST and HTTP APIs: requests, 5XX error rate and latency."""
    error_rate = cloudwatch.MathExpression(
        expression="100 * errors / requests",
        using_metrics={"errors": metrics.server_errors, "requests": metrics.requests},
        label="5XX error rate (%)",
        period=period,
    )
    return WatchPlan(
        kind=kind,
        title=title,
        panels=[
            Panel(
                "Requests and errors",
                [metrics.requests, metrics.client_errors, metrics.server_errors],
            ),
            Panel(
                "5XX error rate (%)",
                [error_rate],
                AlarmRule(
                    id="ErrorRate",
                    metric=error_rate,
                    threshold=error_rate_percent,
                    comparison=_ABOVE,
                    summary=f"API {label}: more than {error_rate_percent:g}% of requests "
                    "returned 5XX.",
                    runbook="check the integrations (Lambda errors and throttles, backend "
                    "health) and the execution or access logs of the failing routes; roll back "
                    "a bad deployment.",
                ),
            ),
            Panel(
                f"Latency {latency_statistic} (ms)",
                [metrics.latency],
                AlarmRule(
                    id="Latency",
                    metric=metrics.latency,
                    threshold=latency_ms,
                    comparison=_ABOVE,
                    summary=f"API {label}: {latency_statistic} latency above {latency_ms:g} ms.",
                    runbook="compare Latency with IntegrationLatency: a slow integration needs "
                    "tracing (X-Ray), cold-start and database checks; otherwise look at "
                    "authorizers and payload sizes.",
                ),
            ),
        ],
    )


def rest_api_plan(
    api: apigateway.IRestApi,
    *,
    label: str,
    stage_name: str | None,
    api_name: str | None,
    error_rate_percent: float,
    latency_ms: float,
    latency_statistic: str,
    period: Duration,
) -> WatchPlan:
    """A REST API (``AWS/ApiGateway``, dimension ``ApiName``, plus ``Stage`` with a stage).

    Without a stage or an explicit name, the L2's own metric helpers are used (all stages).
    """
    if stage_name is None and api_name is None and isinstance(api, apigateway.RestApiBase):
        metrics = _ApiMetrics(
            requests=api.metric_count(statistic="Sum", period=period),
            client_errors=api.metric_client_error(statistic="Sum", period=period),
            server_errors=api.metric_server_error(statistic="Sum", period=period),
            latency=api.metric_latency(statistic=latency_statistic, period=period),
        )
    else:
        dimensions = {"ApiName": api_name or api.rest_api_name}
        if stage_name is not None:
            dimensions["Stage"] = stage_name

        def metric(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map=dimensions,
                statistic=statistic,
                period=period,
            )

        metrics = _ApiMetrics(
            requests=metric("Count"),
            client_errors=metric("4XXError"),
            server_errors=metric("5XXError"),
            latency=metric("Latency", latency_statistic),
        )
    stage = f" (stage {stage_name})" if stage_name else ""
    return _api_plan(
        "RestApi",
        f"REST API {label}{stage}",
        label,
        metrics,
        error_rate_percent=error_rate_percent,
        latency_ms=latency_ms,
        latency_statistic=latency_statistic,
        period=period,
    )


def http_api_plan(
    api: apigatewayv2.IHttpApi,
    *,
    label: str,
    stage_name: str | None,
    error_rate_percent: float,
    latency_ms: float,
    latency_statistic: str,
    period: Duration,
) -> WatchPlan:
    """An HTTP API (``AWS/ApiGateway``, dimension ``ApiId``, plus ``Stage`` with a stage)."""
    dimensions = {"ApiId": api.api_id, "Stage": stage_name} if stage_name is not None else None
    metrics = _ApiMetrics(
        requests=api.metric_count(statistic="Sum", period=period, dimensions_map=dimensions),
        client_errors=api.metric_client_error(
            statistic="Sum", period=period, dimensions_map=dimensions
        ),
        server_errors=api.metric_server_error(
            statistic="Sum", period=period, dimensions_map=dimensions
        ),
        latency=api.metric_latency(
            statistic=latency_statistic, period=period, dimensions_map=dimensions
        ),
    )
    stage = f" (stage {stage_name})" if stage_name else ""
    return _api_plan(
        "HttpApi",
        f"HTTP API {label}{stage}",
        label,
        metrics,
        error_rate_percent=error_rate_percent,
        latency_ms=latency_ms,
        latency_statistic=latency_statistic,
        period=period,
    )


# -- CloudTrail -------------------------------------------------------------------------------


def access_denied_plan(
    metric: cloudwatch.IMetric, *, log_group_label: str, events: float
) -> WatchPlan:
    """Denied API calls counted by a metric filter on a CloudTrail log group."""
    return WatchPlan(
        kind="AccessDenied",
        title="IAM access denied (CloudTrail)",
        note=f"Metric filter on `{log_group_label}`: `{ACCESS_DENIED_FILTER_PATTERN}`",
        panels=[
            Panel(
                "Access-denied API calls",
                [metric],
                AlarmRule(
                    id="Alarm",
                    metric=metric,
                    threshold=events,
                    comparison=_AT_LEAST,
                    summary=f"CloudTrail recorded at least {events:g} access-denied or "
                    "unauthorized API call(s) per period.",
                    runbook="query the trail's log group with Logs Insights for errorCode "
                    "AccessDenied*/*UnauthorizedOperation: a role missing a permission after a "
                    "deployment, or someone probing credentials (see userIdentity, "
                    "sourceIPAddress).",
                ),
            )
        ],
    )
