"""What to watch on a DynamoDB table: throttling, capacity and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_cloudwatch as cloudwatch

from petplatform_constructs.core.watch import Panel, WatchPlan, alarmable_operations
from petplatform_constructs.observability.plans.common import AT_LEAST, alarm_panel

if TYPE_CHECKING:
    from aws_cdk import Duration
    from aws_cdk import aws_dynamodb as dynamodb

__all__ = ["table_plan"]


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
    operations = alarmable_operations()
    return WatchPlan(
        kind="Table",
        title=f"DynamoDB table {label}",
        panels=[
            alarm_panel(
                "Throttle events",
                throttles,
                id="Throttles",
                threshold=throttle_events,
                comparison=AT_LEAST,
                summary=f"DynamoDB table {label} throttled at least {throttle_events:g} "
                "read/write request(s) per period.",
                runbook="find hot partition keys with Contributor Insights; raise the "
                "capacity or autoscaling maximum of provisioned tables, the maximum "
                "throughput of on-demand ones, or spread writes over more keys.",
            ),
            Panel(
                "Throttled requests by operation",
                [
                    table.metric_throttled_requests_for_operations(
                        operations=operations, period=period
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
                [table.metric_system_errors_for_operations(operations=operations, period=period)],
            ),
        ],
    )
