"""Cdn: a CloudFront distribution in front of a private S3 bucket (Origin Access Control), an API,
or both.

The bucket keeps all four Block Public Access flags: its policy allows only
``cloudfront.amazonaws.com`` with this distribution's ``AWS:SourceArn`` (and a KMS key in the
same stack gets the matching decrypt grant). Access logs are always on, unless turned off with a
reason: standard logging v2 (CloudWatch vended logs) into an existing bucket, or standard
logging into a log bucket the Cdn creates (see :mod:`.access_logs`).
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Fn
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct, IConstruct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import describe
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.resources import BucketLike, as_bucket
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.edge.cdn.access_logs import (
    ACCESS_LOGS_CONSTRUCT_ID,
    LOG_FILE_PREFIX,
    create_log_bucket,
    deliver_access_logs,
)
from petplatform_constructs.edge.cdn.api_origin import api_behavior, api_cached_behaviors
from petplatform_constructs.edge.cdn.findings import report_findings
from petplatform_constructs.edge.cdn.props import CdnProps
from petplatform_constructs.edge.cdn.validation import MAX_COMMENT_LENGTH, CdnPlan, plan_cdn
from petplatform_constructs.edge.cdn.waf import cloudfront_web_acl
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["ACCESS_LOGS_CONSTRUCT_ID", "DISTRIBUTION_CONSTRUCT_ID", "Cdn"]

DISTRIBUTION_CONSTRUCT_ID = "Distribution"
"""Construct id of the ``cloudfront.Distribution`` inside every Cdn (its Origin Access Control
is ``Distribution/Origin1/S3OriginAccessControl``). Public contract: never change it."""

_CORS_HEADERS = ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")


class Cdn(Construct):
    """CloudFront in front of an S3 bucket: HTTPS only, GET/HEAD/OPTIONS, HTTP/2 and HTTP/3.

    Construct ids (a public contract: renaming them replaces the resources): ``Distribution``
    (:data:`DISTRIBUTION_CONSTRUCT_ID`), ``CorsCachePolicy`` (with ``cors_cache_key``),
    ``CdnAccessLogs/Source``, ``/Destination`` and ``/Delivery`` (with ``access_logs_bucket`` in
    us-east-1), ``AccessLogsBucket`` (without ``access_logs_bucket``: logs are always on unless
    ``access_logs_disabled_reason`` says why not), ``WebAcl`` (with ``waf``), ``AliasRecord``
    and ``AliasRecordIpv6`` (with ``hosted_zone``);
    outputs ``DistributionDomainName``, ``DistributionAliases`` (with ``custom_domain``) and, with
    ``export_prefix``, ``DistributionIdOutput``.

    Args:
        scope: parent construct.
        id: construct id of this Cdn.
        bucket: the S3 origin: an ``s3.IBucket`` or a wrapper with a ``bucket`` attribute (such
            as ``SecureBucket``). Required unless ``api_domain`` is given.
        props: see :class:`CdnProps`; every prop is optional and documents its default.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket: BucketLike | None = None,
        **props: Unpack[CdnProps],
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        self.outputs: dict[str, CfnOutput] = {}
        """Exported CfnOutputs by attribute (``DistributionId``, with ``export_prefix``)."""
        self.access_logs: logs.CfnDelivery | None = None
        """The standard-logging-v2 delivery (``access_logs_bucket``), else None."""
        self.log_bucket: s3.IBucket | None = None
        """The bucket receiving the access logs (created, or ``access_logs_bucket``); None when
        ``access_logs_disabled_reason`` turned them off."""
        self.web_acl: wafv2.CfnWebACL | None = None
        """The CLOUDFRONT web ACL created with ``waf``, else None."""
        self.cache_policy: cloudfront.CachePolicy | None = None
        """The CORS cache policy (``cors_cache_key``), else None (CloudFront's default)."""

        problems = Problems(self._owner)
        origin = as_bucket(bucket) if bucket is not None else None
        if bucket is None:
            problems.check(
                props.get("api_domain") is not None,
                "bucket",
                None,
                "an origin: a bucket, an api_domain, or both",
            )
        else:
            problems.check(
                isinstance(getattr(origin, "bucket_arn", None), str),
                "bucket",
                describe(bucket) if hasattr(bucket, "node") else bucket,
                "an s3.IBucket, or a wrapper with a bucket attribute such as SecureBucket",
            )
        plan = plan_cdn(self, problems, props)
        problems.raise_if_any()
        assert plan is not None  # no problems, so the plan exists

        self.bucket: s3.IBucket | None = origin
        """The origin bucket, or None for an API-only distribution."""
        self.alias_records: list[route53.RecordSet] = []
        """The A and AAAA alias records (with ``hosted_zone``)."""
        self.default_certificate = props.get("certificate") is None
        """Whether viewers get CloudFront's default ``*.cloudfront.net`` certificate."""
        if plan.create_log_bucket:
            self.log_bucket = create_log_bucket(self, StageProfile.of(self))
        elif plan.standard_logs_bucket is not None:
            self.log_bucket = plan.standard_logs_bucket
        if plan.waf:
            self.web_acl = cloudfront_web_acl(self)
        self.distribution = self._distribution(plan, props)
        """The ``cloudfront.Distribution``."""
        if plan.access_logs_bucket is not None:
            self.log_bucket = plan.access_logs_bucket
            self.access_logs = deliver_access_logs(
                self, self.distribution.distribution_arn, plan.access_logs_bucket
            )
        self._alias_records(props)
        report_findings(
            self.distribution,
            props,
            access_logs=self.log_bucket is not None,
            logging_v2=self.access_logs is not None,
            geo_allowlist=bool(plan.geo_allowlist),
            web_acl=self.web_acl is not None or props.get("web_acl_arn") is not None,
        )
        self._add_outputs(props)

    # -- build ----------------------------------------------------------------------------------
    def _distribution(self, plan: CdnPlan, props: CdnProps) -> cloudfront.Distribution:
        if props.get("cors_cache_key"):
            self.cache_policy = self._cors_cache_policy()
        certificate = props.get("certificate")
        custom_domain = props.get("custom_domain")
        headers = (
            props.get("response_headers_policy")
            or cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS
        )
        api = api_behavior(props, headers) if props.get("api_domain") else None
        self.api_cache_policy: cloudfront.CachePolicy | None = None
        """The cache policy of ``api_cached_paths``, if any."""
        cached: dict[str, cloudfront.BehaviorOptions] = {}
        if api is not None and props.get("api_cached_paths"):
            self.api_cache_policy, cached = api_cached_behaviors(self, props, api)
        if self.bucket is not None:
            default = cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
                cache_policy=self.cache_policy,
                response_headers_policy=headers,
                compress=True,
            )
            extra = {plan.api_path_pattern: api, **cached} if api is not None else None
            comment = f"{display_path(self)} via Origin Access Control"
        else:
            assert api is not None
            default, extra = api, cached or None
            comment = f"{display_path(self)} in front of an API"
        return cloudfront.Distribution(
            self,
            DISTRIBUTION_CONSTRUCT_ID,
            comment=props.get("comment") or comment[:MAX_COMMENT_LENGTH],
            default_behavior=default,
            additional_behaviors=extra,
            domain_names=[custom_domain] if custom_domain else None,
            certificate=certificate,
            # Only meaningful with a custom certificate; the default one has a fixed policy.
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
            ),
            ssl_support_method=cloudfront.SSLMethod.SNI if certificate else None,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=plan.price_class,
            geo_restriction=(
                cloudfront.GeoRestriction.allowlist(*plan.geo_allowlist)
                if plan.geo_allowlist
                else None
            ),
            web_acl_id=(
                self.web_acl.attr_arn if self.web_acl is not None else props.get("web_acl_arn")
            ),
            # Standard logging into an ACL-enabled bucket; v2 delivery is added after.
            enable_logging=True if self.log_bucket is not None else None,
            log_bucket=self.log_bucket,
            log_file_prefix=LOG_FILE_PREFIX if self.log_bucket is not None else None,
        )

    def _alias_records(self, props: CdnProps) -> None:
        zone, domain = props.get("hosted_zone"), props.get("custom_domain")
        if zone is None or domain is None:
            return
        target = route53.RecordTarget.from_alias(targets.CloudFrontTarget(self.distribution))
        self.alias_records = [
            route53.ARecord(self, "AliasRecord", zone=zone, record_name=domain, target=target),
            route53.AaaaRecord(
                self, "AliasRecordIpv6", zone=zone, record_name=domain, target=target
            ),
        ]

    @staticmethod
    def api_domain_of(api: object) -> str:
        """The domain of an HTTP API (``api_endpoint``) or a REST API (``url``), for
        ``api_domain``: ``https://abc.execute-api.<region>.amazonaws.com/...`` -> the host."""
        url = getattr(api, "api_endpoint", None) or getattr(api, "url", None)
        if not isinstance(url, str):
            raise TypeError(f"{api!r} has neither api_endpoint nor url")
        return Fn.select(2, Fn.split("/", url))

    def _cors_cache_policy(self) -> cloudfront.CachePolicy:
        """Cache per CORS request headers, so one origin's CORS answer is not served to another."""
        return cloudfront.CachePolicy(
            self,
            "CorsCachePolicy",
            comment="Caching optimized, keyed on the CORS request headers",
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list(*_CORS_HEADERS),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
            min_ttl=Duration.seconds(1),
            default_ttl=Duration.days(1),
            max_ttl=Duration.days(365),
        )

    def _add_outputs(self, props: CdnProps) -> None:
        label = display_path(self)
        CfnOutput(
            self,
            "DistributionDomainName",
            value=self.distribution.distribution_domain_name,
            description=f"CloudFront domain of {label}; point DNS aliases here",
        )
        custom_domain = props.get("custom_domain")
        if custom_domain:
            CfnOutput(
                self,
                "DistributionAliases",
                value=custom_domain,
                description=f"Aliases (custom domains) of the {label} distribution",
            )
        export_prefix = props.get("export_prefix")
        if export_prefix is not None:
            self.outputs.update(
                add_exports(self, export_prefix, {"DistributionId": self.distribution_id})
            )

    # -- attributes, grants, metrics -------------------------------------------------------------
    @property
    def distribution_id(self) -> str:
        """The distribution id (a token)."""
        return self.distribution.distribution_id

    @property
    def domain_name(self) -> str:
        """The ``*.cloudfront.net`` domain name (a token); point DNS aliases here."""
        return self.distribution.distribution_domain_name

    def grant_create_invalidation(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invalidate cached objects (e.g. a deploy job)."""
        return self.distribution.grant_create_invalidation(grantee)

    def metric_requests(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Viewer requests (Sum). CloudFront publishes its metrics in us-east-1 only."""
        return self.distribution.metric_requests(period=period)

    def metric_5xx_error_rate(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Percentage of viewer requests answered with a 5xx status (Average)."""
        return self.distribution.metric5xx_error_rate(period=period)

    def register_observability(self, watcher: Watcher) -> None:
        """5xx, 4xx and total error rates (us-east-1 metrics); an alarm on the 5xx rate where
        the pack's stack can hold one."""
        if not watcher.is_watched(self.distribution):
            watcher.watch_distribution(self.distribution)


def display_path(construct: IConstruct) -> str:
    """``construct``'s path as its users know it: a ``Default`` id is hidden, as in logical ids.

    A ``SecureBucket`` holds its Cdn under the id ``Default`` so the CloudFront resources keep
    the logical ids they had as the bucket's own children; comments and output descriptions
    leave it out the same way.
    """
    return "/".join(part for part in construct.node.path.split("/") if part != "Default")
