"""owner-management: the authenticated owner's profile, plus an admin listing of all owners.

Routes: POST /owners/register, GET/PUT /owners/profile, GET /admin/owners (admin group only).
Tables: OWNERS_TABLE (read/write); DOGS_TABLE (Query on its owner index only, to list the
owner's dog ids, so the ``dogs`` field is always current and never written twice).
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from dogcare_common import store
from dogcare_common.aws import table
from dogcare_common.http import (
    HttpError,
    Request,
    Response,
    Routes,
    bad_request,
    dispatch,
    require_admin,
)
from dogcare_common.validation import email, obj, phone, text, validate

ADDRESS = obj(
    {
        "street": text(max_len=200),
        "city": text(max_len=100),
        "state": text(max_len=100),
        "zip": text(max_len=10, pattern=r"[A-Za-z0-9 -]{3,10}", hint="must be a postal code"),
    },
    required=("street", "city", "state", "zip"),
)
FIELDS = {"name": text(max_len=100), "email": email(), "phone": phone(), "address": ADDRESS}
REQUIRED = ("name", "email")
READ_ONLY = ("id", "dogs", "created_at", "updated_at")
PUBLIC = ("id", "name", "email", "phone", "address", "dogs", "created_at", "updated_at")

NOT_REGISTERED = "owner profile not found; register with POST /owners/register"


def _owners() -> Any:
    return table("OWNERS_TABLE")


def _dog_ids(owner_id: str) -> list[str]:
    """The owner's dog ids, read from the dogs table's owner index."""
    kwargs: dict[str, Any] = {
        "IndexName": store.owner_index(),
        "KeyConditionExpression": Key("owner_id").eq(owner_id),
        "ProjectionExpression": "id",
    }
    ids: list[str] = []
    while True:
        page = table("DOGS_TABLE").query(**kwargs)
        ids.extend(item["id"] for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return sorted(ids)
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _profile(owner: dict[str, Any]) -> dict[str, Any]:
    return store.public({**owner, "dogs": _dog_ids(owner["id"])}, PUBLIC)


def register(request: Request) -> Response:
    """Create the caller's profile; the owner id is ``owner-{sub}``, so one profile per user."""
    values = validate(request.json_body(), FIELDS, required=REQUIRED, read_only=READ_ONLY)
    timestamp = store.now()
    owner = {
        "id": request.caller.owner_id,
        **values,
        "created_at": timestamp,
        "updated_at": timestamp,
    }
    try:
        _owners().put_item(Item=owner, ConditionExpression="attribute_not_exists(id)")
    except ClientError as error:
        if store.is_condition_failure(error):
            raise HttpError(
                409, "owner already registered; update it with PUT /owners/profile"
            ) from None
        raise
    return Response(201, _profile(owner), {"Location": "/owners/profile"})


def get_profile(request: Request) -> Response:
    owner = _owners().get_item(Key={"id": request.caller.owner_id}).get("Item")
    if owner is None:
        raise HttpError(404, NOT_REGISTERED)
    return Response(200, _profile(owner))


def update_profile(request: Request) -> Response:
    """Update the fields given; ``null`` removes ``phone`` or ``address``."""
    changes = validate(
        request.json_body(), FIELDS, read_only=READ_ONLY, nullable=("phone", "address")
    )
    if not changes:
        raise bad_request("body", f"give at least one of: {', '.join(FIELDS)}")
    expression, names, values = store.update_parts({**changes, "updated_at": store.now()})
    try:
        result = _owners().update_item(
            Key={"id": request.caller.owner_id},
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if store.is_condition_failure(error):
            raise HttpError(404, NOT_REGISTERED) from None
        raise
    return Response(200, _profile(result["Attributes"]))


def list_owners(request: Request) -> Response:
    """Admin only: every owner, a page at a time (without the per-owner dog lists)."""
    require_admin(request)
    items, next_token = store.scan_page(_owners(), request)
    fields = tuple(name for name in PUBLIC if name != "dogs")
    return store.page_response(items, next_token, fields)


ROUTES: Routes = {
    ("POST", "/owners/register"): register,
    ("GET", "/owners/profile"): get_profile,
    ("PUT", "/owners/profile"): update_profile,
    ("GET", "/admin/owners"): list_owners,
}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return dispatch(ROUTES, event, context)
