"""ImageBuckets: HomeForPup's S3 stack as one construct.

An *image* bucket that serves pictures (private by default; CloudFront with ``cdn=True`` or a
public-read opt-in), a private *upload* bucket where browsers drop files through presigned URLs
and whose objects expire after 7 days, and an *access-log* bucket that receives the server access
logs of both. Each is a :class:`~petplatform_constructs.storage.secure_bucket.SecureBucket`.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from petplatform_constructs.core.errors import PropError, require
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.platform.naming import Naming, ResourceKind, validate_name
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.storage.secure_bucket import (
    BucketLifecycleRule,
    CorsPolicy,
    SecureBucket,
    StorageTransition,
    check_transition_days,
)

__all__ = ["ImageBuckets"]

_IMAGE_METHODS = (s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.HEAD)
_UPLOAD_METHODS = (s3.HttpMethods.PUT, s3.HttpMethods.POST)


class ImageBuckets(Construct):
    """Image, upload and access-log buckets with HomeForPup's rules.

    * Image bucket (``Images``): CORS GET/PUT/POST/HEAD; transition to
      ``image_storage_class`` after 90 days, noncurrent versions expire after 30 days, abort
      multipart uploads after 7 days; versioned in prod-like stages;
      request metrics; private unless ``cdn`` or ``public_read``.
    * Upload bucket (``Uploads``): private with all four Block Public Access flags,
      objects expire after 7 days and multipart uploads are aborted after 1 day,
      never versioned, even in prod (temporary data); CORS PUT/POST for browser uploads.
    * Access-log bucket (``AccessLogs``, with ``access_logs``): receives the server access logs
      of both (and the CloudFront logs with ``cdn``); expires logs after the stage's log
      retention; not versioned (log objects are written once).

    Buckets are RETAINed in prod-like stages and auto-emptied in dev, from the stage
    profile. Construct ids ``Images``, ``Uploads``, ``AccessLogs`` and each one's ``Bucket``
    child are a public contract: renaming them replaces the buckets.

    Args:
        image_name: short name of the image bucket, through the naming strategy. ``None``: a
            CloudFormation-generated name (globally unique). Default ``"images"``.
        image_bucket_name: literal physical name; overrides ``image_name``.
        upload_name: like ``image_name``. Default ``"uploads"``.
        upload_bucket_name: literal; overrides ``upload_name``.
        log_name: like ``image_name``. Default ``"access-logs"``.
        log_bucket_name: literal; overrides ``log_name``. Needs ``access_logs``.
        cors_origins: browser origins allowed by CORS on both buckets. Default ``["*"]``.
        cors_headers: request headers allowed by CORS. Default ``["*"]``.
        image_storage_class: where images go after ``image_transition_days``. Default
            INTELLIGENT_TIERING (no retrieval fees, unlike STANDARD_IA).
        image_transition_days: Default 90.
        image_noncurrent_expiration_days: Default 30 (only acts where images are versioned).
        image_versioned: Default: the stage profile (prod-like stages only).
        upload_expiration_days: Default 7.
        public_read: anonymous GetObject on the image bucket; see
            :class:`~petplatform_constructs.storage.secure_bucket.SecureBucket` (account-level Block
            Public Access must be off). Default False.
        cdn: serve images through CloudFront with Origin Access Control. Default False.
        custom_domain: CloudFront alias of the image distribution (with ``certificate``).
        certificate: us-east-1 ACM certificate for ``custom_domain``.
        cdn_geo_allowlist: country codes allowed by CloudFront. Default: all.
        cdn_web_acl_arn: CLOUDFRONT-scope WAFv2 web ACL. Default: none.
        cdn_price_class: Default ``PRICE_CLASS_100``.
        access_logs: create the access-log bucket and log both buckets to it. Default True.
        access_log_retention_days: expiry of log objects. Default: the stage profile's
            ``log_retention_days`` (7 in dev, 30 in staging, 365 in prod).
        metrics: request metrics (``EntireBucket``) on image and upload buckets. Default True.
        encryption_key: KMS key for the image and upload buckets (the log bucket stays SSE-S3,
            the only encryption S3 log delivery supports). Default: SSE-S3.
        export_prefix: export names and ARNs as ``{prefix}-Images-BucketName`` etc.
        stage_profile: Default: the profile in scope.
        naming: Default: the naming strategy in scope.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        image_name: str | None = "images",
        image_bucket_name: str | None = None,
        upload_name: str | None = "uploads",
        upload_bucket_name: str | None = None,
        log_name: str | None = "access-logs",
        log_bucket_name: str | None = None,
        cors_origins: Sequence[str] = ("*",),
        cors_headers: Sequence[str] = ("*",),
        image_storage_class: s3.StorageClass | None = None,
        image_transition_days: int = 90,
        image_noncurrent_expiration_days: int = 30,
        image_versioned: bool | None = None,
        upload_expiration_days: int = 7,
        public_read: bool = False,
        cdn: bool = False,
        custom_domain: str | None = None,
        certificate: acm.ICertificate | None = None,
        cdn_geo_allowlist: Sequence[str] = (),
        cdn_web_acl_arn: str | None = None,
        cdn_price_class: cloudfront.PriceClass | None = None,
        access_logs: bool = True,
        access_log_retention_days: int | None = None,
        metrics: bool = True,
        encryption_key: kms.IKey | None = None,
        export_prefix: str | None = None,
        stage_profile: StageProfile | None = None,
        naming: Naming | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        owner = f"ImageBuckets '{self.node.path}'"
        profile = StageProfile.of(self, stage_profile)
        if not access_logs:
            for prop, value in (
                ("log_bucket_name", log_bucket_name),
                ("access_log_retention_days", access_log_retention_days),
            ):
                require(
                    value is None,
                    owner,
                    prop,
                    value,
                    "only meaningful with access_logs=True (no log bucket is created)",
                )
        retention = (
            profile.log_retention_days
            if access_log_retention_days is None
            else access_log_retention_days
        )
        for prop, literal in (
            ("image_bucket_name", image_bucket_name),
            ("upload_bucket_name", upload_bucket_name),
            ("log_bucket_name", log_bucket_name),
        ):
            if literal is not None and not Token.is_unresolved(literal):
                try:
                    validate_name(ResourceKind.S3_BUCKET, literal)
                except PropError as exc:
                    raise PropError(owner, prop, literal, exc.allowed) from exc
        require(
            bool(cors_origins),
            owner,
            "cors_origins",
            list(cors_origins),
            "at least one origin: browsers upload from and display images on some origin "
            "(default ['*'])",
        )
        storage_class = image_storage_class or s3.StorageClass.INTELLIGENT_TIERING
        check_transition_days(owner, "image_transition_days", storage_class, image_transition_days)
        for prop, days in (
            ("upload_expiration_days", upload_expiration_days),
            ("image_noncurrent_expiration_days", image_noncurrent_expiration_days),
            ("access_log_retention_days", retention),
        ):
            require(days >= 1, owner, prop, days, "days must be >= 1")

        def exports(role: str) -> str | None:
            return f"{export_prefix}-{role}" if export_prefix else None

        self.log_bucket: SecureBucket | None = None
        """The access-log bucket (``access_logs=True``), else None."""
        if access_logs:
            self.log_bucket = SecureBucket(
                self,
                "AccessLogs",
                name=None if log_bucket_name else log_name,
                bucket_name=log_bucket_name,
                access_log_destination=True,
                versioned=False,
                lifecycle_rules=[
                    BucketLifecycleRule(
                        rule_id="ExpireAccessLogs",
                        expiration_days=retention,
                        abort_incomplete_multipart_days=1,
                    )
                ],
                export_prefix=exports("AccessLogs"),
                stage_profile=profile,
                naming=naming,
            )
        log_target = self.log_bucket.bucket if self.log_bucket else None

        self.image_bucket = SecureBucket(
            self,
            "Images",
            name=None if image_bucket_name else image_name,
            bucket_name=image_bucket_name,
            versioned=image_versioned,
            cors=CorsPolicy(
                allowed_origins=list(cors_origins),
                allowed_methods=list(_IMAGE_METHODS),
                allowed_headers=list(cors_headers),
            ),
            lifecycle_rules=[
                BucketLifecycleRule(
                    rule_id="OptimizeImageStorage",
                    transitions=[StorageTransition(storage_class, image_transition_days)],
                    noncurrent_expiration_days=image_noncurrent_expiration_days,
                    abort_incomplete_multipart_days=7,
                )
            ],
            encryption_key=encryption_key,
            server_access_logs_bucket=log_target,
            metrics=metrics,
            public_read=public_read,
            cdn=cdn,
            custom_domain=custom_domain,
            certificate=certificate,
            cdn_geo_allowlist=cdn_geo_allowlist,
            cdn_web_acl_arn=cdn_web_acl_arn,
            cdn_price_class=cdn_price_class,
            export_prefix=exports("Images"),
            stage_profile=profile,
            naming=naming,
        )
        """The image bucket."""
        self.upload_bucket = SecureBucket(
            self,
            "Uploads",
            name=None if upload_bucket_name else upload_name,
            bucket_name=upload_bucket_name,
            versioned=False,
            cors=CorsPolicy(
                allowed_origins=list(cors_origins),
                allowed_methods=list(_UPLOAD_METHODS),
                allowed_headers=list(cors_headers),
            ),
            lifecycle_rules=[
                BucketLifecycleRule(
                    rule_id="ExpireTemporaryUploads",
                    expiration_days=upload_expiration_days,
                    abort_incomplete_multipart_days=1,
                )
            ],
            encryption_key=encryption_key,
            server_access_logs_bucket=log_target,
            metrics=metrics,
            export_prefix=exports("Uploads"),
            stage_profile=profile,
            naming=naming,
        )
        """The private upload bucket (temporary objects)."""

    @property
    def distribution(self) -> cloudfront.Distribution | None:
        """The image distribution (``cdn=True``), else None."""
        return self.image_bucket.distribution

    @property
    def buckets(self) -> tuple[SecureBucket, ...]:
        """Every bucket created, log bucket last."""
        extra = (self.log_bucket,) if self.log_bucket else ()
        return (self.image_bucket, self.upload_bucket, *extra)

    # -- grants for the upload -> process -> serve flow ----------------------------------------

    def register_observability(self, watcher: Watcher) -> None:
        """Watched bucket by bucket (buckets watched already keep their settings)."""
        for bucket in self.buckets:
            if not watcher.is_watched(bucket):
                watcher.watch_bucket(bucket)

    def grant_upload(self, grantee: iam.IGrantable, key_prefix: str = "uploads/") -> iam.Grant:
        """Let ``grantee`` sign presigned PUT URLs into the upload bucket under ``key_prefix``."""
        return self.upload_bucket.grant_presigned_upload(grantee, key_prefix)

    def grant_read_images(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read images (e.g. an API that streams or signs GET URLs)."""
        return self.image_bucket.grant_read(grantee)

    def grant_process_uploads(self, grantee: iam.IGrantable) -> None:
        """What an upload processor needs: read and delete uploads, put images."""
        self.upload_bucket.grant_read(grantee)
        self.upload_bucket.grant_delete(grantee)
        self.image_bucket.grant_put(grantee)

    def grant_read_write(self, grantee: iam.IGrantable) -> None:
        """Read, write and delete objects in the image and upload buckets."""
        self.image_bucket.grant_read_write(grantee)
        self.upload_bucket.grant_read_write(grantee)
