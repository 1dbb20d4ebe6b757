"""What to watch on an S3 bucket: storage, and requests and errors with request metrics on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from petplatform_constructs.core.watch import BucketMetrics, Panel, WatchPlan

if TYPE_CHECKING:
    from aws_cdk import Duration

__all__ = ["bucket_plan"]


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
