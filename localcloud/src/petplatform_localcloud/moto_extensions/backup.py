"""AWS Backup: vaults, plans and selections from CloudFormation, and backup jobs moto lacks.

* ``AWS::Backup::BackupVault`` (with its lock), ``AWS::Backup::BackupPlan`` and
  ``AWS::Backup::BackupSelection``: moto 5.2 has vaults and plans in its Backup backend but no
  CloudFormation model; selections it does not have at all (they are kept beside the plans).
* Jobs: moto runs no backup, copy or restore job, and no schedule. :func:`run_backup_plan` runs a
  plan's rules once, on demand, at a time the caller gives (the clock a test controls): each
  selected DynamoDB table (by ARN or by tag) gets a recovery point in the rule's vault, a
  snapshot of its items, and each copy action copies it to its vault (another region's, for
  DR). :func:`restore_table` restores a recovery point to a new table. S3 recovery points,
  continuous backup and the lifecycle clean-up stay unemulated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.backup.models import backup_backends
from moto.dynamodb.models import dynamodb_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, listify

__all__ = [
    "EXTENSIONS",
    "BackupJob",
    "BackupPlan",
    "BackupSelection",
    "BackupVault",
    "RecoveryPoint",
    "recovery_points",
    "restore_table",
    "run_backup_plan",
]


def _backend(account_id: str, region: str) -> Any:
    return backup_backends[account_id][region]


def _selections(backend: Any) -> dict[str, Json]:
    """Selections by id, kept on moto's backend so that a moto reset clears them."""
    if not hasattr(backend, "petplatform_selections"):
        backend.petplatform_selections = {}
    found: dict[str, Json] = backend.petplatform_selections
    return found


def _points(backend: Any) -> list[RecoveryPoint]:
    if not hasattr(backend, "petplatform_recovery_points"):
        backend.petplatform_recovery_points = []
    found: list[RecoveryPoint] = backend.petplatform_recovery_points
    return found


class BackupVault(Record):
    """``AWS::Backup::BackupVault`` (``Ref`` is the name), with its lock configuration."""

    attributes = ("BackupVaultArn", "BackupVaultName")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Backup::BackupVault"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BackupVault:
        props = cloudformation_json["Properties"]
        name = props.get("BackupVaultName", resource_name)
        backend = _backend(account_id, region_name)
        vault = backend.create_backup_vault(
            backup_vault_name=name,
            backup_vault_tags=props.get("BackupVaultTags") or {},
            encryption_key_arn=props.get("EncryptionKeyArn", ""),
            creator_request_id=str(uuid.uuid4()),
        )
        lock = props.get("LockConfiguration")
        if lock:
            backend.put_backup_vault_lock_configuration(
                name,
                _int(lock.get("MinRetentionDays")),
                _int(lock.get("MaxRetentionDays")),
                _int(lock.get("ChangeableForDays")),
            )
        return cls(name, {"BackupVaultArn": vault.backup_vault_arn, "BackupVaultName": name})

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        _backend(account_id, region_name).delete_backup_vault(resource_name)


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _api_rule(rule: Json) -> Json:
    api: Json = {
        "RuleName": rule["RuleName"],
        "TargetBackupVaultName": rule["TargetBackupVault"],
        "EnableContinuousBackup": bool(rule.get("EnableContinuousBackup", False)),
        "CopyActions": list(rule.get("CopyActions", [])),
    }
    for key in ("ScheduleExpression", "Lifecycle", "StartWindowMinutes", "CompletionWindowMinutes"):
        if key in rule:
            api[key] = rule[key]
    return api


class BackupPlan(Record):
    """``AWS::Backup::BackupPlan`` (``Ref`` is the plan id)."""

    attributes = ("BackupPlanId", "BackupPlanArn", "VersionId")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Backup::BackupPlan"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BackupPlan:
        document = cloudformation_json["Properties"]["BackupPlan"]
        plan = _backend(account_id, region_name).create_backup_plan(
            backup_plan={
                "BackupPlanName": document["BackupPlanName"],
                "Rules": [_api_rule(r) for r in listify(document.get("BackupPlanRule", []))],
            },
            backup_plan_tags=cloudformation_json["Properties"].get("BackupPlanTags") or {},
            creator_request_id=str(uuid.uuid4()),
        )
        return cls(
            plan.backup_plan_id,
            {
                "BackupPlanId": plan.backup_plan_id,
                "BackupPlanArn": plan.backup_plan_arn,
                "VersionId": plan.version_id,
            },
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = _backend(account_id, region_name)
        if resource_name in backend.plans:
            backend.delete_backup_plan(resource_name)
            del backend.plans[resource_name]  # a deleted plan's name may be used again


class BackupSelection(Record):
    """``AWS::Backup::BackupSelection``: resources and tag conditions of one plan."""

    attributes = ("SelectionId", "BackupPlanId")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Backup::BackupSelection"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BackupSelection:
        props = cloudformation_json["Properties"]
        selection_id = str(uuid.uuid4())
        _selections(_backend(account_id, region_name))[selection_id] = {
            "BackupPlanId": props["BackupPlanId"],
            **props["BackupSelection"],
        }
        return cls(
            selection_id, {"SelectionId": selection_id, "BackupPlanId": props["BackupPlanId"]}
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        _selections(_backend(account_id, region_name)).pop(resource_name, None)


# -- jobs ------------------------------------------------------------------------------------


@dataclass
class RecoveryPoint:
    """A recovery point in a vault: a snapshot of one table's items at ``created``."""

    arn: str
    vault_name: str
    region: str
    resource_arn: str
    created: datetime
    delete_after_days: int | None
    table: Json  # key schema and attribute definitions of the source table
    items: list[Json] = field(default_factory=list)  # DynamoDB JSON
    source_arn: str | None = None  # the recovery point this is a copy of


@dataclass(frozen=True)
class BackupJob:
    """One completed backup job and the copies its rule made."""

    job_id: str
    resource_arn: str
    recovery_point: RecoveryPoint
    copies: tuple[RecoveryPoint, ...]
    state: str = "COMPLETED"


def _selected_tables(account_id: str, region: str, selection: Json) -> list[str]:
    tables = dynamodb_backends[account_id][region]
    arns = [str(a) for a in listify(selection.get("Resources", [])) if ":dynamodb:" in str(a)]
    conditions = listify(selection.get("ListOfTags", []))
    for table in tables.tables.values():
        tags = {t["Key"]: t["Value"] for t in getattr(table, "tags", []) or []}
        if any(tags.get(c["ConditionKey"]) == c["ConditionValue"] for c in conditions):
            arns.append(table.table_arn)
    return sorted(set(arns))


def _recovery_point(
    account_id: str, region: str, vault: str, rule: Json, source: RecoveryPoint | None = None
) -> RecoveryPoint:
    point_id = str(uuid.uuid4())
    lifecycle = rule.get("Lifecycle") or {}
    return RecoveryPoint(
        arn=f"arn:aws:backup:{region}:{account_id}:recovery-point:{point_id}",
        vault_name=vault,
        region=region,
        resource_arn=source.resource_arn if source else "",
        created=source.created if source else datetime.now(timezone.utc),
        delete_after_days=_int(lifecycle.get("DeleteAfterDays")),
        table=dict(source.table) if source else {},
        items=[dict(i) for i in source.items] if source else [],
        source_arn=source.arn if source else None,
    )


def run_backup_plan(
    account_id: str, region: str, plan_id: str, *, at: datetime | None = None
) -> list[BackupJob]:
    """Run every rule of plan ``plan_id`` once, as its schedule would at ``at`` (default now).

    Each DynamoDB table of the plan's selections gets a recovery point in the rule's vault, and
    each copy action copies it to its destination vault (``arn:...:backup:<region>:...:
    backup-vault:<name>``), which must exist.
    """
    backend = _backend(account_id, region)
    plan = backend.get_backup_plan(plan_id, None)
    when = at or datetime.now(timezone.utc)
    selections = [s for s in _selections(backend).values() if s["BackupPlanId"] == plan_id]
    jobs = []
    for rule in plan.backup_plan["Rules"]:
        vault = backend.describe_backup_vault(rule["TargetBackupVaultName"]).backup_vault_name
        for resource_arn in sorted(
            {a for s in selections for a in _selected_tables(account_id, region, s)}
        ):
            table = dynamodb_backends[account_id][region].get_table(resource_arn.rpartition("/")[2])
            point = _recovery_point(account_id, region, vault, rule)
            point.resource_arn, point.created = resource_arn, when
            point.table = {"schema": table.schema, "attr": table.attr}
            point.items = [item.to_json()["Attributes"] for item in table.all_items()]
            _points(backend).append(point)
            copies = []
            for action in rule.get("CopyActions", []):
                target = str(action["DestinationBackupVaultArn"])
                target_region, target_vault = target.split(":")[3], target.rpartition(":")[2]
                target_backend = _backend(account_id, target_region)
                target_backend.describe_backup_vault(target_vault)  # it must exist
                copy = _recovery_point(account_id, target_region, target_vault, action, point)
                _points(target_backend).append(copy)
                copies.append(copy)
            jobs.append(BackupJob(str(uuid.uuid4()), resource_arn, point, tuple(copies)))
    return jobs


def recovery_points(account_id: str, region: str, vault_name: str) -> list[RecoveryPoint]:
    """The recovery points in vault ``vault_name`` of ``region``, oldest first."""
    points = [p for p in _points(_backend(account_id, region)) if p.vault_name == vault_name]
    return sorted(points, key=lambda p: p.created)


def restore_table(account_id: str, recovery_point_arn: str, table_name: str) -> str:
    """Restore a recovery point to a new on-demand table in its region; the table's ARN."""
    region = recovery_point_arn.split(":")[3]
    (point,) = [p for p in _points(_backend(account_id, region)) if p.arn == recovery_point_arn]
    tables = dynamodb_backends[account_id][region]
    table = tables.create_table(
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


EXTENSIONS = (BackupVault, BackupPlan, BackupSelection)
