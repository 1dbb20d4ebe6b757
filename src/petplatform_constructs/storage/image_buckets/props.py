"""ImageBuckets' props, declared once.

How the image bucket is served (``public_read``, ``cdn`` and its shorthands) and the settings
every bucket shares (``encryption_key``, ``stage_profile``, ``naming``) are SecureBucket's own
declarations, inherited; only the group's props are declared here.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_s3 as s3

from petplatform_constructs.storage.secure_bucket import BucketServing, BucketSettings

__all__ = ["DEFAULT_NAMES", "ROLES", "ImageBucketsProps"]

ROLES = ("image", "upload", "log")
"""The three buckets, by the prefix of their props (``image_name``, ``upload_bucket_name``...)."""

DEFAULT_NAMES = {"image": "images", "upload": "uploads", "log": "access-logs"}
"""Short name of each bucket when neither ``{role}_name`` nor ``{role}_bucket_name`` is given."""


class ImageBucketsProps(BucketSettings, BucketServing, total=False):
    """Every prop of :class:`~petplatform_constructs.ImageBuckets`. All optional.

    The serving props (``public_read``, ``cdn``, ``custom_domain``, ``certificate``,
    ``cdn_*``) apply to the image bucket; ``encryption_key`` to the image and upload buckets
    (the log bucket stays SSE-S3, the only encryption S3 log delivery supports).
    """

    image_name: str | None
    """Short name of the image bucket, through the naming strategy and suffixed with
    ``-{account}-{region}`` (as SecureBucket's ``name``). Default ``"images"``; ``None``: a
    CloudFormation-generated (globally unique) name."""
    image_bucket_name: str
    """Literal physical name of the image bucket, used exactly; excludes ``image_name``.
    Default none."""
    upload_name: str | None
    """Like ``image_name``, for the upload bucket. Default ``"uploads"``."""
    upload_bucket_name: str
    """Literal physical name of the upload bucket; excludes ``upload_name``. Default none."""
    log_name: str | None
    """Like ``image_name``, for the access-log bucket (needs ``access_logs``). Default
    ``"access-logs"``."""
    log_bucket_name: str
    """Literal physical name of the access-log bucket; excludes ``log_name``. Default none."""
    cors_origins: Sequence[str]
    """Browser origins allowed by CORS on the image and upload buckets (the library's CORS
    origin rule, ``https://*.example.com`` allowed). Default ``["*"]``."""
    cors_headers: Sequence[str]
    """Request headers allowed by CORS. Default ``["*"]``."""
    image_storage_class: s3.StorageClass
    """Where images go after ``image_transition_days``. Default INTELLIGENT_TIERING (no
    retrieval fees, unlike STANDARD_IA)."""
    image_transition_days: int
    """Days before images move to ``image_storage_class``. Default 90."""
    image_noncurrent_expiration_days: int
    """Days before noncurrent image versions expire (only where images are versioned). Default
    30."""
    image_versioned: bool
    """Versioning of the image bucket. Default: the stage profile's (prod-like stages only)."""
    upload_expiration_days: int
    """Days before uploads expire. Default 7."""
    access_logs: bool
    """Create the access-log bucket and log both buckets (and the CDN) to it. Default True."""
    access_log_retention_days: int
    """Expiry of log objects (needs ``access_logs``). Default: the stage profile's
    ``log_retention_days`` (7 in dev, 30 in staging, 365 in prod)."""
    metrics: bool
    """Request metrics (``EntireBucket``) on the image and upload buckets. Default True."""
    export_prefix: str
    """Export each bucket's name and ARN as ``{prefix}-Images-BucketName`` etc. (and
    ``{prefix}-Images-DistributionId`` with ``cdn``). Default: no exports."""
