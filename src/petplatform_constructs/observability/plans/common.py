"""What every plan uses: comparisons, an alarmed graph, and a percentage of two metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_cloudwatch as cloudwatch

from petplatform_constructs.core.watch import AlarmRule, Panel

if TYPE_CHECKING:
    from aws_cdk import Duration

__all__ = ["ABOVE", "AT_LEAST", "alarm_panel", "percentage"]

ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
"""Rates, latencies and durations alarm above their threshold."""
AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
"""Counts alarm at their threshold or above."""


def alarm_panel(
    title: str,
    metric: cloudwatch.IMetric,
    *,
    id: str,
    threshold: float,
    comparison: cloudwatch.ComparisonOperator,
    summary: str,
    runbook: str,
    evaluation_periods: int | None = None,
    datapoints_to_alarm: int | None = None,
) -> Panel:
    """A graph of ``metric`` that also alarms on it (see :class:`AlarmRule` for the arguments)."""
    return Panel(
        title,
        [metric],
        AlarmRule(
            id=id,
            metric=metric,
            threshold=threshold,
            comparison=comparison,
            summary=summary,
            runbook=runbook,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
        ),
    )


def percentage(
    part: tuple[str, cloudwatch.IMetric],
    whole: tuple[str, cloudwatch.IMetric],
    *,
    label: str,
    period: Duration,
) -> cloudwatch.MathExpression:
    """``100 * part / whole`` as metric math; each is ``(variable name, metric)``."""
    return cloudwatch.MathExpression(
        expression=f"100 * {part[0]} / {whole[0]}",
        using_metrics=dict((part, whole)),
        label=label,
        period=period,
    )
