"""Every rule a DrReplication's props must meet, checked together before anything is created."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import describe
from petplatform_constructs.core.props import check_fields
from petplatform_constructs.core.resources import as_bucket, as_table
from petplatform_constructs.core.rules import check_domain_name
from petplatform_constructs.resilience.dr_replication.props import DnsFailover, DrReplicationProps
from petplatform_constructs.resilience.dr_replication.routing import fqdn

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
    if props.get("replication_time_control") and props.get("replication_metrics") is False:
        problems.add(
            "replication_metrics",
            False,
            "True (or unset) with replication_time_control: S3 RTC requires replication metrics",
        )
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
    routing = props.get("dns_failover") if "dns_failover" not in rejected else None
    if routing is not None:
        _check_routing(problems, routing)
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


def _check_routing(problems: Problems, routing: DnsFailover) -> None:
    prop = "dns_failover"
    wrong = check_fields(problems, prop, routing)
    zone_name: str | None = None
    if "zone" not in wrong:
        try:
            zone_name = routing.zone.zone_name
        except Exception:  # jsii: an imported zone without its name
            zone_name = None
        problems.check(
            zone_name is not None and not Token.is_unresolved(routing.zone.hosted_zone_id),
            f"{prop}.zone",
            describe(routing.zone),
            "a hosted zone with a literal id and name (HostedZone.from_hosted_zone_attributes): "
            "the DR stack's records are in another region and refer to the zone by id",
        )
    full: str | None = None
    if zone_name is not None and "record_name" not in wrong:
        full = fqdn(routing)
        check_domain_name(problems, f"{prop}.record_name", full)
    kinds = set()
    for side in ("primary", "secondary"):
        target = getattr(routing, side)
        if side in wrong:
            continue
        if isinstance(target, str):
            kinds.add("a domain name")
            check_domain_name(problems, f"{prop}.{side}", target)
            problems.check(
                full is None or full.rstrip(".") != (zone_name or "").rstrip("."),
                f"{prop}.{side}",
                target,
                "an alias target at the zone apex: a domain name makes a CNAME record, which "
                "Route 53 does not allow at the apex",
            )
        elif problems.check(
            cast(route53.RecordTarget, target).alias_target is not None,
            f"{prop}.{side}",
            describe(target),
            "an alias target (RecordTarget.from_alias(...)) or a domain name: the health check "
            "needs the endpoint's DNS name",
        ):
            kinds.add("an alias target")
    problems.check(
        len(kinds) <= 1,
        f"{prop}.secondary",
        describe(routing.secondary),
        f"the same kind of target as primary ({', '.join(sorted(kinds))} were mixed): failover "
        "records of one name must be of one record type",
    )
    if "health_check_path" not in wrong:
        path = routing.health_check_path
        problems.check(
            path.startswith("/") and len(path) <= 255 and " " not in path,
            f"{prop}.health_check_path",
            path,
            "a path starting with '/', at most 255 characters, without spaces",
        )
