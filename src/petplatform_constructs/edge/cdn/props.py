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

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3

from petplatform_constructs.core.resources import HasBucket

__all__ = ["CdnOptions", "CdnProps"]


class CdnOptions(TypedDict, total=False):
    """The CDN choices of whoever serves a bucket. All optional."""

    custom_domain: str
    """Alias of the distribution, a lowercase DNS name; needs ``certificate``. Default: only the
    ``*.cloudfront.net`` domain."""
    certificate: acm.ICertificate
    """ACM certificate in us-east-1 covering ``custom_domain``; the distribution then enforces
    TLSv1.2_2021 with SNI. Default: CloudFront's default certificate (its policy is fixed)."""
    geo_allowlist: Sequence[str]
    """ISO 3166-1 alpha-2 country codes allowed to fetch, e.g. ``["US", "DE"]``. Default: every
    country."""
    web_acl_arn: str
    """ARN of a WAFv2 web ACL with CLOUDFRONT scope (us-east-1). Default: none."""
    price_class: cloudfront.PriceClass
    """Edge locations to pay for. Default ``PRICE_CLASS_100`` (the cheapest)."""
    response_headers_policy: cloudfront.IResponseHeadersPolicy
    """Headers added to every response. Default: the managed ``SecurityHeaders`` policy (HSTS,
    nosniff, frame options, XSS protection, referrer policy)."""


class CdnProps(CdnOptions, total=False):
    """Every prop of :class:`~petplatform_constructs.Cdn`: the options plus the origin's own."""

    access_logs_bucket: s3.IBucket | HasBucket
    """Bucket that receives access logs (standard logging v2); the stack must be in us-east-1,
    where CloudFront log delivery is created. Default: no access logs."""
    cors_cache_key: bool
    """The origin answers CORS: key the cache on ``Origin`` and the two preflight headers, so one
    origin's CORS answer is never served to another. Default False."""
    comment: str
    """Comment of the distribution, at most 128 characters. Default: ``"{path} via Origin
    Access Control"``."""
    export_prefix: str
    """Export ``{prefix}-DistributionId`` for other stacks. Default: no exports."""
