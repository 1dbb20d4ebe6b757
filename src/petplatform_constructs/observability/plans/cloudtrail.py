"""What to watch in CloudTrail: denied API calls, counted by a metric filter on its log group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from petplatform_constructs.core.watch import WatchPlan
from petplatform_constructs.observability.plans.common import AT_LEAST, alarm_panel

if TYPE_CHECKING:
    from aws_cdk import aws_cloudwatch as cloudwatch

__all__ = ["ACCESS_DENIED_FILTER_PATTERN", "access_denied_plan"]

ACCESS_DENIED_FILTER_PATTERN = (
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
)
"""CloudTrail events of denied API calls (the CIS "unauthorized API calls" filter)."""


def access_denied_plan(
    metric: cloudwatch.IMetric, *, log_group_label: str, events: float
) -> WatchPlan:
    """Denied API calls counted by a metric filter on a CloudTrail log group."""
    return WatchPlan(
        kind="AccessDenied",
        title="IAM access denied (CloudTrail)",
        note=f"Metric filter on `{log_group_label}`: `{ACCESS_DENIED_FILTER_PATTERN}`",
        panels=[
            alarm_panel(
                "Access-denied API calls",
                metric,
                id="Alarm",
                threshold=events,
                comparison=AT_LEAST,
                summary=f"CloudTrail recorded at least {events:g} access-denied or "
                "unauthorized API call(s) per period.",
                runbook="query the trail's log group with Logs Insights for errorCode "
                "AccessDenied*/*UnauthorizedOperation: a role missing a permission after a "
                "deployment, or someone probing credentials (see userIdentity, "
                "sourceIPAddress).",
            )
        ],
    )
