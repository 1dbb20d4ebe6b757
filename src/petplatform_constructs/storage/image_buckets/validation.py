"""The rules of ImageBuckets' own props, checked together before any bucket is created.

A prop passed through to one bucket (``public_read``, ``cdn``...) is checked by that
``SecureBucket``, which names itself (``SecureBucket Stack/S3/Images``) in its message.
"""

from __future__ import annotations

from aws_cdk import Token
from aws_cdk import aws_s3 as s3

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.names import ResourceKind, validate_name
from petplatform_constructs.core.rules import check_cors_origins, check_header_names
from petplatform_constructs.storage.image_buckets.props import ROLES, ImageBucketsProps
from petplatform_constructs.storage.secure_bucket import check_days, check_transition_days

__all__ = ["DEFAULT_IMAGE_STORAGE_CLASS", "check_image_buckets"]

DEFAULT_IMAGE_STORAGE_CLASS = s3.StorageClass.INTELLIGENT_TIERING


def check_image_buckets(problems: Problems, props: ImageBucketsProps) -> None:
    """Record every problem of ``props`` (already type-checked)."""
    for role in ROLES:
        short, literal = props.get(f"{role}_name"), props.get(f"{role}_bucket_name")
        problems.check(
            short is None or literal is None,
            f"{role}_bucket_name",
            literal,
            f"give either {role}_name={short!r} (through the naming strategy) or a literal "
            f"{role}_bucket_name, not both",
        )
        if isinstance(literal, str) and not Token.is_unresolved(literal):
            with problems.collecting(f"{role}_bucket_name", literal):
                validate_name(ResourceKind.S3_BUCKET, literal)
    if props.get("access_logs") is False:
        for prop in ("log_name", "log_bucket_name", "access_log_retention_days"):
            value = props.get(prop)
            problems.check(
                value is None,
                prop,
                value,
                "only meaningful with access_logs=True (no log bucket is created)",
            )
    origins = props.get("cors_origins")
    if origins is not None:
        problems.check(
            bool(origins),
            "cors_origins",
            list(origins),
            "at least one origin: browsers upload from and display images on some origin "
            "(default ['*'])",
        )
        check_cors_origins(problems, "cors_origins", origins, wildcard_subdomains=True)
    if props.get("cors_headers") is not None:
        check_header_names(problems, "cors_headers", props.get("cors_headers"))
    if props.get("image_transition_days") is not None:
        check_transition_days(
            problems,
            "image_transition_days",
            props.get("image_storage_class") or DEFAULT_IMAGE_STORAGE_CLASS,
            props.get("image_transition_days"),
        )
    for prop in (
        "upload_expiration_days",
        "image_noncurrent_expiration_days",
        "access_log_retention_days",
    ):
        check_days(problems, prop, props.get(prop))
