"""Cdn: CloudFront in front of a bucket (Origin Access Control) and/or an API, its props and
rules, and CdnEdge, its us-east-1 certificate and web ACL."""

from petplatform_constructs.edge.cdn.access_logs import (
    ACCESS_LOGS_CONSTRUCT_ID,
    LOG_BUCKET_CONSTRUCT_ID,
)
from petplatform_constructs.edge.cdn.construct import DISTRIBUTION_CONSTRUCT_ID, Cdn
from petplatform_constructs.edge.cdn.edge import CdnEdge
from petplatform_constructs.edge.cdn.findings import DEFAULT_CERTIFICATE_WARNING
from petplatform_constructs.edge.cdn.props import CdnEdgeProps, CdnOptions, CdnProps
from petplatform_constructs.edge.cdn.validation import (
    accept_cloudfront_logs,
    accepts_acls,
    access_logs_supported,
    plan_cdn,
)
from petplatform_constructs.edge.cdn.waf import (
    DEFAULT_MANAGED_RULE_GROUPS,
    DEFAULT_RATE_LIMIT,
    WEB_ACL_CONSTRUCT_ID,
)

__all__ = [
    "ACCESS_LOGS_CONSTRUCT_ID",
    "DEFAULT_CERTIFICATE_WARNING",
    "DEFAULT_MANAGED_RULE_GROUPS",
    "DEFAULT_RATE_LIMIT",
    "DISTRIBUTION_CONSTRUCT_ID",
    "LOG_BUCKET_CONSTRUCT_ID",
    "WEB_ACL_CONSTRUCT_ID",
    "Cdn",
    "CdnEdge",
    "CdnEdgeProps",
    "CdnOptions",
    "CdnProps",
    "accept_cloudfront_logs",
    "accepts_acls",
    "access_logs_supported",
    "plan_cdn",
]
