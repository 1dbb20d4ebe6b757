"""``AWS::KMS::Key`` with its policy as a JSON document and CloudFormation-shaped tags.

moto stores the ``KeyPolicy`` object instead of a JSON string (so ``GetKeyPolicy`` answers
garbage) and reads CloudFormation tags as KMS tags (``KeyError``). Also key rotation,
``Enabled``, key spec and usage, and deletion scheduled with the template's
``PendingWindowInDays``.
"""

from __future__ import annotations

from typing import Any

from moto.kms.models import Key as MotoKey
from moto.kms.models import kms_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, cfn_tags, json_document

__all__ = ["EXTENSIONS", "KmsKey"]


class KmsKey(Record):
    """``AWS::KMS::Key`` with its policy as a JSON document and CloudFormation-shaped tags."""

    attributes = ("Arn", "KeyId")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::KMS::Key"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> KmsKey:
        props = cloudformation_json.get("Properties", {})
        backend = kms_backends[account_id][region_name]
        key: MotoKey = backend.create_key(
            policy=json_document(props["KeyPolicy"]) if "KeyPolicy" in props else None,
            key_usage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=props.get("Description", ""),
            tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in cfn_tags(props)],
            multi_region=bool(props.get("MultiRegion", False)),
        )
        cls._configure(key, props)
        record = cls(key.id, {"Arn": key.arn, "KeyId": key.id})
        record.pending_window_days = int(props.get("PendingWindowInDays", 30))
        return record

    pending_window_days = 30

    @staticmethod
    def _configure(key: MotoKey, props: Json) -> None:
        key.key_rotation_status = bool(props.get("EnableKeyRotation", False))
        key.enabled = bool(props.get("Enabled", True))
        key.key_state = "Enabled" if key.enabled else "Disabled"

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        """Keys are updated in place: replacing one would orphan what it encrypted."""
        props = cloudformation_json.get("Properties", {})
        key = kms_backends[account_id][region_name].keys[original_resource.physical_resource_id]
        if "KeyPolicy" in props:
            key.policy = json_document(props["KeyPolicy"])
        key.description = props.get("Description", "")
        cls._configure(key, props)
        if isinstance(original_resource, KmsKey):
            original_resource.pending_window_days = int(props.get("PendingWindowInDays", 30))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        """Scheduled for deletion after the template's pending window, as in AWS."""
        backend = kms_backends[account_id][region_name]
        if self.physical_resource_id in backend.keys:
            backend.schedule_key_deletion(self.physical_resource_id, self.pending_window_days)


EXTENSIONS = (KmsKey,)
