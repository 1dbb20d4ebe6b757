"""What to watch on a CloudFront distribution: its 5xx, 4xx and total error rates.

CloudFront publishes its metrics in us-east-1 only (namespace ``AWS/CloudFront``, dimensions
``DistributionId`` and ``Region=Global``). A dashboard anywhere can graph them; an alarm can
only be created in us-east-1, so the plan says where its metrics live (``WatchPlan.region``)
and a pack elsewhere draws the threshold without alarming.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_cloudwatch as cloudwatch

from petplatform_constructs.core.rules import CLOUDFRONT_REGION
from petplatform_constructs.core.watch import Panel, WatchPlan
from petplatform_constructs.observability.plans.common import ABOVE, alarm_panel

if TYPE_CHECKING:
    from aws_cdk import Duration

__all__ = ["distribution_metric", "distribution_plan"]


def distribution_metric(distribution_id: str, name: str, period: Duration) -> cloudwatch.Metric:
    """A CloudFront rate metric (Average) of one distribution, read from us-east-1."""
    return cloudwatch.Metric(
        namespace="AWS/CloudFront",
        metric_name=name,
        dimensions_map={"DistributionId": distribution_id, "Region": "Global"},
        region=CLOUDFRONT_REGION,
        statistic="Average",
        period=period,
    )


def distribution_plan(
    distribution_id: str, *, label: str, error_rate_percent: float, period: Duration
) -> WatchPlan:
    """An alarm on the 5xx error rate (the origin fails), and the 4xx and total rates."""
    return WatchPlan(
        kind="Distribution",
        title=f"CloudFront distribution {label}",
        region=CLOUDFRONT_REGION,
        panels=[
            alarm_panel(
                "5xx error rate (%)",
                distribution_metric(distribution_id, "5xxErrorRate", period),
                id="5xxErrorRate",
                threshold=error_rate_percent,
                comparison=ABOVE,
                summary=f"CloudFront distribution {label}: more than {error_rate_percent:g}% "
                "of viewer requests get a 5xx.",
                runbook="check the origin (bucket policy and OAC, or the API's errors and "
                "latency) and CloudFront's access logs for the failing paths.",
            ),
            Panel(
                "4xx and total error rates (%)",
                [
                    distribution_metric(distribution_id, "4xxErrorRate", period),
                    distribution_metric(distribution_id, "TotalErrorRate", period),
                ],
            ),
        ],
    )
