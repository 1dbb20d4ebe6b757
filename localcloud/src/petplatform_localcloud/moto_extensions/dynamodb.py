"""``AWS::DynamoDB::GlobalTable`` (what ``TableV2`` emits), which moto 5.2 ignores.

moto skips the type, and an output that references it answers HTTP 500. Mapped here to a moto
table with its keys, GSIs/LSIs, stream, SSE, deletion protection, point-in-time recovery (see
:mod:`.dynamodb_pitr`) and the local replica's tags;
``Arn``/``StreamArn``/``TableId``; updates keep the table (GSI add/remove, stream, deletion
protection).

Replicas: each ``Replicas`` entry in another region becomes a table of the same name in that
region's backend, sharing the local table's item storage. A write in either region is readable
in both at once (in AWS, replication takes about a second); adding or removing a replica on an
update creates or deletes that region's table, and deleting the global table deletes them all.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from petplatform_localcloud.moto_extensions.dynamodb_pitr import enable_pitr
from petplatform_localcloud.moto_extensions.records import CloudFormationExtension, Json

__all__ = ["EXTENSIONS", "GlobalTable"]


def _global_table_params(props: Json) -> Json:
    replicas = props.get("Replicas") or [{}]
    replica: Json = replicas[0]
    sse = props.get("SSESpecification") or {}
    return {
        "schema": props["KeySchema"],
        "attr": props.get("AttributeDefinitions", []),
        "global_indexes": props.get("GlobalSecondaryIndexes", []),
        "indexes": props.get("LocalSecondaryIndexes", []),
        "throughput": None,
        "warm_throughput": None,
        "streams": props.get("StreamSpecification"),
        "tags": replica.get("Tags"),
        "deletion_protection_enabled": bool(replica.get("DeletionProtectionEnabled", False)),
        "sse_specification": (
            {"Enabled": True, "SSEType": sse.get("SSEType", "KMS")}
            if sse.get("SSEEnabled")
            else None
        ),
        "billing_mode": (
            "PROVISIONED" if props.get("BillingMode") == "PROVISIONED" else "PAY_PER_REQUEST"
        ),
    }


def _pitr(props: Json) -> bool:
    replica: Json = (props.get("Replicas") or [{}])[0]
    spec = replica.get("PointInTimeRecoverySpecification") or {}
    return str(spec.get("PointInTimeRecoveryEnabled", False)).lower() == "true"


def _replica_regions(props: Json, region_name: str) -> set[str]:
    return {str(r["Region"]) for r in props.get("Replicas") or [] if r.get("Region")} - {
        region_name
    }


def _sync_replicas(table: Table, props: Json, account_id: str, region_name: str) -> None:
    """Create the replica tables ``props`` names in other regions, delete the ones it dropped."""
    wanted = _replica_regions(props, region_name)
    present: set[str] = getattr(table, "replica_regions", set())
    for region in sorted(wanted - present):
        backend = dynamodb_backends[account_id][region]
        replica: Table = backend.create_table(name=table.name, **_global_table_params(props))
        replica.items = table.items  # one item storage: writes are visible in every region
    for region in sorted(present - wanted):
        dynamodb_backends[account_id][region].delete_table(name=table.name)
    table.replica_regions = wanted  # type: ignore[attr-defined]


class GlobalTable(CloudFormationExtension):
    """``AWS::DynamoDB::GlobalTable`` as a moto DynamoDB table (the local replica)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::DynamoDB::GlobalTable"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TableName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "StreamArn", "TableId")

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Table:
        params = _global_table_params(cloudformation_json["Properties"])
        table: Table = dynamodb_backends[account_id][region_name].create_table(
            name=resource_name, **params
        )
        props = cloudformation_json["Properties"]
        _sync_replicas(table, props, account_id, region_name)
        enable_pitr(dynamodb_backends[account_id][region_name], table.name, _pitr(props))
        return table

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Table,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Table:
        props = cloudformation_json["Properties"]
        backend = dynamodb_backends[account_id][region_name]
        params = _global_table_params(props)
        name = props.get("TableName", original_resource.name)
        if name != original_resource.name or params["schema"] != original_resource.schema:
            # Replacement, as CloudFormation does for a new name or key schema.
            _sync_replicas(original_resource, {}, account_id, region_name)
            table: Table = backend.create_table(name=new_resource_name, **params)
            backend.delete_table(name=original_resource.name)
            _sync_replicas(table, props, account_id, region_name)
            enable_pitr(backend, table.name, _pitr(props))
            return table
        table = original_resource
        wanted = {g["IndexName"]: g for g in params["global_indexes"]}
        present = {g.name for g in table.global_indexes}
        updates: list[Json] = [
            {"Delete": {"IndexName": index}} for index in sorted(present - set(wanted))
        ]
        updates += [{"Create": wanted[index]} for index in wanted if index not in present]
        if updates:
            table.attr = params["attr"]
            backend.update_table_global_indexes(table, updates)
        streams = params["streams"]
        current = table.stream_specification or {}
        if (streams or {}).get("StreamViewType") != current.get("StreamViewType"):
            table.set_stream_specification(streams)
        table.deletion_protection_enabled = params["deletion_protection_enabled"]
        _sync_replicas(table, props, account_id, region_name)
        enable_pitr(backend, table.name, _pitr(props))
        return table

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = dynamodb_backends[account_id][region_name]
        table = backend.tables.get(resource_name)
        if table is not None:
            _sync_replicas(table, {}, account_id, region_name)
        backend.delete_table(name=resource_name)


EXTENSIONS = (GlobalTable,)
