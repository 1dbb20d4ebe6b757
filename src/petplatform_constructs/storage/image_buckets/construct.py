"""ImageBuckets: HomeForPup's S3 stack as one construct.

An *image* bucket that serves pictures (private by default; a CDN with ``cdn`` or a public-read
opt-in), a private *upload* bucket where browsers drop files through presigned URLs and whose
objects expire after 7 days, and an *access-log* bucket that receives the server access logs of
both. Each is a :class:`~petplatform_constructs.storage.secure_bucket.SecureBucket`.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.props import prop_names, receive
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.edge.cdn import Cdn, access_logs_supported
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.storage.image_buckets.props import DEFAULT_NAMES, ImageBucketsProps
from petplatform_constructs.storage.image_buckets.validation import (
    DEFAULT_IMAGE_STORAGE_CLASS,
    check_image_buckets,
)
from petplatform_constructs.storage.secure_bucket import (
    BucketLifecycleRule,
    BucketServing,
    CorsPolicy,
    SecureBucket,
    StorageTransition,
)

__all__ = ["ImageBuckets"]

_IMAGE_METHODS = (s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.HEAD)
_UPLOAD_METHODS = (s3.HttpMethods.PUT, s3.HttpMethods.POST)
_SERVING = prop_names(BucketServing)


class ImageBuckets(Construct):
    """Image, upload and access-log buckets with HomeForPup's rules.

    * Image bucket (``Images``): CORS GET/PUT/POST/HEAD; transition to
      ``image_storage_class`` after 90 days, noncurrent versions expire after 30 days, abort
      multipart uploads after 7 days; versioned in prod-like stages; request metrics; private
      unless ``cdn`` or ``public_read``.
    * Upload bucket (``Uploads``): private with all four Block Public Access flags, objects
      expire after 7 days and multipart uploads are aborted after 1 day, never versioned, even
      in prod (temporary data); CORS PUT/POST for browser uploads.
    * Access-log bucket (``AccessLogs``, with ``access_logs``): receives the server access logs
      of both (and the CloudFront logs with ``cdn`` in us-east-1); expires logs after the
      stage's log retention; versioned in prod-like stages, so that a deleted or overwritten
      log object can still be read (noncurrent versions expire after the same retention).

    Buckets are RETAINed in prod-like stages and auto-emptied in dev, from the stage profile.
    Construct ids ``Images``, ``Uploads``, ``AccessLogs`` and each one's ``Bucket`` child are a
    public contract: renaming them replaces the buckets.

    Args:
        scope: parent construct.
        id: construct id of this ImageBuckets.
        props: see :class:`ImageBucketsProps`; every prop is optional and documents its default.

    Raises:
        PropError: every invalid prop of the group at once; a prop passed to one bucket is
            reported by that ``SecureBucket``.
    """

    def __init__(self, scope: Construct, id: str, **props: Unpack[ImageBucketsProps]) -> None:
        super().__init__(scope, id)
        received = receive(f"{type(self).__name__} {self.node.path}", ImageBucketsProps, props)
        problems, valid = received.problems, received.valid
        check_image_buckets(problems, valid)
        problems.raise_if_any()

        profile = StageProfile.of(self, valid.get("stage_profile"))
        shared: dict[str, Any] = {"stage_profile": profile, "naming": valid.get("naming")}
        export_prefix = valid.get("export_prefix")

        def bucket(role: str, construct_id: str, **bucket_props: Any) -> SecureBucket:
            literal = valid.get(f"{role}_bucket_name")
            given: dict[str, Any] = {
                "name": None if literal else valid.get(f"{role}_name", DEFAULT_NAMES[role]),
                "bucket_name": literal,
                "export_prefix": f"{export_prefix}-{construct_id}" if export_prefix else None,
                **shared,
                **bucket_props,
            }
            return SecureBucket(self, construct_id, **given)

        self.log_bucket: SecureBucket | None = None
        """The access-log bucket (``access_logs``, the default), else None."""
        if valid.get("access_logs", True):
            retention = valid.get("access_log_retention_days") or profile.log_retention_days
            self.log_bucket = bucket(
                "log",
                "AccessLogs",
                access_log_destination=True,
                # A CDN outside us-east-1 writes its standard logs here too, with ACLs.
                cloudfront_log_destination=(
                    bool(valid.get("cdn")) and not access_logs_supported(self)
                )
                or None,
                versioned=None,  # the stage profile's: on in prod-like stages
                lifecycle_rules=[
                    BucketLifecycleRule(
                        rule_id="ExpireAccessLogs",
                        expiration_days=retention,
                        noncurrent_expiration_days=retention,
                        abort_incomplete_multipart_days=1,
                    )
                ],
            )
        origins = list(valid.get("cors_origins") or ("*",))
        headers = list(valid.get("cors_headers") or ("*",))
        storage_class = valid.get("image_storage_class") or DEFAULT_IMAGE_STORAGE_CLASS
        metrics = valid.get("metrics", True)
        per_bucket = {
            "encryption_key": valid.get("encryption_key"),
            "server_access_logs_bucket": self.log_bucket.bucket if self.log_bucket else None,
            "metrics": metrics,
        }
        self.image_bucket = bucket(
            "image",
            "Images",
            versioned=valid.get("image_versioned"),
            cors=CorsPolicy(
                allowed_origins=origins, allowed_methods=_IMAGE_METHODS, allowed_headers=headers
            ),
            lifecycle_rules=[
                BucketLifecycleRule(
                    rule_id="OptimizeImageStorage",
                    transitions=[
                        StorageTransition(storage_class, valid.get("image_transition_days", 90))
                    ],
                    noncurrent_expiration_days=valid.get("image_noncurrent_expiration_days", 30),
                    abort_incomplete_multipart_days=7,
                )
            ],
            **per_bucket,
            **{k: v for k, v in valid.items() if k in _SERVING},
        )
        """The image bucket."""
        self.upload_bucket = bucket(
            "upload",
            "Uploads",
            versioned=False,
            cors=CorsPolicy(
                allowed_origins=origins, allowed_methods=_UPLOAD_METHODS, allowed_headers=headers
            ),
            lifecycle_rules=[
                BucketLifecycleRule(
                    rule_id="ExpireTemporaryUploads",
                    expiration_days=valid.get("upload_expiration_days", 7),
                    abort_incomplete_multipart_days=1,
                )
            ],
            **per_bucket,
        )
        """The private upload bucket (temporary objects)."""

    @property
    def cdn(self) -> Cdn | None:
        """The image bucket's ``Cdn`` (``cdn``), else None."""
        return self.image_bucket.cdn

    @property
    def distribution(self) -> cloudfront.Distribution | None:
        """The image distribution (``cdn``), else None."""
        return self.image_bucket.distribution

    @property
    def buckets(self) -> tuple[SecureBucket, ...]:
        """Every bucket created, log bucket last."""
        extra = (self.log_bucket,) if self.log_bucket else ()
        return (self.image_bucket, self.upload_bucket, *extra)

    # -- grants for the upload -> process -> serve flow ----------------------------------------
    def register_observability(self, watcher: Watcher) -> None:
        """Watched bucket by bucket (buckets watched already keep their settings), and the
        image CDN's error rates."""
        for bucket in self.buckets:
            if not watcher.is_watched(bucket):
                watcher.watch_bucket(bucket)
            if bucket.cdn is not None:
                bucket.cdn.register_observability(watcher)

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
