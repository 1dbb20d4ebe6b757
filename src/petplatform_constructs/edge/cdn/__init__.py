"""Cdn: CloudFront with Origin Access Control in front of an S3 bucket, its props and rules."""

from petplatform_constructs.edge.cdn.construct import (
    ACCESS_LOGS_CONSTRUCT_ID,
    DISTRIBUTION_CONSTRUCT_ID,
    Cdn,
)
from petplatform_constructs.edge.cdn.props import CdnOptions, CdnProps
from petplatform_constructs.edge.cdn.validation import access_logs_supported, plan_cdn

__all__ = [
    "ACCESS_LOGS_CONSTRUCT_ID",
    "DISTRIBUTION_CONSTRUCT_ID",
    "Cdn",
    "CdnOptions",
    "CdnProps",
    "access_logs_supported",
    "plan_cdn",
]
