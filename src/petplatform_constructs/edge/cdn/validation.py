"""Every rule a Cdn's props must meet, checked together before anything is created.

:func:`plan_cdn` records each problem in the caller's
:class:`~petplatform_constructs.core.errors.Problems`. An owner that composes a Cdn (a
``SecureBucket`` with ``cdn``) runs it before creating anything, with ``names`` mapping each Cdn
prop to the name its own user gave it, so one synth reports the bucket's and the CDN's
problems together.
"""

from __future__ import annotations

import re
import weakref
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
from petplatform_constructs.edge.cdn.waf import referenced_web_acl_scope

__all__ = [
    "MAX_COMMENT_LENGTH",
    "MIN_REASON_LENGTH",
    "CdnPlan",
    "accept_cloudfront_logs",
    "accepts_acls",
    "access_logs_supported",
    "certificate_domains",
    "covers",
    "plan_cdn",
]

MAX_COMMENT_LENGTH = 128  # CloudFront's limit on a distribution comment.
_COUNTRY = re.compile(r"[A-Z]{2}")
_API_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_WEB_ACL = re.compile(r"arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/.+")
MIN_REASON_LENGTH = 20
# Regions whose buckets CloudFront standard logging does not deliver to (CloudFront docs).
_NO_LEGACY_LOG_REGIONS = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
        "ca-west-1", "eu-south-1", "eu-south-2", "eu-central-2", "il-central-1",
        "me-central-1", "me-south-1",
    }
)  # fmt: skip


@dataclass(frozen=True)
class CdnPlan:
    """The checked inputs of the distribution to create."""

    price_class: cloudfront.PriceClass
    geo_allowlist: tuple[str, ...]
    access_logs_bucket: s3.IBucket | None
    api_path_pattern: str = "/api/*"
    create_log_bucket: bool = False
    """No log bucket given and logging not turned off: the Cdn creates its own."""
    standard_logs_bucket: s3.IBucket | None = None
    """A given bucket with ACLs enabled, outside us-east-1: standard logging into it."""
    waf: bool = False


def access_logs_supported(scope: IConstruct) -> bool:
    """Whether CloudFront access-log delivery can be created in ``scope``'s stack.

    CloudFront creates log delivery in us-east-1 only, so a stack elsewhere (or one without a
    concrete region) cannot deliver the distribution's access logs.
    """
    return Stack.of(scope).region == CLOUDFRONT_REGION


_ACL_LOG_BUCKETS: weakref.WeakSet[object] = weakref.WeakSet()


def accept_cloudfront_logs(bucket: s3.IBucket) -> None:
    """Record that ``bucket`` was created with ACLs enabled for CloudFront standard logs
    (``SecureBucket(cloudfront_log_destination=True)``); the L1's ownership controls cannot be
    read back from Python."""
    _ACL_LOG_BUCKETS.add(bucket)


def accepts_acls(bucket: object) -> bool:
    """Whether ``bucket`` has ACLs enabled for CloudFront standard logging, as recorded by
    :func:`accept_cloudfront_logs`; ``False`` when unknown (an imported bucket)."""
    return as_bucket(bucket) in _ACL_LOG_BUCKETS  # type: ignore[arg-type]


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
    _check_waf(scope, report, valid)
    _check_reasons(report, valid)
    comment = valid.get("comment")
    if comment is not None:
        report.check(
            len(comment) <= MAX_COMMENT_LENGTH,
            "comment",
            comment,
            f"at most {MAX_COMMENT_LENGTH} characters (CloudFront's limit)",
        )
    logs = valid.get("access_logs_bucket")
    standard = logs is not None and not access_logs_supported(scope) and accepts_acls(logs)
    if logs is not None and not standard:
        region = Stack.of(scope).region
        report.check(
            access_logs_supported(scope),
            "access_logs_bucket",
            describe(logs),
            f"CloudFront creates log delivery in {CLOUDFRONT_REGION} only and this stack's "
            f"region is {'not set' if Token.is_unresolved(region) else region}; deploy the "
            f"distribution from a {CLOUDFRONT_REGION} stack, give a bucket with ACLs enabled "
            "(SecureBucket(cloudfront_log_destination=True)), or drop access_logs_bucket and "
            "the Cdn creates a log bucket of its own, which works from any region",
        )
    create_log_bucket = logs is None and valid.get("access_logs_disabled_reason") is None
    if create_log_bucket and "access_logs_disabled_reason" not in rejected:
        region = Stack.of(scope).region
        report.check(
            region not in _NO_LEGACY_LOG_REGIONS,
            "access_logs_bucket",
            None,
            f"CloudFront standard logging cannot deliver to a bucket in {region}, where the "
            f"Cdn would create its log bucket; give an access_logs_bucket from a "
            f"{CLOUDFRONT_REGION} stack, or access_logs_disabled_reason",
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
        access_logs_bucket=as_bucket(logs) if logs is not None and not standard else None,
        standard_logs_bucket=as_bucket(logs) if logs is not None and standard else None,
        api_path_pattern=valid.get("api_path_pattern") or "/api/*",
        create_log_bucket=create_log_bucket,
        waf=bool(valid.get("waf")),
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


def _check_waf(scope: IConstruct, report: Problems, valid: CdnProps) -> None:
    web_acl_arn = valid.get("web_acl_arn")
    allowed = (
        "the ARN of a WAFv2 web ACL with CLOUDFRONT scope "
        "(arn:aws:wafv2:us-east-1:<account>:global/webacl/...)"
    )
    if web_acl_arn is not None and not Token.is_unresolved(web_acl_arn):
        report.check(bool(_WEB_ACL.fullmatch(web_acl_arn)), "web_acl_arn", web_acl_arn, allowed)
    elif web_acl_arn is not None:
        acl_scope = referenced_web_acl_scope(web_acl_arn)
        report.check(
            acl_scope in (None, "CLOUDFRONT"),
            "web_acl_arn",
            f"a web ACL of {acl_scope} scope",
            allowed + "; a REGIONAL ACL protects API Gateway, ALB or AppSync only",
        )
    if not valid.get("waf"):
        return
    report.check(
        web_acl_arn is None,
        "waf",
        True,
        "either waf (a web ACL created here) or web_acl_arn (an existing one), not both",
    )
    region = Stack.of(scope).region
    report.check(
        region == CLOUDFRONT_REGION,
        "waf",
        True,
        f"a stack in {CLOUDFRONT_REGION}, where CLOUDFRONT web ACLs live (this stack's region "
        f"is {'not set' if Token.is_unresolved(region) else region}); from another region, "
        f"create the ACL with CdnEdge in a {CLOUDFRONT_REGION} stack (both stacks with "
        "cross_region_references=True) and pass web_acl_arn=edge.web_acl_arn",
    )


def _check_reasons(report: Problems, valid: CdnProps) -> None:
    """An explicit acceptance needs a real reason, and must not contradict the other props."""
    for prop, contradicts in (
        ("default_certificate_reason", "certificate"),
        ("access_logs_disabled_reason", "access_logs_bucket"),
    ):
        reason = valid.get(prop)
        if not isinstance(reason, str):
            continue  # absent, or refused as a wrong type already
        report.check(
            len(reason.strip()) >= MIN_REASON_LENGTH,
            prop,
            reason,
            f"a reason a security reviewer would accept, at least {MIN_REASON_LENGTH} "
            "characters; it becomes the cdk-nag acknowledgement",
        )
        report.check(
            valid.get(contradicts) is None,
            prop,
            reason,
            f"no {contradicts}: the reason accepts what {contradicts} avoids; drop one",
        )


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
