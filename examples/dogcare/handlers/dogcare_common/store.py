"""DynamoDB conventions shared by the functions: ids, timestamps, owner-scoped reads, paging.

Every table has the partition key ``id`` (S); owner-scoped tables have the GSI
``owner_id-index`` (partition key ``owner_id``, projection ALL). See ``handlers/README.md``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from dogcare_common.http import Request, Response, bad_request, not_found
from dogcare_common.validation import format_time

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

Item = dict[str, Any]


def owner_index() -> str:
    return os.environ.get("OWNER_INDEX_NAME", "owner_id-index")


def now() -> str:
    return format_time(datetime.now(timezone.utc))


def new_id(prefix: str) -> str:
    """An entity id as in the seed's domain model, e.g. ``dog-{uuid}``."""
    return f"{prefix}-{uuid.uuid4()}"


def id_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(f"^{prefix}-{UUID}$")


def checked_id(item_id: str, *, prefix: str, kind: str) -> str:
    """A path id, or a 404 when it cannot be one of ours (same answer as a missing item)."""
    if not id_pattern(prefix).match(item_id):
        raise not_found(kind)
    return item_id


def is_condition_failure(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


def get_owned(table: Any, item_id: str, owner_id: str, kind: str, *, prefix: str) -> Item:
    """The item if it exists and belongs to ``owner_id``; otherwise the same 404 either way."""
    checked_id(item_id, prefix=prefix, kind=kind)
    item = table.get_item(Key={"id": item_id}, ConsistentRead=True).get("Item")
    if item is None or item.get("owner_id") != owner_id:
        raise not_found(kind)
    return dict(item)


def public(item: Mapping[str, Any], fields: tuple[str, ...]) -> Item:
    """Only the documented fields of an item: internal bookkeeping never leaves the API."""
    return {name: item[name] for name in fields if name in item}


def page_response(items: list[Item], next_token: str | None, fields: tuple[str, ...]) -> Response:
    """A list page: ``{"items": [...], "next_token": "..." or null}``."""
    return Response(200, {"items": [public(i, fields) for i in items], "next_token": next_token})


def update_parts(changes: Mapping[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """An UpdateExpression that SETs the non-null changes and REMOVEs the null ones."""
    names = {f"#f{i}": name for i, name in enumerate(changes)}
    values: dict[str, Any] = {}
    sets, removes = [], []
    for alias, name in names.items():
        value = changes[name]
        if value is None:
            removes.append(alias)
        else:
            values[f":v{alias[2:]}"] = value
            sets.append(f"{alias} = :v{alias[2:]}")
    expression = ""
    if sets:
        expression += "SET " + ", ".join(sets)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return expression.strip(), names, values


def page_size(request: Request) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise bad_request("limit", f"must be an integer between 1 and {MAX_PAGE_SIZE}")
    return int(raw)


def encode_token(last_key: Mapping[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(dict(last_key), sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(request: Request, *, owner_id: str | None) -> Item | None:
    """The ``next_token`` query parameter as an ExclusiveStartKey.

    The token is opaque to clients but not signed, so it is checked: string values only, and on
    owner-scoped queries the owner in it must be the caller (otherwise DynamoDB would answer with
    a confusing error rather than another owner's data, but a clean 400 is better).
    """
    token = request.query.get("next_token")
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError):
        raise bad_request("next_token", "is not a token returned by this API") from None
    valid = (
        isinstance(key, dict)
        and isinstance(key.get("id"), str)
        and all(isinstance(v, str) for v in key.values())
        and (owner_id is None or key.get("owner_id") == owner_id)
    )
    if not valid:
        raise bad_request("next_token", "is not a token returned by this API")
    return dict(key)


def query_by_owner(table: Any, request: Request, owner_id: str) -> tuple[list[Item], str | None]:
    """One page of the owner's items; ``next_token`` fetches the next one."""
    kwargs: dict[str, Any] = {
        "IndexName": owner_index(),
        "KeyConditionExpression": Key("owner_id").eq(owner_id),
        "Limit": page_size(request),
    }
    start = decode_token(request, owner_id=owner_id)
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = table.query(**kwargs)
    return list(page.get("Items", [])), encode_token(page.get("LastEvaluatedKey"))


def scan_page(table: Any, request: Request, **filters: Any) -> tuple[list[Item], str | None]:
    """One page of a whole table, for admin listings (a page may be short when filtered)."""
    kwargs: dict[str, Any] = {"Limit": page_size(request), **filters}
    start = decode_token(request, owner_id=None)
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = table.scan(**kwargs)
    return list(page.get("Items", [])), encode_token(page.get("LastEvaluatedKey"))
