"""CdnEdge: what CloudFront needs from us-east-1, the ACM certificate and a CLOUDFRONT web ACL.

Put it in a us-east-1 stack (the *edge stack*) created with ``cross_region_references=True``,
and the distribution's stack (also with ``cross_region_references=True``) in any region: pass
``certificate=edge.certificate`` and ``web_acl_arn=edge.web_acl_arn`` to :class:`Cdn`. The CDK
carries both values across regions (SSM parameters written by the edge stack).
"""

from __future__ import annotations

import re

from aws_cdk import Stack, Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.props import check_props
from petplatform_constructs.core.rules import CLOUDFRONT_REGION, check_domain_name
from petplatform_constructs.edge.cdn.props import CdnEdgeProps
from petplatform_constructs.edge.cdn.waf import (
    DEFAULT_MANAGED_RULE_GROUPS,
    DEFAULT_RATE_LIMIT,
    cloudfront_web_acl,
)

__all__ = ["DEFAULT_MANAGED_RULE_GROUPS", "CdnEdge"]

_RULE_GROUP = re.compile(r"AWSManagedRules[A-Za-z0-9]+")


class CdnEdge(Construct):
    """The us-east-1 half of a CDN: a DNS-validated certificate and a CLOUDFRONT web ACL.

    Construct ids (a public contract): ``Certificate``, ``WebAcl``.

    Raises:
        PropError: every invalid prop at once (a stack outside us-east-1, a missing or invalid
            domain name, an unknown rule group, a rate limit out of range).
    """

    def __init__(self, scope: Construct, id: str, **props: Unpack[CdnEdgeProps]) -> None:
        super().__init__(scope, id)
        problems = Problems(f"{type(self).__name__} {self.node.path}")
        rejected = check_props(problems, CdnEdgeProps, props)
        region = Stack.of(self).region
        problems.check(
            region == CLOUDFRONT_REGION,
            "scope",
            Stack.of(self).stack_name,
            f"a stack in {CLOUDFRONT_REGION}: CloudFront takes certificates and CLOUDFRONT web "
            f"ACLs from there only (this stack's region is "
            f"{'not set' if Token.is_unresolved(region) else region})",
        )
        names = list(props.get("domain_names") or ()) if "domain_names" not in rejected else []
        if "domain_names" not in rejected:
            problems.check(
                bool(names), "domain_names", props.get("domain_names"), "at least one DNS name"
            )
        for name in names:
            check_domain_name(problems, "domain_names", name)
        groups = tuple(props.get("managed_rule_groups") or DEFAULT_MANAGED_RULE_GROUPS)
        for group in groups:
            problems.check(
                bool(_RULE_GROUP.fullmatch(group)),
                "managed_rule_groups",
                group,
                "names of AWS managed rule groups, such as AWSManagedRulesCommonRuleSet",
            )
        rate = props.get("rate_limit", DEFAULT_RATE_LIMIT)
        if "rate_limit" not in rejected:
            problems.check(
                100 <= rate <= 2_000_000_000,
                "rate_limit",
                rate,
                "requests per IP in 5 minutes, from 100 to 2000000000",
            )
        problems.raise_if_any()

        self.domain_names: tuple[str, ...] = tuple(names)
        """The names the certificate covers."""
        zone = props.get("hosted_zone")
        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=names[0],
            subject_alternative_names=names[1:] or None,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        """The DNS-validated ACM certificate, in us-east-1."""
        self.web_acl: wafv2.CfnWebACL | None = None
        """The CLOUDFRONT web ACL (with ``waf``, the default), else None."""
        if props.get("waf", True):
            self.web_acl = cloudfront_web_acl(self, groups=groups, rate_limit=rate)

    @property
    def web_acl_arn(self) -> str:
        """The web ACL's ARN, for ``Cdn(web_acl_arn=...)``.

        Raises:
            AttributeError: the edge was created with ``waf=False``.
        """
        if self.web_acl is None:
            raise AttributeError(f"{self.node.path} has no web ACL (waf=False)")
        return self.web_acl.attr_arn
