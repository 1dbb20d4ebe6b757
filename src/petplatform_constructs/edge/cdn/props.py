"""Cdn's props, declared once.

:class:`CdnOptions` are the choices a user makes about a CDN in front of a bucket: domain and
certificate, countries, web ACL, price class, response headers. :class:`CdnProps` adds what the
owner of the origin decides: the access-log bucket, CORS cache keys, the comment and exports.
``SecureBucket`` and ``ImageBuckets`` take ``cdn=CdnOptions(...)``, so a new option added here
reaches them with no second declaration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3

from petplatform_constructs.core.resources import HasBucket

__all__ = ["CdnEdgeProps", "CdnOptions", "CdnProps"]


class CdnOptions(TypedDict, total=False):
    """The CDN choices of whoever serves a bucket. All optional."""

    custom_domain: str
    """Alias of the distribution, a lowercase DNS name; needs ``certificate``. Default: only the
    ``*.cloudfront.net`` domain."""
    certificate: acm.ICertificate
    """ACM certificate in us-east-1 covering ``custom_domain``; the distribution then enforces
    TLSv1.2_2021 with SNI. Default: CloudFront's default ``*.cloudfront.net`` certificate, which
    still accepts TLSv1: reported by a synth warning and by ``AwsSolutions-CFR4`` unless
    ``default_certificate_reason`` accepts it."""
    default_certificate_reason: str
    """Why this distribution may serve the default ``*.cloudfront.net`` certificate (at least 20
    characters); it becomes the reason of the ``AwsSolutions-CFR4`` acknowledgement. Not with
    ``certificate``. Default: none, so the default certificate is reported."""
    geo_allowlist: Sequence[str]
    """ISO 3166-1 alpha-2 country codes allowed to fetch, e.g. ``["US", "DE"]``. Default: every
    country."""
    web_acl_arn: str
    """ARN of a WAFv2 web ACL with CLOUDFRONT scope (us-east-1), e.g. ``CdnEdge.web_acl_arn``
    from an edge stack. A REGIONAL ACL is refused. Not with ``waf``. Default: none."""
    waf: bool
    """Create a CLOUDFRONT web ACL here (construct id ``WebAcl``): AWS managed rule groups
    Common, KnownBadInputs and AmazonIpReputationList, and a per-IP rate rule (2000 requests
    in 5 minutes). Needs a stack in us-east-1; from any other region, put a ``CdnEdge`` in a
    us-east-1 stack and pass its ``web_acl_arn``. Default False."""
    access_logs_disabled_reason: str
    """Turn CloudFront access logging off, saying why (at least 20 characters); the text
    becomes the reason of the ``AwsSolutions-CFR3`` acknowledgement. Not with
    ``access_logs_bucket``. Default: none, so access logs are on."""
    price_class: cloudfront.PriceClass
    """Edge locations to pay for. Default ``PRICE_CLASS_100`` (the cheapest)."""
    response_headers_policy: cloudfront.IResponseHeadersPolicy
    """Headers added to every response. Default: the managed ``SecurityHeaders`` policy (HSTS,
    nosniff, frame options, XSS protection, referrer policy)."""


class CdnProps(CdnOptions, total=False):
    """Every prop of :class:`~petplatform_constructs.Cdn`: the options plus the origin's own."""

    access_logs_bucket: s3.IBucket | HasBucket
    """An existing bucket that receives the access logs through standard logging v2 (ACL-free
    buckets work); the stack must be in us-east-1, where CloudFront creates log delivery.
    Default: the Cdn creates its own log bucket (``AccessLogsBucket``: SSE-S3, TLS-only,
    private, versioned and retained in prod-like stages, objects expiring after the stage's
    ``log_retention_days``) and logs to it with standard logging, from any region."""
    cors_cache_key: bool
    """The origin answers CORS: key the cache on ``Origin`` and the two preflight headers, so one
    origin's CORS answer is never served to another. Default False."""
    comment: str
    """Comment of the distribution, at most 128 characters. Default: ``"{path} via Origin
    Access Control"``."""
    export_prefix: str
    """Export ``{prefix}-DistributionId`` for other stacks. Default: no exports."""
    api_domain: str
    """Domain of an HTTP or REST API origin (``Cdn.api_domain_of(api)`` reads it from an API's
    endpoint URL). Served HTTPS-only with the managed ``AllViewerExceptHostHeader`` origin
    request policy (``Authorization`` reaches the API) and ``CachingDisabled``, all methods.
    Without ``bucket`` it is the default behavior. Default: no API origin."""
    api_origin_path: str
    """Path prepended to API requests, e.g. a REST API's ``/prod`` stage. Default: none."""
    api_path_pattern: str
    """With both ``bucket`` and ``api_domain``, the paths routed to the API. Default
    ``"/api/*"``."""
    api_cached_paths: Sequence[str]
    """API paths CloudFront caches (``/public/*``), because HTTP APIs have no cache: GET, HEAD
    and OPTIONS, keyed on the path and query string only, so they must not depend on who
    calls. Every other API path stays uncached. Default none."""
    api_cache_ttl: Duration
    """Default TTL of ``api_cached_paths`` when the API sends no ``Cache-Control``, 1 s to
    1 day. Default 5 minutes."""
    hosted_zone: route53.IHostedZone
    """Zone that holds ``custom_domain``: A and AAAA alias records to the distribution are
    created in it. Default: no DNS records."""


class CdnEdgeProps(TypedDict, total=False):
    """Every prop of :class:`~petplatform_constructs.CdnEdge`; only ``domain_names`` is
    required."""

    domain_names: Sequence[str]
    """Names the certificate covers (the first is its domain name, the others alternative
    names; ``*.`` wildcards allowed). Required."""
    hosted_zone: route53.IHostedZone
    """Zone for the certificate's DNS validation records. Default: DNS validation with records
    you create (ACM shows them)."""
    waf: bool
    """Create the CLOUDFRONT-scope web ACL. Default True."""
    managed_rule_groups: Sequence[str]
    """AWS managed rule groups of the web ACL. Default ``AWSManagedRulesCommonRuleSet``,
    ``AWSManagedRulesKnownBadInputsRuleSet`` and ``AWSManagedRulesAmazonIpReputationList``."""
    rate_limit: int
    """Requests per client IP in 5 minutes before the rate rule blocks (100 to 2e9). Default
    2000."""
