"""The CLOUDFRONT web ACL that CdnEdge (in an edge stack) and Cdn (``waf=True``, in a us-east-1
stack) both build: AWS managed rule groups and a per-IP rate rule."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import Token, Tokenization
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

__all__ = [
    "DEFAULT_MANAGED_RULE_GROUPS",
    "DEFAULT_RATE_LIMIT",
    "WEB_ACL_CONSTRUCT_ID",
    "cloudfront_web_acl",
    "referenced_web_acl_scope",
]

DEFAULT_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
DEFAULT_RATE_LIMIT = 2000
"""Requests per client IP in 5 minutes before the rate rule blocks."""
WEB_ACL_CONSTRUCT_ID = "WebAcl"
"""Construct id of the web ACL, in a CdnEdge and in a Cdn with ``waf``."""


def cloudfront_web_acl(
    scope: Construct,
    *,
    groups: Sequence[str] = DEFAULT_MANAGED_RULE_GROUPS,
    rate_limit: int = DEFAULT_RATE_LIMIT,
) -> wafv2.CfnWebACL:
    """A CLOUDFRONT web ACL below ``scope`` (whose stack must be in us-east-1): each managed
    group counted in its own metric, then the rate rule; everything else is allowed."""
    metric = re.sub(r"[^A-Za-z0-9]", "", scope.node.path)[:100] or "Cdn"
    rules = [
        wafv2.CfnWebACL.RuleProperty(
            name=group,
            priority=index,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group
                )
            ),
            visibility_config=_visibility(f"{metric}{group}"),
        )
        for index, group in enumerate(groups)
    ]
    rules.append(
        wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerIp",
            priority=len(groups),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=rate_limit, aggregate_key_type="IP"
                )
            ),
            visibility_config=_visibility(f"{metric}RateLimit"),
        )
    )
    return wafv2.CfnWebACL(
        scope,
        WEB_ACL_CONSTRUCT_ID,
        scope="CLOUDFRONT",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=_visibility(metric),
        rules=rules,
    )


def referenced_web_acl_scope(arn: str) -> str | None:
    """The ``Scope`` of the web ACL whose ARN token ``arn`` is (one defined in this app), so a
    REGIONAL ACL is refused before deployment; ``None`` when it cannot be known."""
    if not Token.is_unresolved(arn):
        return None
    token = Tokenization.reverse_string(arn).first_token
    target = getattr(token, "target", None)
    if isinstance(target, wafv2.CfnWebACL) and not Token.is_unresolved(target.scope):
        return str(target.scope)
    return None


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name[:128], sampled_requests_enabled=True
    )
