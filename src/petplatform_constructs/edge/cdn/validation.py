"""Every rule a Cdn's props must meet, checked together before anything is created.

:func:`plan_cdn` records each problem in the caller's
:class:`~petplatform_constructs.core.errors.Problems`. An owner that composes a Cdn (a
``SecureBucket`` with ``cdn``) runs it before creating anything, with ``names`` mapping each Cdn
prop to the name its own user gave it, so one synth reports the bucket's and the CDN's
problems together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import describe
from petplatform_constructs.core.exports import check_export_prefix
from petplatform_constructs.core.props import check_props
from petplatform_constructs.core.resources import as_bucket
from petplatform_constructs.core.rules import CLOUDFRONT_REGION, check_certificate
from petplatform_constructs.edge.cdn.props import CdnProps

__all__ = ["MAX_COMMENT_LENGTH", "CdnPlan", "access_logs_supported", "plan_cdn"]

MAX_COMMENT_LENGTH = 128  # CloudFront's limit on a distribution comment.
_COUNTRY = re.compile(r"[A-Z]{2}")
_WEB_ACL = re.compile(r"arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/.+")


@dataclass(frozen=True)
class CdnPlan:
    """The checked inputs of the distribution to create."""

    price_class: cloudfront.PriceClass
    geo_allowlist: tuple[str, ...]
    access_logs_bucket: s3.IBucket | None


def access_logs_supported(scope: IConstruct) -> bool:
    """Whether CloudFront access-log delivery can be created in ``scope``'s stack.

    CloudFront creates log delivery in us-east-1 only, so a stack elsewhere (or one without a
    concrete region) cannot deliver the distribution's access logs.
    """
    return Stack.of(scope).region == CLOUDFRONT_REGION


def plan_cdn(
    scope: IConstruct,
    problems: Problems,
    props: Mapping[str, object],
    *,
    names: Mapping[str, str] | None = None,
) -> CdnPlan | None:
    """Check ``props`` (a :class:`CdnProps`) and resolve them; ``None`` when a problem was found.

    Each problem is recorded in ``problems`` under ``names.get(prop, prop)``.
    """
    report = Problems(problems.owner)
    rejected = check_props(report, CdnProps, props)
    valid: CdnProps = {k: v for k, v in props.items() if k not in rejected}  # type: ignore[assignment]
    check_certificate(
        report, certificate=valid.get("certificate"), domain=valid.get("custom_domain")
    )
    geo_allowlist = tuple(valid.get("geo_allowlist") or ())
    for code in geo_allowlist:
        report.check(
            bool(_COUNTRY.fullmatch(code)),
            "geo_allowlist",
            code,
            "ISO 3166-1 alpha-2 country codes such as 'US' or 'DE'",
        )
    web_acl_arn = valid.get("web_acl_arn")
    if web_acl_arn is not None and not Token.is_unresolved(web_acl_arn):
        report.check(
            bool(_WEB_ACL.fullmatch(web_acl_arn)),
            "web_acl_arn",
            web_acl_arn,
            "the ARN of a WAFv2 web ACL with CLOUDFRONT scope "
            "(arn:aws:wafv2:us-east-1:<account>:global/webacl/...)",
        )
    comment = valid.get("comment")
    if comment is not None:
        report.check(
            len(comment) <= MAX_COMMENT_LENGTH,
            "comment",
            comment,
            f"at most {MAX_COMMENT_LENGTH} characters (CloudFront's limit)",
        )
    logs = valid.get("access_logs_bucket")
    if logs is not None:
        region = Stack.of(scope).region
        report.check(
            access_logs_supported(scope),
            "access_logs_bucket",
            describe(logs),
            f"CloudFront creates log delivery in {CLOUDFRONT_REGION} only and this stack's "
            f"region is {'not set' if Token.is_unresolved(region) else region}; deploy the "
            f"distribution from a {CLOUDFRONT_REGION} stack, or drop access_logs_bucket",
        )
    with report.collecting():
        check_export_prefix(report.owner, valid.get("export_prefix"))

    for error in report.errors:
        problems.add((names or {}).get(error.prop, error.prop), error.value, error.allowed)
    if report:
        return None
    return CdnPlan(
        price_class=valid.get("price_class") or cloudfront.PriceClass.PRICE_CLASS_100,
        geo_allowlist=geo_allowlist,
        access_logs_bucket=as_bucket(logs) if logs is not None else None,
    )
