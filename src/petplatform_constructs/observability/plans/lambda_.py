"""What to watch on a Lambda function: invocations, error rate, throttles and duration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from petplatform_constructs.core.watch import AlarmRule, Panel, WatchPlan
from petplatform_constructs.observability.plans.common import (
    ABOVE,
    AT_LEAST,
    alarm_panel,
    percentage,
)

if TYPE_CHECKING:
    from aws_cdk import Duration
    from aws_cdk import aws_lambda as lambda_

__all__ = ["function_plan"]


def function_plan(
    function: lambda_.IFunction,
    *,
    label: str,
    error_rate_percent: float,
    throttles: float,
    duration_threshold_ms: float | None,
    period: Duration,
) -> WatchPlan:
    """Invocations, error rate, throttles and p99 duration of a function.

    ``duration_threshold_ms`` ``None`` draws the duration without an alarm (an imported
    function's timeout is unknown).
    """
    invocations = function.metric_invocations(statistic="Sum", period=period)
    errors = function.metric_errors(statistic="Sum", period=period)
    duration = function.metric_duration(statistic="p99", period=period)
    duration_alarm = None
    if duration_threshold_ms is not None:
        duration_alarm = AlarmRule(
            id="Duration",
            metric=duration,
            threshold=duration_threshold_ms,
            comparison=ABOVE,
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
            alarm_panel(
                "Error rate (%)",
                percentage(
                    ("errors", errors),
                    ("invocations", invocations),
                    label="Error rate (%)",
                    period=period,
                ),
                id="ErrorRate",
                threshold=error_rate_percent,
                comparison=ABOVE,
                summary=f"Lambda {label}: more than {error_rate_percent:g}% of invocations failed.",
                runbook="read the recent errors in CloudWatch Logs Insights and check the "
                "last deployment and the function's dependencies; roll back if the rate "
                "rose with a release.",
            ),
            alarm_panel(
                "Throttles",
                function.metric_throttles(statistic="Sum", period=period),
                id="Throttles",
                threshold=throttles,
                comparison=AT_LEAST,
                summary=f"Lambda {label} was throttled at least {throttles:g} time(s) per period.",
                runbook="concurrency limit reached: check the function's reserved "
                "concurrency and the account's ConcurrentExecutions; raise the limit or "
                "smooth the callers' traffic.",
            ),
            Panel("Duration p99 (ms)", [duration], duration_alarm),
        ],
    )
