"""Cdn: CloudFront in front of a bucket (Origin Access Control) and/or an API, its props and
rules, and CdnEdge, its us-east-1 certificate and web ACL."""

from petplatform_constructs.edge.cdn.construct import (
    ACCESS_LOGS_CONSTRUCT_ID,
    DISTRIBUTION_CONSTRUCT_ID,
    Cdn,
)
from petplatform_constructs.edge.cdn.edge import DEFAULT_MANAGED_RULE_GROUPS, CdnEdge
from petplatform_constructs.edge.cdn.props import CdnEdgeProps, CdnOptions, CdnProps
from petplatform_constructs.edge.cdn.validation import access_logs_supported, plan_cdn

__all__ = [
    "ACCESS_LOGS_CONSTRUCT_ID",
    "DEFAULT_MANAGED_RULE_GROUPS",
    "DISTRIBUTION_CONSTRUCT_ID",
    "Cdn",
    "CdnEdge",
    "CdnEdgeProps",
    "CdnOptions",
    "CdnProps",
    "access_logs_supported",
    "plan_cdn",
]
