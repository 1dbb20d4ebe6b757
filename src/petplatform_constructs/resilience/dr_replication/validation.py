"""Every rule a DrReplication's props must meet, checked together before anything is created."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import describe
from petplatform_constructs.core.exports import check_export_prefix
from petplatform_constructs.core.resources import as_bucket, as_table
from petplatform_constructs.resilience.dr_replication.props import DrReplicationProps

__all__ = ["AWS_REGIONS", "DEFAULT_SCHEDULE", "MAX_CONTINUOUS_DAYS", "DrPlan", "plan_dr"]

AWS_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
        "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
    }
)  # fmt: skip
"""The commercial AWS regions a DR region may be."""

DEFAULT_SCHEDULE = "cron(0 5 * * ? *)"
MAX_CONTINUOUS_DAYS = 35  # AWS Backup's limit on continuous-backup retention.


@dataclass(frozen=True)
class DrPlan:
    """The checked inputs of the DR resources to create."""

    primary_region: str
    dr_region: str
    tables: tuple[dynamodb.TableV2, ...]
    buckets: tuple[s3.Bucket, ...]
    retention_days: int
    copy_retention_days: int
    lock_days: int | None


def _days(problems: Problems, prop: str, value: Duration | None, default: int) -> int:
    if value is None:
        return default
    days = int(value.to_days())
    problems.check(days >= 1, prop, value.to_human_string(), "at least 1 day")
    return days


def _versioned(bucket: s3.Bucket) -> bool:
    cfn = cast(s3.CfnBucket, bucket.node.default_child)
    config = cfn.versioning_configuration
    status = getattr(config, "status", None)
    if isinstance(config, Mapping):
        status = config.get("status")
    return status == "Enabled"


def plan_dr(
    scope: IConstruct,
    problems: Problems,
    props: DrReplicationProps,
    rejected: set[str],
    dr_stack: Stack | None,
) -> DrPlan | None:
    """Check ``props`` and resolve them; ``None`` when a problem was found."""
    stack = Stack.of(scope)
    primary = stack.region
    problems.check(
        not Token.is_unresolved(primary),
        "scope",
        stack.stack_name,
        "a stack with an explicit region (env=Environment(account=..., region=...)): replicas "
        "and copies are created per region",
    )
    dr_region = props.get("dr_region")
    if "dr_region" not in rejected:
        if dr_region is None:
            problems.add("dr_region", None, "the DR region, e.g. 'us-east-1' (required)")
        elif problems.check(
            dr_region in AWS_REGIONS,
            "dr_region",
            dr_region,
            "a known AWS region name such as 'us-east-1' or 'eu-west-1'",
        ):
            problems.check(
                dr_region != primary,
                "dr_region",
                dr_region,
                f"a region other than the primary stack's ({primary}): a replica in the same "
                "region survives no regional outage",
            )
    if dr_stack is not None and dr_region is not None:
        problems.check(
            dr_stack.region == dr_region,
            "dr_stack",
            dr_stack.stack_name,
            f"a stack in dr_region={dr_region!r} (its region is {dr_stack.region})",
        )
    tables: list[dynamodb.TableV2] = []
    for index, value in enumerate(props.get("tables") or () if "tables" not in rejected else ()):
        table = as_table(value)
        if problems.check(
            isinstance(table, dynamodb.TableV2),
            f"tables[{index}]",
            describe(value),
            "a dynamodb.TableV2 (or a DataTable) created in this app: only a global table "
            "gains a replica in place",
        ):
            tables.append(cast(dynamodb.TableV2, table))
    buckets: list[s3.Bucket] = []
    for index, given in enumerate(props.get("buckets") or () if "buckets" not in rejected else ()):
        bucket = as_bucket(given)
        if not problems.check(
            isinstance(bucket, s3.Bucket),
            f"buckets[{index}]",
            describe(given),
            "an s3.Bucket (or a SecureBucket) created in this app: replication is configured on "
            "the bucket resource",
        ):
            continue
        source = cast(s3.Bucket, bucket)
        if not problems.check(
            source.encryption_key is None,
            f"buckets[{index}]",
            describe(given),
            "a bucket encrypted with S3-managed keys: replicating SSE-KMS objects needs a "
            "replica key in the DR region, which DrReplication does not manage",
        ):
            continue
        if problems.check(
            _versioned(source),
            f"buckets[{index}]",
            describe(given),
            "a versioned bucket (versioned=True): S3 replicates only from versioned buckets",
        ):
            buckets.append(source)
    retention = _days(problems, "retention", props.get("retention"), 30)
    copy_retention = _days(problems, "copy_retention", props.get("copy_retention"), retention)
    problems.check(
        copy_retention <= retention,
        "retention",
        f"{retention} days",
        f"at least the copy's retention (copy_retention={copy_retention} days): the DR copy "
        "is kept no longer than the recovery point it copies",
    )
    if props.get("continuous_backup", True):
        problems.check(
            retention <= MAX_CONTINUOUS_DAYS,
            "retention",
            f"{retention} days",
            f"at most {MAX_CONTINUOUS_DAYS} days with continuous_backup (AWS Backup's limit); "
            "set continuous_backup=False for longer retention",
        )
    lock = props.get("vault_lock")
    lock_days = _days(problems, "vault_lock", lock, 1) if lock is not None else None
    if lock_days is not None:
        problems.check(
            lock_days <= retention,
            "vault_lock",
            f"{lock_days} days",
            f"at most the retention ({retention} days), or recovery points could never expire",
        )
    with problems.collecting():
        check_export_prefix(problems.owner, props.get("export_prefix"))
    if problems:
        return None
    assert dr_region is not None
    return DrPlan(
        primary_region=primary,
        dr_region=dr_region,
        tables=tuple(tables),
        buckets=tuple(buckets),
        retention_days=retention,
        copy_retention_days=copy_retention,
        lock_days=lock_days,
    )
