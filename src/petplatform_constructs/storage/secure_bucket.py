"""SecureBucket: one S3 bucket with every safety decision already made, or an imported one.

The general bucket construct of the library: HomeForPup's image/upload buckets, ListBackup's
data/assets/exports buckets and myapp's backend/assets buckets are all instances. Defaults are
private, encrypted (SSE-S3, stated explicitly), TLS-only, ACL-free and stage-aware; every
exception (public read, a CDN, a custom domain) is one explicit prop, validated at synth time.

Two CDK details it settles for its users:

* S3 server access logs are delivered through the log bucket's *policy*, never an ACL, because
  every bucket here is ``BucketOwnerEnforced``. The CDK does that only under the feature flag
  ``@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy``, so each SecureBucket turns the flag on for
  its own subtree. A plain ``s3.Bucket`` used as a log destination needs the flag in ``cdk.json``.
* CloudFront access logs use standard logging v2 (CloudWatch vended logs), the only kind that
  works with ACL-free buckets; legacy logging needs ACLs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from aws_cdk import (
    Annotations,
    CfnOutput,
    Duration,
    Names,
    RemovalPolicy,
    Stack,
    Token,
)
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from petplatform_constructs.core.errors import PropError, require
from petplatform_constructs.core.exports import add_exports, check_export_prefix
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.naming import Naming, ResourceKind, validate_name
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "DEFAULT_ACCESS_LOG_PREFIX",
    "ENTIRE_BUCKET_METRICS_ID",
    "BucketLifecycleRule",
    "CorsPolicy",
    "SecureBucket",
    "StorageTransition",
    "check_transition_days",
]

ENTIRE_BUCKET_METRICS_ID = "EntireBucket"
"""Id of the request-metrics configuration that covers the whole bucket."""

DEFAULT_ACCESS_LOG_PREFIX = "s3-access-logs/"
"""Prefix of server access logs. Keys are partitioned by source account/region/bucket/date."""

_ACCESS_LOGS_FLAG = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"
_NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
_CLOUDFRONT_REGION = "us-east-1"
_INFREQUENT_ACCESS_CLASSES = frozenset({"STANDARD_IA", "ONEZONE_IA"})
_INFREQUENT_ACCESS_MIN_DAYS = 30
_ORIGIN = re.compile(r"\*|https?://[A-Za-z0-9*.\-]+(?::\d{1,5})?")
_DOMAIN = re.compile(r"(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_WEB_ACL = re.compile(r"arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/.+")
_KEY_PREFIX = re.compile(r"[^/*?][^*?]*")
# public_read: the bucket policy may be public, ACLs never.
_PUBLIC_READ_ACCESS = s3.BlockPublicAccess(
    block_public_acls=True,
    ignore_public_acls=True,
    block_public_policy=False,
    restrict_public_buckets=False,
)


# -- typed policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorsPolicy:
    """One CORS rule: which browser origins may call the bucket, with which methods and headers.

    Args:
        allowed_origins: ``"*"`` or ``scheme://host[:port]`` (one ``*`` wildcard allowed, no
            trailing slash: browsers never send one, so such an origin would never match).
        allowed_methods: at least one of GET, PUT, POST, DELETE, HEAD.
        allowed_headers: request headers a preflight may ask for. Default ``["*"]``.
        exposed_headers: response headers scripts may read. Default ``["ETag"]`` (multipart
            uploads need it).
        max_age: how long browsers cache the preflight. Default 1 hour.
    """

    allowed_origins: Sequence[str]
    allowed_methods: Sequence[s3.HttpMethods]
    allowed_headers: Sequence[str] = ("*",)
    exposed_headers: Sequence[str] = ("ETag",)
    max_age: Duration = field(default_factory=lambda: Duration.hours(1))


@dataclass(frozen=True)
class StorageTransition:
    """Move current objects to ``storage_class`` ``after_days`` days after creation.

    ``after_days`` may be 0 for INTELLIGENT_TIERING and the Glacier classes (ListBackup moves
    data to Intelligent-Tiering at day 0); STANDARD_IA and ONEZONE_IA need >= 30.
    """

    storage_class: s3.StorageClass
    after_days: int


@dataclass(frozen=True)
class BucketLifecycleRule:
    """A lifecycle rule in days, validated before it reaches S3.

    Args:
        rule_id: the rule's id. Default: generated by CloudFormation.
        prefix: only objects under this key prefix. Default: the whole bucket.
        transitions: storage-class transitions of current objects.
        expiration_days: delete current objects after this many days (>= 1, and later than
            every transition).
        noncurrent_expiration_days: delete noncurrent versions this many days after they become
            noncurrent (>= 1). Needs versioning; see :class:`SecureBucket`.
        abort_incomplete_multipart_days: abort unfinished multipart uploads after this many
            days (>= 1). Their parts are billed but invisible in listings.
    """

    rule_id: str | None = None
    prefix: str | None = None
    transitions: Sequence[StorageTransition] = ()
    expiration_days: int | None = None
    noncurrent_expiration_days: int | None = None
    abort_incomplete_multipart_days: int | None = None


def check_transition_days(owner: str, prop: str, storage_class: s3.StorageClass, days: int) -> None:
    """Raise :class:`PropError` unless S3 accepts a transition to ``storage_class`` at ``days``."""
    require(days >= 0, owner, prop, days, "days must be >= 0")
    require(
        storage_class.value not in _INFREQUENT_ACCESS_CLASSES
        or days >= _INFREQUENT_ACCESS_MIN_DAYS,
        owner,
        prop,
        days,
        f"S3 moves objects to {storage_class.value} only after at least "
        f"{_INFREQUENT_ACCESS_MIN_DAYS} days",
    )


# -- the construct --------------------------------------------------------------------------------


class SecureBucket(Construct):
    """An S3 bucket that is private, encrypted, TLS-only and stage-aware unless told otherwise.

    Construct ids (a public contract: renaming them replaces the bucket): ``Bucket`` (the
    ``s3.Bucket``), ``Distribution`` (CloudFront, with ``cdn``), ``CdnAccessLogs`` (CloudFront
    log delivery), ``CorsCachePolicy``; outputs ``RegionalDomainName``, ``DistributionDomainName``,
    ``DistributionAliases``, and with ``export_prefix`` ``BucketNameOutput``, ``BucketArnOutput``,
    ``DistributionIdOutput``.

    Args:
        existing_bucket: import mode: wrap this bucket (grants, metrics, exports) and create
            nothing. No creation prop may be given with it.
        name: short name, turned into the physical name by the naming strategy in scope
            (``ResourceKind.S3_BUCKET``).
        bucket_name: literal physical name, validated against S3's rules. Not with ``name``.
            Default (neither): a CloudFormation-generated name, which is recommended because
            bucket names are global across all AWS accounts.
        versioned: versioning. Default: the stage profile's ``bucket_versioning`` (prod-like on).
        cors: one :class:`CorsPolicy` or several. Default: no CORS.
        lifecycle_rules: :class:`BucketLifecycleRule` list. Noncurrent-version expiration with
            ``versioned=False`` is an error (the rule could never act, and the caller said so
            explicitly); when versioning is off only because of the stage profile (dev), the
            noncurrent action is left out of that stage's template, as S3 would never apply it.
        encryption_key: a KMS key: SSE-KMS with an S3 Bucket Key (fewer KMS calls). Default:
            SSE-S3 (AES256), set explicitly so it is visible in the template.
        server_access_logs_bucket: bucket receiving S3 server access logs (and CloudFront logs
            with ``cdn``). Must be SSE-S3 encrypted: S3 cannot deliver logs to SSE-KMS buckets.
            Default: no access logs (opt-in; ``AwsSolutions-S1`` is acknowledged with how to
            enable it).
        server_access_logs_prefix: log key prefix. Default ``s3-access-logs/``; keys are
            partitioned by source account, region, bucket and date, so buckets can share it.
        access_log_destination: this bucket *receives* server access logs: it must stay SSE-S3,
            private and CDN-free; ``AwsSolutions-S1`` is acknowledged because logging it into
            itself would loop. Default False.
        metrics: S3 request metrics for the whole bucket (``MetricsConfigurations`` id
            ``EntireBucket``). Paid CloudWatch metrics. Default False.
        event_bridge: send object events to EventBridge (e.g. to process uploads). Default False.
        public_read: anonymous ``s3:GetObject`` on ``bucket/*``. Sets only
            ``BlockPublicPolicy`` and ``RestrictPublicBuckets`` to false; ACLs stay blocked and
            disabled (``BucketOwnerEnforced``). Deploys only if the *account-level* Block Public
            Access settings are off, which a stack cannot change. Prefer ``cdn``. Not with
            ``cdn`` or ``encryption_key`` (anonymous callers cannot use KMS). Default False.
        cdn: serve the bucket privately through CloudFront with Origin Access Control, HTTPS
            only, GET/HEAD/OPTIONS. Default False.
        custom_domain: alias of the distribution (needs ``cdn`` and ``certificate``).
        certificate: ACM certificate in us-east-1 covering ``custom_domain``; the distribution
            then enforces TLSv1.2_2021 with SNI.
        cdn_geo_allowlist: ISO 3166-1 alpha-2 country codes allowed to fetch. Default: all.
        cdn_web_acl_arn: ARN of a WAFv2 web ACL with CLOUDFRONT scope (us-east-1). Default none.
        cdn_price_class: CloudFront price class. Default ``PRICE_CLASS_100`` (cheapest edges).
        removal_policy: Default: the stage profile's (RETAIN in prod-like stages).
        auto_delete_objects: empty the bucket on stack deletion (a custom resource, Node.js
            Lambda). Default: the profile's ``auto_delete_objects`` (dev only); needs DESTROY.
        export_prefix: export bucket name and ARN (and distribution id) as
            ``{export_prefix}-BucketName`` etc. for other stacks. Default: no exports.
        stage_profile: Default: the profile in scope.
        naming: Default: the naming strategy in scope (used only with ``name``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        existing_bucket: s3.IBucket | None = None,
        name: str | None = None,
        bucket_name: str | None = None,
        versioned: bool | None = None,
        cors: CorsPolicy | Sequence[CorsPolicy] | None = None,
        lifecycle_rules: Sequence[BucketLifecycleRule] = (),
        encryption_key: kms.IKey | None = None,
        server_access_logs_bucket: s3.IBucket | None = None,
        server_access_logs_prefix: str | None = None,
        access_log_destination: bool = False,
        metrics: bool = False,
        event_bridge: bool = False,
        public_read: bool = False,
        cdn: bool = False,
        custom_domain: str | None = None,
        certificate: acm.ICertificate | None = None,
        cdn_geo_allowlist: Sequence[str] = (),
        cdn_web_acl_arn: str | None = None,
        cdn_price_class: cloudfront.PriceClass | None = None,
        removal_policy: RemovalPolicy | None = None,
        auto_delete_objects: bool | None = None,
        export_prefix: str | None = None,
        stage_profile: StageProfile | None = None,
        naming: Naming | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._owner = f"SecureBucket '{self.node.path}'"
        cors_policies = _as_list(cors)
        check_export_prefix(self._owner, export_prefix)

        self.distribution: cloudfront.Distribution | None = None
        """The CloudFront distribution (``cdn=True``), else None."""
        self.cdn_access_logs: logs.CfnDelivery | None = None
        """CloudFront access-log delivery to the log bucket, when one was configured."""
        self.encryption_key: kms.IKey | None = encryption_key
        self.metrics_enabled = metrics
        self.imported = existing_bucket is not None

        if existing_bucket is not None:
            self._reject_creation_props(
                existing_bucket,
                name=name,
                bucket_name=bucket_name,
                versioned=versioned,
                cors=cors_policies or None,
                lifecycle_rules=list(lifecycle_rules) or None,
                encryption_key=encryption_key,
                server_access_logs_bucket=server_access_logs_bucket,
                server_access_logs_prefix=server_access_logs_prefix,
                access_log_destination=access_log_destination or None,
                metrics=metrics or None,
                event_bridge=event_bridge or None,
                public_read=public_read or None,
                cdn=cdn or None,
                custom_domain=custom_domain,
                certificate=certificate,
                cdn_geo_allowlist=list(cdn_geo_allowlist) or None,
                cdn_web_acl_arn=cdn_web_acl_arn,
                cdn_price_class=cdn_price_class,
                removal_policy=removal_policy,
                auto_delete_objects=auto_delete_objects,
            )
            self.bucket: s3.IBucket = existing_bucket
            """The bucket: the created ``s3.Bucket``, or the imported ``IBucket``."""
            self.encryption_key = existing_bucket.encryption_key
            self._add_exports(export_prefix)
            return

        profile = StageProfile.of(self, stage_profile)
        physical_name = self._physical_name(name, bucket_name, naming)
        self._check_exposure(
            public_read=public_read,
            cdn=cdn,
            encryption_key=encryption_key,
            access_log_destination=access_log_destination,
            custom_domain=custom_domain,
            certificate=certificate,
            cdn_geo_allowlist=cdn_geo_allowlist,
            cdn_web_acl_arn=cdn_web_acl_arn,
            cdn_price_class=cdn_price_class,
        )
        self._check_access_logs(server_access_logs_bucket, server_access_logs_prefix)
        cors_rules = [self._cors_rule(index, policy) for index, policy in enumerate(cors_policies)]
        versioning = profile.bucket_versioning if versioned is None else versioned
        rules = [
            rule
            for index, spec in enumerate(lifecycle_rules)
            if (rule := self._lifecycle_rule(index, spec, versioning, versioned is not None))
        ]
        removal = profile.removal_policy if removal_policy is None else removal_policy
        auto_delete = (
            profile.auto_delete_objects and removal == RemovalPolicy.DESTROY
            if auto_delete_objects is None
            else auto_delete_objects
        )
        require(
            not auto_delete or removal == RemovalPolicy.DESTROY,
            self._owner,
            "auto_delete_objects",
            auto_delete_objects,
            f"auto-delete empties the bucket on deletion, which needs RemovalPolicy.DESTROY "
            f"(removal policy in force: {removal})",
        )

        # Log delivery through the bucket policy (ACLs are disabled on every SecureBucket).
        self.node.set_context(_ACCESS_LOGS_FLAG, True)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=physical_name,
            versioned=versioning,
            cors=cors_rules or None,
            lifecycle_rules=rules or None,
            encryption=(
                s3.BucketEncryption.KMS
                if encryption_key is not None
                else s3.BucketEncryption.S3_MANAGED
            ),
            encryption_key=encryption_key,
            bucket_key_enabled=True if encryption_key is not None else None,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            block_public_access=(
                _PUBLIC_READ_ACCESS if public_read else s3.BlockPublicAccess.BLOCK_ALL
            ),
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=server_access_logs_bucket,
            server_access_logs_prefix=(
                (server_access_logs_prefix or DEFAULT_ACCESS_LOG_PREFIX)
                if server_access_logs_bucket
                else None
            ),
            target_object_key_format=(
                s3.TargetObjectKeyFormat.partitioned_prefix(s3.PartitionDateSource.EVENT_TIME)
                if server_access_logs_bucket
                else None
            ),
            metrics=[s3.BucketMetrics(id=ENTIRE_BUCKET_METRICS_ID)] if metrics else None,
            event_bridge_enabled=event_bridge or None,
            removal_policy=removal,
            auto_delete_objects=auto_delete,
        )
        cfn_bucket = cast(s3.CfnBucket, self.bucket.node.default_child)
        self._cfn_bucket = cfn_bucket

        if server_access_logs_bucket is None:
            acknowledge(
                cfn_bucket,
                "AwsSolutions-S1",
                "This bucket is the destination of S3 server access logs; logging it into itself "
                "would loop and a second log bucket would only move the gap. Reads of the logs "
                "can be audited with CloudTrail data events."
                if access_log_destination
                else "Server access logging is opt-in for SecureBucket because it needs a log "
                "bucket and adds storage cost; enable it with server_access_logs_bucket= "
                "(ImageBuckets does so by default with access_logs=True).",
            )
        if event_bridge:
            self._acknowledge_notifications_handler()
        if public_read:
            self._grant_anonymous_read()
        if cdn:
            self.distribution = self._add_distribution(
                cors=bool(cors_policies),
                custom_domain=custom_domain,
                certificate=certificate,
                geo_allowlist=cdn_geo_allowlist,
                web_acl_arn=cdn_web_acl_arn,
                price_class=cdn_price_class or cloudfront.PriceClass.PRICE_CLASS_100,
                log_bucket=server_access_logs_bucket,
            )
        self._add_outputs(custom_domain)
        self._add_exports(export_prefix)

    # -- convenience ---------------------------------------------------------------------------

    @property
    def bucket_name(self) -> str:
        return self.bucket.bucket_name

    @property
    def bucket_arn(self) -> str:
        return self.bucket.bucket_arn

    # -- grants --------------------------------------------------------------------------------

    def register_observability(self, watcher: Watcher) -> None:
        """Watched as a bucket: storage, and requests and errors with request metrics on."""
        watcher.watch_bucket(self)

    def grant_read(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Read objects (and decrypt with the bucket's KMS key, if any)."""
        return self.bucket.grant_read(grantee, objects_key_pattern)

    def grant_write(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Write and delete objects."""
        return self.bucket.grant_write(grantee, objects_key_pattern)

    def grant_read_write(
        self, grantee: iam.IGrantable, objects_key_pattern: str = "*"
    ) -> iam.Grant:
        """Read, write and delete objects."""
        return self.bucket.grant_read_write(grantee, objects_key_pattern)

    def grant_put(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Put objects (no read, no delete)."""
        return self.bucket.grant_put(grantee, objects_key_pattern)

    def grant_delete(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Delete objects."""
        return self.bucket.grant_delete(grantee, objects_key_pattern)

    def grant_presigned_upload(
        self, grantee: iam.IGrantable, key_prefix: str = "uploads/"
    ) -> iam.Grant:
        """Allow ``grantee`` to sign upload URLs for keys under ``key_prefix`` only.

        A presigned URL carries its signer's permissions, so the signer gets exactly
        ``s3:PutObject`` on ``bucket/{key_prefix}*`` (plus encrypt on the bucket's KMS key):
        browsers holding the URL can then create objects there and nothing else.
        """
        require(
            bool(_KEY_PREFIX.fullmatch(key_prefix)),
            self._owner,
            "key_prefix",
            key_prefix,
            "a non-empty key prefix such as 'uploads/', not starting with '/' and without "
            "'*' or '?' (an empty prefix would open the whole bucket)",
        )
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:PutObject"],
            resource_arns=[self.bucket.arn_for_objects(f"{key_prefix}*")],
        )
        if self.encryption_key is not None:
            self.encryption_key.grant_encrypt(grantee)
        return grant

    # -- metrics -------------------------------------------------------------------------------

    def metric_bucket_size_bytes(
        self, *, storage_type: str = "StandardStorage", period: Duration | None = None
    ) -> cloudwatch.Metric:
        """Daily storage metric ``BucketSizeBytes`` of one storage type (free, once a day)."""
        return self._storage_metric("BucketSizeBytes", storage_type, period)

    def metric_number_of_objects(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Daily storage metric ``NumberOfObjects`` (all storage types)."""
        return self._storage_metric("NumberOfObjects", "AllStorageTypes", period)

    def metric_requests(
        self,
        metric_name: str = "AllRequests",
        *,
        statistic: str = "Sum",
        period: Duration | None = None,
    ) -> cloudwatch.Metric:
        """A request metric: ``AllRequests``, ``4xxErrors``, ``5xxErrors``, ``FirstByteLatency``...

        Needs ``metrics=True`` on a created bucket: S3 publishes request metrics only for a
        metrics configuration, here the ``EntireBucket`` one.
        """
        if not self.imported:
            require(
                self.metrics_enabled,
                self._owner,
                "metrics",
                self.metrics_enabled,
                "request metrics exist only with metrics=True",
            )
        return cloudwatch.Metric(
            namespace="AWS/S3",
            metric_name=metric_name,
            dimensions_map={
                "BucketName": self.bucket.bucket_name,
                "FilterId": ENTIRE_BUCKET_METRICS_ID,
            },
            statistic=statistic,
            period=period or Duration.minutes(5),
        )

    def _storage_metric(
        self, metric_name: str, storage_type: str, period: Duration | None
    ) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/S3",
            metric_name=metric_name,
            dimensions_map={"BucketName": self.bucket.bucket_name, "StorageType": storage_type},
            statistic="Average",
            period=period or Duration.days(1),
        )

    # -- validation ----------------------------------------------------------------------------

    def _reject_creation_props(self, existing_bucket: s3.IBucket, **given: object) -> None:
        conflicting = sorted(prop for prop, value in given.items() if value is not None)
        require(
            not conflicting,
            self._owner,
            "existing_bucket",
            existing_bucket.node.path,
            f"an imported bucket cannot take creation props; remove {conflicting} or drop "
            "existing_bucket",
        )

    def _physical_name(
        self, name: str | None, bucket_name: str | None, naming: Naming | None
    ) -> str | None:
        if name is not None and bucket_name is not None:
            raise PropError(
                self._owner,
                "bucket_name",
                bucket_name,
                f"give either name={name!r} (through the naming strategy) or a literal "
                "bucket_name, not both",
            )
        if name is not None:
            try:
                return Naming.of(self, naming).name(name, ResourceKind.S3_BUCKET)
            except PropError as exc:
                produced = (
                    f" (the naming strategy produced {exc.value!r})" if exc.prop == "name" else ""
                )
                raise PropError(self._owner, "name", name, exc.allowed + produced) from exc
        if bucket_name is not None and not Token.is_unresolved(bucket_name):
            try:
                return validate_name(ResourceKind.S3_BUCKET, bucket_name)
            except PropError as exc:
                raise PropError(self._owner, "bucket_name", bucket_name, exc.allowed) from exc
        return bucket_name

    def _check_exposure(
        self,
        *,
        public_read: bool,
        cdn: bool,
        encryption_key: kms.IKey | None,
        access_log_destination: bool,
        custom_domain: str | None,
        certificate: acm.ICertificate | None,
        cdn_geo_allowlist: Sequence[str],
        cdn_web_acl_arn: str | None,
        cdn_price_class: cloudfront.PriceClass | None,
    ) -> None:
        owner = self._owner
        require(
            not (public_read and cdn),
            owner,
            "public_read",
            public_read,
            "public_read and cdn contradict each other: cdn serves the bucket privately "
            "through CloudFront (Origin Access Control), public_read opens the bucket itself; "
            "choose one",
        )
        require(
            not (public_read and encryption_key is not None),
            owner,
            "public_read",
            public_read,
            "anonymous readers cannot decrypt SSE-KMS objects; drop encryption_key (SSE-S3) "
            "or serve the bucket with cdn=True",
        )
        if access_log_destination:
            destination_conflicts: tuple[tuple[str, object], ...] = (
                ("encryption_key", encryption_key),
                ("public_read", public_read or None),
                ("cdn", cdn or None),
            )
            for prop, value in destination_conflicts:
                require(
                    value is None,
                    owner,
                    prop,
                    value,
                    "an access-log destination must stay private and SSE-S3 encrypted "
                    "(S3 cannot deliver server access logs to SSE-KMS buckets)",
                )
        if not cdn:
            cdn_only: tuple[tuple[str, object], ...] = (
                ("custom_domain", custom_domain),
                ("certificate", certificate),
                ("cdn_geo_allowlist", list(cdn_geo_allowlist) or None),
                ("cdn_web_acl_arn", cdn_web_acl_arn),
                ("cdn_price_class", cdn_price_class),
            )
            for prop, value in cdn_only:
                require(
                    value is None,
                    owner,
                    prop,
                    value,
                    "needs cdn=True: S3 cannot serve HTTPS on a custom domain by itself, and "
                    "the other CloudFront settings would be ignored",
                )
            return
        self._check_cdn(custom_domain, certificate, cdn_geo_allowlist, cdn_web_acl_arn)

    def _check_cdn(
        self,
        custom_domain: str | None,
        certificate: acm.ICertificate | None,
        cdn_geo_allowlist: Sequence[str],
        cdn_web_acl_arn: str | None,
    ) -> None:
        owner = self._owner
        if custom_domain is not None:
            require(
                bool(_DOMAIN.fullmatch(custom_domain)),
                owner,
                "custom_domain",
                custom_domain,
                "a lowercase DNS name such as images.example.com (a leading '*.' is allowed)",
            )
        require(
            custom_domain is None or certificate is not None,
            owner,
            "certificate",
            None,
            f"custom_domain={custom_domain!r} needs an ACM certificate (us-east-1) that covers "
            "it: CloudFront serves an alias only with a matching certificate",
        )
        require(
            certificate is None or custom_domain is not None,
            owner,
            "custom_domain",
            None,
            "a certificate was given without custom_domain; give the domain it covers",
        )
        if certificate is not None and not Token.is_unresolved(certificate.certificate_arn):
            region = certificate.certificate_arn.split(":")[3]
            require(
                region == _CLOUDFRONT_REGION,
                owner,
                "certificate",
                certificate.certificate_arn,
                "CloudFront uses ACM certificates from us-east-1 only",
            )
        for code in cdn_geo_allowlist:
            require(
                bool(_COUNTRY.fullmatch(code)),
                owner,
                "cdn_geo_allowlist",
                code,
                "ISO 3166-1 alpha-2 country codes such as 'US' or 'DE'",
            )
        if cdn_web_acl_arn is not None and not Token.is_unresolved(cdn_web_acl_arn):
            require(
                bool(_WEB_ACL.fullmatch(cdn_web_acl_arn)),
                owner,
                "cdn_web_acl_arn",
                cdn_web_acl_arn,
                "the ARN of a WAFv2 web ACL with CLOUDFRONT scope "
                "(arn:aws:wafv2:us-east-1:<account>:global/webacl/...)",
            )

    def _check_access_logs(self, log_bucket: s3.IBucket | None, prefix: str | None) -> None:
        require(
            prefix is None or log_bucket is not None,
            self._owner,
            "server_access_logs_prefix",
            prefix,
            "needs server_access_logs_bucket (without it the CDK would log the bucket into "
            "itself, an endless loop of log objects)",
        )
        if log_bucket is not None:
            require(
                log_bucket.encryption_key is None,
                self._owner,
                "server_access_logs_bucket",
                log_bucket.node.path,
                "S3 delivers server access logs only to SSE-S3 buckets; use a bucket without a "
                "KMS key, e.g. SecureBucket(access_log_destination=True)",
            )

    def _cors_rule(self, index: int, policy: CorsPolicy) -> s3.CorsRule:
        prop = f"cors[{index}]"
        require(
            bool(policy.allowed_origins),
            self._owner,
            f"{prop}.allowed_origins",
            list(policy.allowed_origins),
            "at least one origin, e.g. ['https://app.example.com'] or ['*']",
        )
        require(
            bool(policy.allowed_methods),
            self._owner,
            f"{prop}.allowed_methods",
            list(policy.allowed_methods),
            "at least one of GET, PUT, POST, DELETE, HEAD",
        )
        for origin in policy.allowed_origins:
            require(
                bool(_ORIGIN.fullmatch(origin)) and origin.count("*") <= 1,
                self._owner,
                f"{prop}.allowed_origins",
                origin,
                "'*' or scheme://host[:port] with at most one '*' and no path or trailing '/'",
            )
        for header in policy.allowed_headers:
            require(
                bool(header) and header.count("*") <= 1,
                self._owner,
                f"{prop}.allowed_headers",
                header,
                "non-empty header names with at most one '*' each",
            )
        max_age = policy.max_age.to_seconds()
        require(
            max_age >= 0,
            self._owner,
            f"{prop}.max_age",
            max_age,
            "a non-negative duration",
        )
        return s3.CorsRule(
            allowed_origins=list(policy.allowed_origins),
            allowed_methods=list(policy.allowed_methods),
            allowed_headers=list(policy.allowed_headers) or None,
            exposed_headers=list(policy.exposed_headers) or None,
            max_age=max_age,
        )

    def _lifecycle_rule(
        self,
        index: int,
        spec: BucketLifecycleRule,
        versioning: bool,
        versioning_explicit: bool,
    ) -> s3.LifecycleRule | None:
        prop = f"lifecycle_rules[{index}]"
        owner = self._owner
        for attr, days in (
            ("expiration_days", spec.expiration_days),
            ("noncurrent_expiration_days", spec.noncurrent_expiration_days),
            ("abort_incomplete_multipart_days", spec.abort_incomplete_multipart_days),
        ):
            require(days is None or days >= 1, owner, f"{prop}.{attr}", days, "days must be >= 1")
        seen: set[str] = set()
        for transition in spec.transitions:
            storage_class = transition.storage_class.value
            days = transition.after_days
            where = f"{prop}.transitions[{storage_class}].after_days"
            require(
                storage_class not in seen,
                owner,
                f"{prop}.transitions",
                storage_class,
                "each storage class at most once per rule",
            )
            seen.add(storage_class)
            check_transition_days(owner, where, transition.storage_class, days)
            require(
                spec.expiration_days is None or spec.expiration_days > days,
                owner,
                f"{prop}.expiration_days",
                spec.expiration_days,
                f"expiration must come after every transition ({storage_class} at day {days}); "
                "otherwise the transition is pointless or S3 rejects the rule",
            )
        noncurrent = spec.noncurrent_expiration_days
        if noncurrent is not None and not versioning:
            require(
                not versioning_explicit,
                owner,
                f"{prop}.noncurrent_expiration_days",
                noncurrent,
                "noncurrent versions exist only in versioned buckets, and versioned=False was "
                "given; enable versioning or drop the noncurrent expiration",
            )
            noncurrent = None  # versioning is off in this stage only: S3 would never act on it
        actions = (
            list(spec.transitions),
            spec.expiration_days,
            spec.noncurrent_expiration_days,
            spec.abort_incomplete_multipart_days,
        )
        require(
            any(action for action in actions),
            owner,
            prop,
            spec,
            "a rule needs at least one action: transitions, expiration_days, "
            "noncurrent_expiration_days or abort_incomplete_multipart_days",
        )
        remaining = (
            spec.transitions,
            spec.expiration_days,
            noncurrent,
            spec.abort_incomplete_multipart_days,
        )
        if not any(remaining):
            return None  # only a noncurrent action, left out in an unversioned stage
        return s3.LifecycleRule(
            id=spec.rule_id,
            prefix=spec.prefix,
            transitions=[
                s3.Transition(
                    storage_class=t.storage_class, transition_after=Duration.days(t.after_days)
                )
                for t in spec.transitions
            ]
            or None,
            expiration=_days(spec.expiration_days),
            noncurrent_version_expiration=_days(noncurrent),
            abort_incomplete_multipart_upload_after=_days(spec.abort_incomplete_multipart_days),
        )

    # -- exposure ------------------------------------------------------------------------------

    def _acknowledge_notifications_handler(self) -> None:
        """The CDK's per-stack Lambda that switches on EventBridge notifications."""
        handler = Stack.of(self).node.try_find_child(_NOTIFICATIONS_HANDLER_ID)
        role = handler.node.try_find_child("Role") if handler is not None else None
        if role is not None:
            acknowledge(
                role,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "aws-cdk-lib's BucketNotificationsHandler (it turns on EventBridge delivery at "
                "deploy time) uses AWSLambdaBasicExecutionRole only to write its own logs; its "
                "S3 permission is a separate policy scoped to the buckets that use it.",
            )

    def _grant_anonymous_read(self) -> None:
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="PublicReadGetObject",
                principals=[iam.StarPrincipal()],
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects("*")],
            )
        )
        acknowledge(
            self._cfn_bucket,
            "AwsSolutions-S2",
            "public_read=True was explicitly requested: only BlockPublicPolicy and "
            "RestrictPublicBuckets are off so that the GetObject-only public policy applies; "
            "ACLs stay blocked and disabled (BucketOwnerEnforced).",
        )

    def _add_distribution(
        self,
        *,
        cors: bool,
        custom_domain: str | None,
        certificate: acm.ICertificate | None,
        geo_allowlist: Sequence[str],
        web_acl_arn: str | None,
        price_class: cloudfront.PriceClass,
        log_bucket: s3.IBucket | None,
    ) -> cloudfront.Distribution:
        distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{self.node.path} via Origin Access Control"[:128],
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
                cache_policy=self._cors_cache_policy() if cors else None,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                compress=True,
            ),
            domain_names=[custom_domain] if custom_domain else None,
            certificate=certificate,
            # Only meaningful with a custom certificate; the default one has a fixed policy.
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
            ),
            ssl_support_method=cloudfront.SSLMethod.SNI if certificate else None,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=price_class,
            geo_restriction=(
                cloudfront.GeoRestriction.allowlist(*geo_allowlist) if geo_allowlist else None
            ),
            web_acl_id=web_acl_arn,
        )
        cfn = cast(cloudfront.CfnDistribution, distribution.node.default_child)
        if log_bucket is not None:
            self.cdn_access_logs = self._deliver_cdn_logs(distribution, log_bucket)
        if self.cdn_access_logs is not None:
            cfr3 = (
                "Access logs are delivered with CloudFront standard logging v2 "
                "(AWS::Logs::Delivery) to the access-log bucket; cdk-nag recognizes only legacy "
                "logging, which needs ACL-enabled buckets that this library never creates."
            )
        elif log_bucket is not None:
            cfr3 = (
                "CloudFront log delivery must be configured in us-east-1 and this stack is "
                "elsewhere (or region-agnostic); deploy the distribution from a us-east-1 stack "
                "to get access logs in the log bucket."
            )
        else:
            cfr3 = (
                "Access logging is opt-in: pass server_access_logs_bucket= (ImageBuckets: "
                "access_logs=True) and the distribution logs to it with standard logging v2."
            )
        acknowledge(cfn, "AwsSolutions-CFR3", cfr3)
        if not geo_allowlist:
            acknowledge(
                cfn,
                "AwsSolutions-CFR1",
                "Content is served to every country by design; restrict it with "
                "cdn_geo_allowlist=['US', ...] when a legal or licensing need exists.",
            )
        if web_acl_arn is None:
            acknowledge(
                cfn,
                "AwsSolutions-CFR2",
                "The origin is a private bucket reached only through OAC with GET/HEAD/OPTIONS, "
                "so there is no application layer for WAF rules to protect; attach a CLOUDFRONT "
                "web ACL with cdn_web_acl_arn= for rate limiting or bot control.",
            )
        if certificate is None:
            acknowledge(
                cfn,
                "AwsSolutions-CFR4",
                "Without custom_domain the distribution uses the default *.cloudfront.net "
                "certificate, whose policy CloudFront fixes at TLSv1; set custom_domain and a "
                "us-east-1 certificate to enforce TLSv1.2_2021.",
            )
        return distribution

    def _cors_cache_policy(self) -> cloudfront.ICachePolicy:
        """Cache per CORS request headers, so one origin's CORS answer is not served to another."""
        return cloudfront.CachePolicy(
            self,
            "CorsCachePolicy",
            comment="Caching optimized, keyed on the CORS request headers",
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list(
                "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"
            ),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
            min_ttl=Duration.seconds(1),
            default_ttl=Duration.days(1),
            max_ttl=Duration.days(365),
        )

    def _deliver_cdn_logs(
        self, distribution: cloudfront.Distribution, log_bucket: s3.IBucket
    ) -> logs.CfnDelivery | None:
        stack = Stack.of(self)
        if stack.region != _CLOUDFRONT_REGION:
            Annotations.of(self).add_warning_v2(
                "petplatform:cdn-logs-region",
                "CloudFront access logs are not configured: CloudFront log delivery can only be "
                f"created in {_CLOUDFRONT_REGION}, and this stack's region is {stack.region}.",
            )
            return None
        scope = Construct(self, "CdnAccessLogs")
        name = Names.unique_resource_name(scope, max_length=60)
        source = logs.CfnDeliverySource(
            scope,
            "Source",
            name=name,
            log_type="ACCESS_LOGS",
            resource_arn=distribution.distribution_arn,
        )
        destination = logs.CfnDeliveryDestination(
            scope, "Destination", name=name, destination_resource_arn=log_bucket.bucket_arn
        )
        delivery = logs.CfnDelivery(
            scope,
            "Delivery",
            delivery_source_name=name,
            delivery_destination_arn=destination.attr_arn,
        )
        delivery.add_resource_dependency(source)
        result = log_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("delivery.logs.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[log_bucket.arn_for_objects("*")],
                conditions={
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceAccount": stack.account,
                    },
                    "ArnLike": {"aws:SourceArn": source.attr_arn},
                },
            )
        )
        if result.policy_dependable is not None:
            delivery.node.add_dependency(result.policy_dependable)
        return delivery

    # -- outputs -------------------------------------------------------------------------------

    def _add_outputs(self, custom_domain: str | None) -> None:
        CfnOutput(
            self,
            "RegionalDomainName",
            value=self.bucket.bucket_regional_domain_name,
            description=f"Regional domain name of {self.node.path} (origin for a CDN or DNS)",
        )
        if self.distribution is None:
            return
        CfnOutput(
            self,
            "DistributionDomainName",
            value=self.distribution.distribution_domain_name,
            description=f"CloudFront domain of {self.node.path}; point DNS aliases here",
        )
        if custom_domain:
            CfnOutput(
                self,
                "DistributionAliases",
                value=custom_domain,
                description=f"Aliases (custom domains) of the {self.node.path} distribution",
            )

    def _add_exports(self, export_prefix: str | None) -> None:
        if export_prefix is None:
            return
        exports = {"BucketName": self.bucket.bucket_name, "BucketArn": self.bucket.bucket_arn}
        if self.distribution is not None:
            exports["DistributionId"] = self.distribution.distribution_id
        add_exports(self, export_prefix, exports)


def _as_list(cors: CorsPolicy | Sequence[CorsPolicy] | None) -> list[CorsPolicy]:
    if cors is None:
        return []
    if isinstance(cors, CorsPolicy):
        return [cors]
    return list(cors)


def _days(days: int | None) -> Duration | None:
    return Duration.days(days) if days is not None else None
