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
from aws_cdk import aws_certificatemanager as acm
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

__all__ = [
    "MAX_COMMENT_LENGTH",
    "CdnPlan",
    "access_logs_supported",
    "certificate_domains",
    "covers",
    "plan_cdn",
]

MAX_COMMENT_LENGTH = 128  # CloudFront's limit on a distribution comment.
_COUNTRY = re.compile(r"[A-Z]{2}")
_API_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_WEB_ACL = re.compile(r"arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/.+")


@dataclass(frozen=True)
class CdnPlan:
    """The checked inputs of the distribution to create."""

    price_class: cloudfront.PriceClass
    geo_allowlist: tuple[str, ...]
    access_logs_bucket: s3.IBucket | None
    api_path_pattern: str = "/api/*"


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
    _check_coverage(report, valid)
    _check_api(report, valid)

    for error in report.errors:
        problems.add((names or {}).get(error.prop, error.prop), error.value, error.allowed)
    if report:
        return None
    return CdnPlan(
        price_class=valid.get("price_class") or cloudfront.PriceClass.PRICE_CLASS_100,
        geo_allowlist=geo_allowlist,
        access_logs_bucket=as_bucket(logs) if logs is not None else None,
        api_path_pattern=valid.get("api_path_pattern") or "/api/*",
    )


def certificate_domains(certificate: acm.ICertificate) -> list[str] | None:
    """The names an ACM certificate created in this app covers; ``None`` when unknown (an
    imported certificate, or names given as tokens)."""
    cfn = certificate.node.default_child if hasattr(certificate, "node") else None
    if not isinstance(cfn, acm.CfnCertificate):
        return None
    names = [cfn.domain_name, *(cfn.subject_alternative_names or [])]
    if any(Token.is_unresolved(n) for n in names):
        return None
    return [str(n) for n in names]


def covers(pattern: str, domain: str) -> bool:
    """Whether certificate name ``pattern`` (``*.`` allowed, one label deep) covers ``domain``."""
    if pattern.startswith("*."):
        head, _, rest = domain.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == domain


def _check_coverage(report: Problems, valid: CdnProps) -> None:
    certificate, domain = valid.get("certificate"), valid.get("custom_domain")
    if certificate is None or domain is None or Token.is_unresolved(domain):
        return
    names = certificate_domains(certificate)
    if names is not None:
        report.check(
            any(covers(n, domain) for n in names),
            "custom_domain",
            domain,
            f"a name the certificate covers ({', '.join(names)})",
        )


def _check_api(report: Problems, valid: CdnProps) -> None:
    api = valid.get("api_domain")
    if api is not None and not Token.is_unresolved(api):
        report.check(
            bool(_API_DOMAIN.fullmatch(api)),
            "api_domain",
            api,
            "the API's domain name only, such as abc123.execute-api.us-west-2.amazonaws.com "
            "(no scheme or path; use Cdn.api_domain_of(api) for an API's endpoint)",
        )
    path = valid.get("api_origin_path")
    if path is not None:
        report.check(
            path.startswith("/") and not path.endswith("/"),
            "api_origin_path",
            path,
            "a path starting with '/' and not ending with one, such as '/prod'",
        )
    cached = list(valid.get("api_cached_paths") or ())
    for cached_path in cached:
        report.check(
            api is not None
            and isinstance(cached_path, str)
            and cached_path.startswith("/")
            and cached_path != "/*",
            "api_cached_paths",
            cached_path,
            "with api_domain: a path pattern starting with '/' such as '/public/*' (not '/*': "
            "authenticated responses must never be cached)",
        )
    ttl = valid.get("api_cache_ttl")
    if ttl is not None:
        report.check(
            bool(cached) and 1 <= ttl.to_seconds() <= 86400,
            "api_cache_ttl",
            f"{ttl.to_seconds():g} s",
            "1 s to 1 day, with api_cached_paths",
        )
    pattern = valid.get("api_path_pattern")
    if pattern is not None:
        report.check(
            api is not None, "api_path_pattern", pattern, "give api_domain to route paths to"
        )
    zone = valid.get("hosted_zone")
    domain = valid.get("custom_domain")
    if zone is not None:
        if not report.check(
            domain is not None,
            "hosted_zone",
            describe(zone),
            "give custom_domain, the name the alias records are created for",
        ):
            return
        assert domain is not None
        zone_name = zone.zone_name
        if not Token.is_unresolved(zone_name) and not Token.is_unresolved(domain):
            report.check(
                domain == zone_name or domain.endswith("." + zone_name.rstrip(".")),
                "custom_domain",
                domain,
                f"a name inside the hosted zone {zone_name}",
            )
