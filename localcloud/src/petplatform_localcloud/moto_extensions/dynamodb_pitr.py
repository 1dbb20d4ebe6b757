"""DynamoDB point-in-time recovery, which moto 5.2 answers with the table as it is now.

* ``AWS::DynamoDB::GlobalTable``'s ``PointInTimeRecoverySpecification`` (of the local replica)
  turns PITR on, as ``UpdateContinuousBackups`` does (see :mod:`.dynamodb`).
* While PITR is on, every item write (``PutItem``, ``UpdateItem``, ``DeleteItem``, their batch
  and transaction forms) is recorded with the time it happened, after the items as they were at
  the first recorded write.
* ``RestoreTableToPointInTime`` honours ``RestoreDateTime`` (or ``UseLatestRestorableTime``):
  the new table holds the items as they were at that time, to the microsecond of this process's
  clock (AWS restores to the second). A source table without PITR is refused, as a time outside
  the restorable window is.

Writes are recorded in the region where they are made: with replicas, restore in that region.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodb import responses
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from petplatform_localcloud.moto_extensions.patching import Patch, wrap
from petplatform_localcloud.moto_extensions.records import Json

__all__ = ["PATCHES", "enable_pitr", "pitr_enabled"]


class PitrError(JsonRESTError):
    """What DynamoDB answers for a restore it cannot make."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"com.amazonaws.dynamodb.v20120810#{code}", message)


@dataclass
class _Timeline:
    """One table's items at the first recorded write, and every write since."""

    baseline: dict[str, Json]
    start: datetime
    changes: list[tuple[datetime, str, Json | None]] = field(default_factory=list)


def pitr_enabled(table: Table) -> bool:
    description = table.continuous_backups.get("PointInTimeRecoveryDescription", {})
    return bool(description.get("PointInTimeRecoveryStatus") == "ENABLED")


def enable_pitr(backend: DynamoDBBackend, table_name: str, enabled: bool) -> None:
    """Turn PITR on or off as ``UpdateContinuousBackups`` does (CloudFormation's property)."""
    if enabled != pitr_enabled(backend.get_table(table_name)):
        backend.update_continuous_backups(table_name, {"PointInTimeRecoveryEnabled": enabled})


def _timelines(backend: DynamoDBBackend) -> dict[str, _Timeline]:
    """Kept on moto's backend so that a moto reset clears them."""
    if not hasattr(backend, "petplatform_pitr"):
        backend.petplatform_pitr = {}  # type: ignore[attr-defined]
    found: dict[str, _Timeline] = backend.petplatform_pitr  # type: ignore[attr-defined]
    return found


def _key(table: Table, attributes: Json) -> Json:
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    return {name: attributes[name] for name in names if name in attributes}


def _id(key: Json) -> str:
    return json.dumps(key, sort_keys=True)


def _before(backend: DynamoDBBackend, table_name: str) -> Table | None:
    """The table, when PITR is on; its baseline is taken before its first recorded write."""
    table = backend.tables.get(table_name)
    if table is None or not pitr_enabled(table):
        return None
    timelines = _timelines(backend)
    if table_name not in timelines:
        items = [item.to_json()["Attributes"] for item in table.all_items()]
        baseline = {_id(_key(table, item)): item for item in items}
        timelines[table_name] = _Timeline(baseline, datetime.now(timezone.utc))
    return table


def _after(backend: DynamoDBBackend, table: Table, key: Json) -> None:
    item = backend.get_item(table.name, key)
    state = item.to_json()["Attributes"] if item is not None else None
    _timelines(backend)[table.name].changes.append((datetime.now(timezone.utc), _id(key), state))


def _recording(key_argument: str, position: int) -> Any:
    def wrapper(original: Any) -> Any:
        def method(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
            table = _before(self, table_name)
            result = original(self, table_name, *args, **kwargs)
            if table is not None:
                given = kwargs[key_argument] if key_argument in kwargs else args[position]
                _after(self, table, _key(table, given))
            return result

        return method

    return wrapper


def _forgetting(original: Any) -> Any:
    """Turning PITR off or on, or deleting the table, starts its history over."""

    def method(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        name = args[0] if args else kwargs.get("table_name", kwargs.get("name"))
        _timelines(self).pop(str(name), None)
        return result

    return method


def _transactions(original: Any) -> Any:
    def method(self: DynamoDBBackend, transact_items: list[Json]) -> None:
        ops = [next(iter(item.values())) for item in transact_items]
        tables = {op["TableName"]: _before(self, op["TableName"]) for op in ops}
        original(self, transact_items)
        for op in ops:
            table = tables[op["TableName"]]
            if table is not None:
                _after(self, table, _key(table, op.get("Key") or op.get("Item") or {}))

    return method


def _restore_time(body: Json) -> datetime:
    given = body.get("RestoreDateTime")
    if body.get("UseLatestRestorableTime") or given is None:
        return datetime.now(timezone.utc)
    if isinstance(given, datetime):  # moto parses the request with the service model
        return given if given.tzinfo else given.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(given), timezone.utc)


def _restore(original: Any) -> Any:
    def method(self: Any) -> Any:
        backend: DynamoDBBackend = self.dynamodb_backend
        body = self.body
        source = backend.tables.get(body.get("SourceTableName"))
        if source is not None and not pitr_enabled(source):
            raise PitrError(
                "PointInTimeRecoveryUnavailableException",
                f"Point in time recovery is not enabled for table '{source.name}'",
            )
        when = _restore_time(body)
        timeline = _timelines(backend).get(source.name) if source is not None else None
        earliest = source.continuous_backups["PointInTimeRecoveryDescription"].get(
            "EarliestRestorableDateTime"
        ) if source is not None else None  # fmt: skip
        if earliest is not None and when.timestamp() < float(earliest) - 1:
            raise PitrError(
                "InvalidRestoreTimeException",
                f"Restore time {when.isoformat()} is before the earliest restorable time",
            )
        if when > datetime.now(timezone.utc):
            raise PitrError("InvalidRestoreTimeException", "Restore time is in the future")
        result = original(self)
        if timeline is not None:
            state = dict(timeline.baseline)
            for at, key, item in timeline.changes:
                if at > when:
                    break
                if item is None:
                    state.pop(key, None)
                else:
                    state[key] = item
            target = backend.get_table(body["TargetTableName"])
            target.items = defaultdict(dict)
            for item in state.values():
                target.put_item(item)
        return result

    return method


PATCHES: tuple[Patch, ...] = (
    wrap(DynamoDBBackend, "put_item", _recording("item_attrs", 0)),
    wrap(DynamoDBBackend, "update_item", _recording("key", 0)),
    wrap(DynamoDBBackend, "delete_item", _recording("key", 0)),
    wrap(DynamoDBBackend, "transact_write_items", _transactions),
    wrap(DynamoDBBackend, "update_continuous_backups", _forgetting),
    wrap(DynamoDBBackend, "delete_table", _forgetting),
    wrap(responses.DynamoHandler, "restore_table_to_point_in_time", _restore),
)
