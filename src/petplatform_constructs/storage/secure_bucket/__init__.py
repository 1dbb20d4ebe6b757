"""SecureBucket: a private, encrypted, TLS-only S3 bucket, its props and their rules."""

from petplatform_constructs.storage.secure_bucket.construct import (
    BUCKET_CONSTRUCT_ID,
    CDN_CONSTRUCT_ID,
    ENTIRE_BUCKET_METRICS_ID,
    SecureBucket,
)
from petplatform_constructs.storage.secure_bucket.props import (
    DEFAULT_ACCESS_LOG_PREFIX,
    BucketLifecycleRule,
    BucketServing,
    BucketSettings,
    CorsPolicy,
    SecureBucketProps,
    StorageTransition,
)
from petplatform_constructs.storage.secure_bucket.validation import (
    check_days,
    check_transition_days,
)

__all__ = [
    "BUCKET_CONSTRUCT_ID",
    "CDN_CONSTRUCT_ID",
    "DEFAULT_ACCESS_LOG_PREFIX",
    "ENTIRE_BUCKET_METRICS_ID",
    "BucketLifecycleRule",
    "BucketServing",
    "BucketSettings",
    "CorsPolicy",
    "SecureBucket",
    "SecureBucketProps",
    "StorageTransition",
    "check_days",
    "check_transition_days",
]
