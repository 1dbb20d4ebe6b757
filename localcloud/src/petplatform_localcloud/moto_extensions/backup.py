"""AWS Backup from CloudFormation: vaults, plans and selections.

``AWS::Backup::BackupVault`` (with its lock), ``AWS::Backup::BackupPlan`` and
``AWS::Backup::BackupSelection``: moto 5.2 has vaults and plans in its Backup backend but no
CloudFormation model; selections it does not have at all (they are kept beside the plans). moto
runs no job and no schedule: :mod:`.backup_jobs` runs them, on the clock of
:mod:`.backup_schedule`.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.backup.models import backup_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, listify

__all__ = ["EXTENSIONS", "BackupPlan", "BackupSelection", "BackupVault", "selections"]


def _backend(account_id: str, region: str) -> Any:
    return backup_backends[account_id][region]


def selections(backend: Any) -> dict[str, Json]:
    """Selections by id, kept on moto's backend so that a moto reset clears them."""
    if not hasattr(backend, "petplatform_selections"):
        backend.petplatform_selections = {}
    found: dict[str, Json] = backend.petplatform_selections
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
        selections(_backend(account_id, region_name))[selection_id] = {
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
        selections(_backend(account_id, region_name)).pop(resource_name, None)


EXTENSIONS = (BackupVault, BackupPlan, BackupSelection)
