"""AWS Backup jobs, which moto does not run: backup, copy and restore, with their events.

:func:`run_backup_plan` runs a plan's rules once, at a time the caller gives (the clock of
:mod:`.backup_schedule` calls it when a rule's schedule is due). Each resource of the plan's
selections gets a backup job: a DynamoDB table (by ARN or by tag) a recovery point holding its
items, an S3 bucket (by ARN or by tag) one holding its current objects. Each copy action then
runs a copy job to its vault, in another region too. Every job ends COMPLETED or FAILED and puts its
``Backup Job State Change`` / ``Copy Job State Change`` event (``source: aws.backup``) on the
default bus of the plan's region, as AWS Backup does, so rules on failed jobs fire. A copy to a
vault that does not exist fails, and :func:`fail_next_job` makes the next job of a kind fail, for
drills. :func:`restore_table` and :func:`restore_bucket` restore a point to a new table or bucket.

Not emulated: the start and completion windows (a job completes at its start time), lifecycle
expiry, and continuous backup recovery points (see :mod:`.dynamodb_pitr` for point-in-time
restore).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.backup.models import backup_backends
from moto.dynamodb.models import dynamodb_backends
from moto.events.models import events_backends
from moto.s3.models import FakeKey, s3_backends
from moto.utilities.utils import get_partition

from petplatform_localcloud.moto_extensions.backup import selections
from petplatform_localcloud.moto_extensions.records import Json, listify

__all__ = [
    "BackupJob",
    "CopyJob",
    "RecoveryPoint",
    "fail_next_job",
    "recovery_points",
    "restore_bucket",
    "restore_table",
    "run_backup_plan",
]


@dataclass
class RecoveryPoint:
    """A recovery point in a vault: a table's items or a bucket's objects at ``created``."""

    arn: str
    vault_name: str
    region: str
    resource_arn: str
    created: datetime
    delete_after_days: int | None
    table: Json  # key schema and attribute definitions of the source table
    items: list[Json] = field(default_factory=list)  # DynamoDB JSON
    source_arn: str | None = None  # the recovery point this is a copy of
    resource_type: str = "DynamoDB"  # or "S3"
    objects: dict[str, bytes] = field(default_factory=dict)  # S3: key -> current content


@dataclass(frozen=True)
class CopyJob:
    """One copy job: ``copy`` is the new recovery point, ``None`` when it FAILED."""

    job_id: str
    destination_vault_arn: str
    state: str
    copy: RecoveryPoint | None
    status_message: str = ""


@dataclass(frozen=True)
class BackupJob:
    """One backup job, and the copy jobs of its rule (``copies``: the completed ones' points)."""

    job_id: str
    resource_arn: str
    recovery_point: RecoveryPoint | None
    copies: tuple[RecoveryPoint, ...]
    state: str = "COMPLETED"
    copy_jobs: tuple[CopyJob, ...] = ()
    status_message: str = ""


def _backend(account_id: str, region: str) -> Any:
    return backup_backends[account_id][region]


def _points(backend: Any) -> list[RecoveryPoint]:
    """Recovery points of a region, kept on moto's backend so that a moto reset clears them."""
    if not hasattr(backend, "petplatform_recovery_points"):
        backend.petplatform_recovery_points = []
    found: list[RecoveryPoint] = backend.petplatform_recovery_points
    return found


def _failures(backend: Any) -> dict[str, list[str]]:
    if not hasattr(backend, "petplatform_failures"):
        backend.petplatform_failures = {"backup": [], "copy": []}
    found: dict[str, list[str]] = backend.petplatform_failures
    return found


def fail_next_job(account_id: str, region: str, kind: str, reason: str) -> None:
    """Make the next ``kind`` job (``"backup"`` or ``"copy"``) started in ``region`` fail with
    ``reason`` (a drill of the failed-job alarms)."""
    if kind not in ("backup", "copy"):
        raise ValueError(f"kind must be 'backup' or 'copy', not {kind!r}")
    _failures(_backend(account_id, region))[kind].append(reason)


def _emit(account_id: str, region: str, detail_type: str, detail: Json, at: datetime) -> None:
    """Put an AWS Backup job event on the region's default bus, where rules match it."""
    events_backends[account_id][region].put_events(
        [
            {
                "Source": "aws.backup",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "Resources": [detail.get("resourceArn", "")],
                "Time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ]
    )


def _selected(account_id: str, region: str, selection: Json) -> list[str]:
    """ARNs of the tables and buckets of the region that a selection covers, by ARN or tag."""
    tables = dynamodb_backends[account_id][region]
    arns = [
        str(a)
        for a in listify(selection.get("Resources", []))
        if ":dynamodb:" in str(a) or str(a).split(":")[2:3] == ["s3"]
    ]
    conditions = listify(selection.get("ListOfTags", []))

    def tagged(tags: list[dict[str, str]]) -> bool:
        found = {t["Key"]: t["Value"] for t in tags}
        return any(found.get(c["ConditionKey"]) == c["ConditionValue"] for c in conditions)

    arns += [t.table_arn for t in tables.tables.values() if tagged(getattr(t, "tags", []) or [])]
    s3 = s3_backends[account_id][get_partition(region)]
    arns += [
        f"arn:aws:s3:::{name}"
        for name, bucket in list(s3.buckets.items())
        if conditions
        and bucket.region_name == region
        and tagged(s3.get_bucket_tagging(name).get("Tags", []))
    ]
    return sorted(set(arns))


def _new_point(account_id: str, region: str, vault: str, lifecycle: Json) -> RecoveryPoint:
    return RecoveryPoint(
        arn=f"arn:aws:backup:{region}:{account_id}:recovery-point:{uuid.uuid4()}",
        vault_name=vault,
        region=region,
        resource_arn="",
        created=datetime.now(timezone.utc),
        delete_after_days=None if "DeleteAfterDays" not in lifecycle else int(
            str(lifecycle["DeleteAfterDays"])
        ),
        table={},
    )  # fmt: skip


def _snapshot(account_id: str, region: str, point: RecoveryPoint) -> None:
    """Fill ``point`` with its resource's current data."""
    if ":dynamodb:" in point.resource_arn:
        table = dynamodb_backends[account_id][region].get_table(
            point.resource_arn.rpartition("/")[2]
        )
        point.table = {"schema": table.schema, "attr": table.attr}
        point.items = [item.to_json()["Attributes"] for item in table.all_items()]
        return
    name = point.resource_arn.rpartition(":")[2]
    bucket = s3_backends[account_id][get_partition(region)].get_bucket(name)
    point.resource_type = "S3"
    point.objects = {
        key: value.value for key, value in bucket.keys.items() if isinstance(value, FakeKey)
    }


def _copy(
    account_id: str, region: str, point: RecoveryPoint, action: Json, at: datetime
) -> CopyJob:
    target = str(action["DestinationBackupVaultArn"])
    target_region, target_vault = target.split(":")[3], target.rpartition(":")[2]
    failures = _failures(_backend(account_id, region))["copy"]
    reason = failures.pop(0) if failures else ""
    target_backend = _backend(account_id, target_region)
    if not reason and target_vault not in target_backend.vaults:
        reason = f"Backup vault {target} does not exist"
    job = CopyJob(str(uuid.uuid4()), target, "FAILED", None, reason)
    if not reason:
        copy = _new_point(account_id, target_region, target_vault, action.get("Lifecycle") or {})
        copy.resource_arn, copy.created, copy.source_arn = point.resource_arn, at, point.arn
        copy.resource_type, copy.table = point.resource_type, dict(point.table)
        copy.items, copy.objects = [dict(i) for i in point.items], dict(point.objects)
        _points(target_backend).append(copy)
        job = CopyJob(job.job_id, target, "COMPLETED", copy)
    detail: Json = {
        "copyJobId": job.job_id,
        "state": job.state,
        "resourceArn": point.resource_arn,
        "resourceType": point.resource_type,
        "sourceBackupVaultArn": point.arn.split(":recovery-point:")[0]
        + f":backup-vault:{point.vault_name}",
        "destinationBackupVaultArn": target,
        "sourceRecoveryPointArn": point.arn,
        "destinationRecoveryPointArn": job.copy.arn if job.copy else None,
        "statusMessage": job.status_message,
    }
    _emit(account_id, region, "Copy Job State Change", detail, at)
    return job


def run_backup_plan(
    account_id: str,
    region: str,
    plan_id: str,
    *,
    at: datetime | None = None,
    rules: Sequence[str] | None = None,
) -> list[BackupJob]:
    """Run every rule of plan ``plan_id`` (or those named in ``rules``) once, as its schedule
    would at ``at`` (default now).

    Each table and bucket of the plan's selections gets a backup job and a recovery point in the
    rule's vault, and each copy action a copy job to its destination vault (``arn:...:backup:
    <region>:...:backup-vault:<name>``). Each job puts its state-change event on the region's
    default bus.
    """
    backend = _backend(account_id, region)
    plan = backend.get_backup_plan(plan_id, None)
    when = at or datetime.now(timezone.utc)
    chosen = [s for s in selections(backend).values() if s["BackupPlanId"] == plan_id]
    resources = sorted({a for s in chosen for a in _selected(account_id, region, s)})
    jobs = []
    for rule in plan.backup_plan["Rules"]:
        if rules is not None and rule["RuleName"] not in rules:
            continue
        vault = backend.describe_backup_vault(rule["TargetBackupVaultName"])
        for resource_arn in resources:
            failures = _failures(backend)["backup"]
            reason = failures.pop(0) if failures else ""
            point = _new_point(
                account_id, region, vault.backup_vault_name, rule.get("Lifecycle") or {}
            )
            point.resource_arn, point.created = resource_arn, when
            if not reason:
                _snapshot(account_id, region, point)
                _points(backend).append(point)
            job_id = str(uuid.uuid4())
            detail: Json = {
                "backupJobId": job_id,
                "state": "FAILED" if reason else "COMPLETED",
                "resourceArn": resource_arn,
                "resourceType": "S3" if ":s3:" in resource_arn else "DynamoDB",
                "backupVaultArn": vault.backup_vault_arn,
                "backupVaultName": vault.backup_vault_name,
                "recoveryPointArn": None if reason else point.arn,
                "statusMessage": reason,
            }
            _emit(account_id, region, "Backup Job State Change", detail, when)
            if reason:
                jobs.append(BackupJob(job_id, resource_arn, None, (), "FAILED", (), reason))
                continue
            copy_jobs = tuple(
                _copy(account_id, region, point, action, when)
                for action in rule.get("CopyActions", [])
            )
            copies = tuple(j.copy for j in copy_jobs if j.copy is not None)
            jobs.append(BackupJob(job_id, resource_arn, point, copies, "COMPLETED", copy_jobs))
    return jobs


def recovery_points(account_id: str, region: str, vault_name: str) -> list[RecoveryPoint]:
    """The recovery points in vault ``vault_name`` of ``region``, oldest first."""
    points = [p for p in _points(_backend(account_id, region)) if p.vault_name == vault_name]
    return sorted(points, key=lambda p: p.created)


def _point(account_id: str, recovery_point_arn: str) -> RecoveryPoint:
    region = recovery_point_arn.split(":")[3]
    found = [p for p in _points(_backend(account_id, region)) if p.arn == recovery_point_arn]
    if not found:
        raise KeyError(f"no recovery point {recovery_point_arn}")
    return found[0]


def restore_table(account_id: str, recovery_point_arn: str, table_name: str) -> str:
    """Restore a table's recovery point to a new on-demand table in its region; its ARN."""
    point = _point(account_id, recovery_point_arn)
    table = dynamodb_backends[account_id][point.region].create_table(
        name=table_name,
        schema=point.table["schema"],
        attr=point.table["attr"],
        global_indexes=[],
        indexes=[],
        throughput=None,
        warm_throughput=None,
        streams=None,
        tags=[],
        deletion_protection_enabled=False,
        sse_specification=None,
        billing_mode="PAY_PER_REQUEST",
    )
    for item in point.items:
        table.put_item(item)
    return str(table.table_arn)


def restore_bucket(account_id: str, recovery_point_arn: str, bucket_name: str) -> str:
    """Restore a bucket's recovery point to a new bucket in its region; the bucket's name."""
    point = _point(account_id, recovery_point_arn)
    if point.resource_type != "S3":
        raise ValueError(f"{recovery_point_arn} is a {point.resource_type} recovery point")
    s3 = s3_backends[account_id][get_partition(point.region)]
    s3.create_bucket(bucket_name, point.region)
    for key, body in point.objects.items():
        s3.put_object(bucket_name, key, body)
    return bucket_name
