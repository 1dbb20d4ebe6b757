"""The API origin of a Cdn: an uncached default for every API path, and cached public paths.

HTTP APIs have no response cache, so CloudFront caches the paths that do not depend on the
caller (``api_cached_paths``); every other API path is forwarded uncached, with ``Authorization``.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from constructs import Construct

from petplatform_constructs.edge.cdn.props import CdnProps

__all__ = ["API_CACHE_POLICY_CONSTRUCT_ID", "api_behavior", "api_cached_behaviors"]

API_CACHE_POLICY_CONSTRUCT_ID = "ApiCachePolicy"
"""Construct id of the cache policy of ``api_cached_paths``, under the Cdn."""


def api_behavior(
    props: CdnProps, headers: cloudfront.IResponseHeadersPolicy
) -> cloudfront.BehaviorOptions:
    """The API origin: HTTPS only, every method, no caching, every viewer header but Host
    (so ``Authorization`` and the query string reach the API, and the API's own TLS name is
    used)."""
    return cloudfront.BehaviorOptions(
        origin=origins.HttpOrigin(
            props["api_domain"],
            origin_path=props.get("api_origin_path"),
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        ),
        viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
        cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
        origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        response_headers_policy=headers,
        compress=True,
    )


def api_cached_behaviors(
    scope: Construct, props: CdnProps, api: cloudfront.BehaviorOptions
) -> tuple[cloudfront.CachePolicy, dict[str, cloudfront.BehaviorOptions]]:
    """The ``api_cached_paths`` behaviors: the API origin, read-only, with one cache policy
    keyed on path and query string (no header, cookie or ``Authorization``)."""
    ttl = props.get("api_cache_ttl") or Duration.minutes(5)
    policy = cloudfront.CachePolicy(
        scope,
        API_CACHE_POLICY_CONSTRUCT_ID,
        comment="Public API paths: keyed on path and query string, never on the caller",
        header_behavior=cloudfront.CacheHeaderBehavior.none(),
        query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
        cookie_behavior=cloudfront.CacheCookieBehavior.none(),
        enable_accept_encoding_gzip=True,
        enable_accept_encoding_brotli=True,
        min_ttl=Duration.seconds(0),
        default_ttl=ttl,
        max_ttl=Duration.days(1),
    )
    behaviors = {
        path: cloudfront.BehaviorOptions(
            origin=api.origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
            cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
            cache_policy=policy,
            origin_request_policy=api.origin_request_policy,
            response_headers_policy=api.response_headers_policy,
            compress=True,
        )
        for path in props.get("api_cached_paths") or ()
    }
    return policy, behaviors
