"""A regional WAFv2 web ACL that rate-limits an API per client IP and per user.

API Gateway stage throttling caps the whole stage, not one client: a single
abusive caller can use the entire budget. WAF rate-based rules count requests per aggregation
key instead: the source IP, or the ``Authorization`` header, which identifies the token and so,
in practice, the user (a refreshed token starts a new count). Requests over the limit get 429.

Limits, from the AWS WAF developer guide ("Rate-based rule high-level settings",
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html):
the rate limit is at least 10 requests (it was 100 until 2024), and the evaluation window is
60, 120, 300 (default) or 600 seconds.

Beside the rate rules, two AWS managed rule groups block common exploits (the core rule set)
and request patterns known to be malicious (known bad inputs), and every request is logged to a
CloudWatch log group whose name starts with ``aws-waf-logs-``, as AWS WAF requires, with the
``Authorization`` header redacted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import ArnFormat, Names, Stack, Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.props import check_fields
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "DEFAULT_API_MANAGED_RULE_GROUPS",
    "EVALUATION_WINDOWS",
    "MAX_RATE_LIMIT",
    "MIN_RATE_LIMIT",
    "WAF_LOG_GROUP_PREFIX",
    "RateLimitWebAcl",
    "WafRules",
    "check_waf_rules",
    "check_web_acl",
]

MIN_RATE_LIMIT = 10
"""AWS WAF's lowest rate limit (requests per evaluation window) since 2024; it was 100."""
MAX_RATE_LIMIT = 2_000_000_000
EVALUATION_WINDOWS: tuple[int, ...] = (60, 120, 300, 600)
"""Evaluation windows (seconds) AWS WAF accepts for rate-based rules."""

DEFAULT_API_MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
"""The AWS managed rule groups a :class:`WafRules` adds by default (about 900 WCUs of 1,500)."""
WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"
"""AWS WAF logs only to CloudWatch log groups whose name starts with this."""

_MANAGED_GROUP = re.compile(r"AWSManagedRules[A-Za-z0-9]+")
_TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class WafRules:
    """What the API's web ACL enforces. Every limit counts requests per evaluation window.

    Args:
        ip_rate_limit: requests per client IP per window. Default 1000 (per 5 minutes).
            ``None``: no per-IP rule.
        user_rate_limit: requests per ``Authorization`` header value per window: per token, so
            per signed-in user until the token is refreshed. Requests without the header are
            counted by the IP rule only. Default ``None`` (no per-user rule).
        evaluation_window_seconds: 60, 120, 300 or 600. Default 300.
        managed_rule_groups: AWS managed rule groups to add after the rate rules. They block
            on match; each adds WCUs and cost. Default
            :data:`DEFAULT_API_MANAGED_RULE_GROUPS` (the core rule set, which also blocks
            request bodies over 8 KB, and known bad inputs); ``()`` for none.
        logging: log every request to a CloudWatch log group ``aws-waf-logs-...`` (retention,
            removal and deletion protection from the stage profile; the ``Authorization``
            header redacted). Default True.
    """

    ip_rate_limit: int | None = 1000
    user_rate_limit: int | None = None
    evaluation_window_seconds: int = 300
    managed_rule_groups: Sequence[str] = DEFAULT_API_MANAGED_RULE_GROUPS
    logging: bool = True


def check_waf_rules(problems: Problems, rules: WafRules, prop: str = "waf") -> None:
    """Record every rule AWS WAF would reject at deploy time."""
    if check_fields(problems, prop, rules):
        return
    for name, limit in (
        ("ip_rate_limit", rules.ip_rate_limit),
        ("user_rate_limit", rules.user_rate_limit),
    ):
        if limit is not None:
            problems.check(
                MIN_RATE_LIMIT <= limit <= MAX_RATE_LIMIT,
                f"{prop}.{name}",
                limit,
                f"AWS WAF rate-based rules take {MIN_RATE_LIMIT} to {MAX_RATE_LIMIT:,} requests "
                f"per evaluation window (the minimum has been {MIN_RATE_LIMIT} since 2024)",
            )
    problems.check(
        rules.evaluation_window_seconds in EVALUATION_WINDOWS,
        f"{prop}.evaluation_window_seconds",
        rules.evaluation_window_seconds,
        f"one of {list(EVALUATION_WINDOWS)} seconds",
    )
    groups = list(rules.managed_rule_groups)
    for group in groups:
        problems.check(
            bool(_MANAGED_GROUP.fullmatch(group)),
            f"{prop}.managed_rule_groups",
            group,
            "an AWS managed rule group name such as AWSManagedRulesCommonRuleSet",
        )
    problems.check(
        len(set(groups)) == len(groups),
        f"{prop}.managed_rule_groups",
        groups,
        "each rule group once",
    )
    problems.check(
        rules.ip_rate_limit is not None or rules.user_rate_limit is not None or bool(groups),
        prop,
        rules,
        "at least one rule: ip_rate_limit, user_rate_limit or managed_rule_groups",
    )


def check_web_acl(
    problems: Problems, waf: WafRules | None, web_acl_arn: str | None, *, rest: bool
) -> None:
    """Record a web ACL the stage cannot have: on an HTTP API, both kinds, or a bad ARN."""
    if not rest:
        for prop, value in (("waf", waf), ("web_acl_arn", web_acl_arn)):
            problems.check(
                value is None,
                prop,
                value,
                "HTTP APIs cannot be associated with a WAF web ACL: put the web ACL on a "
                "CloudFront distribution in front of the API, or use ApiKind.REST",
            )
        return
    problems.check(
        waf is None or web_acl_arn is None,
        "web_acl_arn",
        web_acl_arn,
        "give waf= (a web ACL created here) or web_acl_arn= (an existing one), not both",
    )
    if waf is not None:
        check_waf_rules(problems, waf)
    if web_acl_arn is not None and not Token.is_unresolved(web_acl_arn):
        problems.check(
            ":wafv2:" in web_acl_arn and ":regional/webacl/" in web_acl_arn,
            "web_acl_arn",
            web_acl_arn,
            "the ARN of a REGIONAL WAFv2 web ACL (arn:aws:wafv2:<region>:<account>:"
            "regional/webacl/<name>/<id>); CLOUDFRONT web ACLs cannot protect a stage",
        )


class RateLimitWebAcl(Construct):
    """A REGIONAL ``AWS::WAFv2::WebACL`` (construct id ``WebAcl``) built from :class:`WafRules`.

    Requests are allowed by default; rate-limited ones get 429. Every rule publishes CloudWatch
    metrics and sampled requests. Rule names (and metric names): ``RateLimitPerIp``,
    ``RateLimitPerUser``, then each managed group by name. With ``rules.logging``: the log
    group ``Logs`` (named ``aws-waf-logs-<unique id>``) and the ``Logging`` configuration.

    Args:
        rules: what the web ACL enforces.
        profile: retention, removal policy and deletion protection of the log group. Default:
            the profile in scope.
        log_encryption_key: KMS key of the log group. Default none (CloudWatch Logs' own
            encryption).

    Attributes:
        web_acl: the ``CfnWebACL``.
        web_acl_arn: its ARN, for associations.
        log_group: the ``aws-waf-logs-`` log group, if logging.
        logging_configuration: its ``CfnLoggingConfiguration``, if logging.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        rules: WafRules,
        profile: StageProfile | None = None,
        log_encryption_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id)
        metric_prefix = Names.unique_id(self)[-100:]
        window = rules.evaluation_window_seconds
        acl_rules: list[wafv2.CfnWebACL.RuleProperty] = []
        if rules.ip_rate_limit is not None:
            acl_rules.append(
                _rate_rule("RateLimitPerIp", len(acl_rules), rules.ip_rate_limit, window, [])
            )
        if rules.user_rate_limit is not None:
            per_token = wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(
                header=wafv2.CfnWebACL.RateLimitHeaderProperty(
                    name="authorization",
                    # The raw token is the key: any transformation could merge two tokens.
                    text_transformations=[
                        wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                    ],
                )
            )
            acl_rules.append(
                _rate_rule(
                    "RateLimitPerUser", len(acl_rules), rules.user_rate_limit, window, [per_token]
                )
            )
        for group in rules.managed_rule_groups:
            acl_rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=group,
                    priority=len(acl_rules),
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS", name=group
                        )
                    ),
                    visibility_config=_visibility(group),
                )
            )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(metric_prefix),
            rules=acl_rules,
        )
        self.web_acl_arn: str = self.web_acl.attr_arn
        self.log_group: logs.LogGroup | None = None
        self.logging_configuration: wafv2.CfnLoggingConfiguration | None = None
        if rules.logging:
            self._add_logging(StageProfile.of(self, profile), log_encryption_key)

    def _add_logging(self, profile: StageProfile, key: kms.IKey | None) -> None:
        name = WAF_LOG_GROUP_PREFIX + Names.unique_resource_name(
            self, max_length=512 - len(WAF_LOG_GROUP_PREFIX), separator="-"
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=name,
            retention=profile.log_retention,
            removal_policy=profile.removal_policy,
            deletion_protection_enabled=profile.deletion_protection,
            encryption_key=key,
        )
        # WAF wants the log group's ARN without the ":*" that LogGroup.log_group_arn ends with.
        destination = Stack.of(self).format_arn(
            service="logs",
            resource="log-group",
            resource_name=name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.logging_configuration = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl_arn,
            log_destination_configs=[destination],
            # Tokens are credentials: they never reach the logs.
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(
                    single_header={"Name": "authorization"}
                )
            ],
        )
        self.logging_configuration.node.add_dependency(self.log_group)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )


def _rate_rule(
    name: str,
    priority: int,
    limit: int,
    window: int,
    custom_keys: Sequence[wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty],
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=_TOO_MANY_REQUESTS
                )
            )
        ),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="CUSTOM_KEYS" if custom_keys else "IP",
                limit=limit,
                evaluation_window_sec=window,
                custom_keys=list(custom_keys) or None,
            )
        ),
        visibility_config=_visibility(name),
    )
