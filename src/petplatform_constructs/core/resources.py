"""The library's wrappers where an L2 interface is accepted.

A ``DataTable`` is accepted wherever an ``ITable`` is, a ``SecureBucket`` wherever an
``IBucket`` is, an ``AuthPool`` wherever an ``IUserPool`` is: anything with a ``table``,
``bucket`` or ``user_pool`` attribute holding the L2 resource. No construct class is imported,
so the rule costs nothing at import time and binds no construct to another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:
    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_s3 as s3

__all__ = [
    "BucketLike",
    "HasBucket",
    "HasTable",
    "HasUserPool",
    "TableLike",
    "UserPoolLike",
    "as_bucket",
    "as_table",
    "as_user_pool",
]


class HasTable(Protocol):
    """A wrapper of a DynamoDB table, such as ``DataTable``."""

    @property
    def table(self) -> dynamodb.ITableV2: ...


class HasBucket(Protocol):
    """A wrapper of an S3 bucket, such as ``SecureBucket``."""

    @property
    def bucket(self) -> s3.IBucket: ...


class HasUserPool(Protocol):
    """A wrapper of a Cognito user pool, such as ``AuthPool``."""

    @property
    def user_pool(self) -> cognito.IUserPool: ...


TableLike: TypeAlias = "dynamodb.ITable | dynamodb.ITableV2 | HasTable"
BucketLike: TypeAlias = "s3.IBucket | HasBucket"
UserPoolLike: TypeAlias = "cognito.IUserPool | HasUserPool"


def as_table(value: TableLike) -> dynamodb.ITable:
    """The L2 table of ``value`` (itself, or the ``table`` it wraps)."""
    table = getattr(value, "table", None)
    return value if table is None else table  # type: ignore[return-value]


def as_bucket(value: BucketLike) -> s3.IBucket:
    """The L2 bucket of ``value`` (itself, or the ``bucket`` it wraps)."""
    bucket = getattr(value, "bucket", None)
    return value if bucket is None else bucket  # type: ignore[return-value]


def as_user_pool(value: UserPoolLike) -> cognito.IUserPool:
    """The L2 user pool of ``value`` (itself, or the ``user_pool`` it wraps)."""
    pool = getattr(value, "user_pool", None)
    return value if pool is None else pool  # type: ignore[return-value]
