"""dog-management: CRUD for the authenticated owner's dogs.

Routes: GET/POST /dogs, GET/PUT/DELETE /dogs/{id}. Table: DOGS_TABLE (read/write, and Query on
its owner index). A dog belongs to the owner in the token; other owners get 404 on it.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from dogcare_common import store
from dogcare_common.aws import table
from dogcare_common.http import Request, Response, Routes, bad_request, dispatch, not_found
from dogcare_common.validation import integer, phone, string_list, text, validate

SIZES = ("small", "medium", "large", "giant")
VACCINATION_STATUSES = ("up-to-date", "due-soon", "overdue", "unknown")

FIELDS = {
    "name": text(max_len=100),
    "breed": text(max_len=100),
    "age": integer(minimum=0, maximum=30),
    "size": text(choices=SIZES),
    "vaccination_status": text(choices=VACCINATION_STATUSES),
    "special_needs": string_list(max_items=20, item=text(max_len=100)),
    "emergency_contact": phone(),
}
REQUIRED = ("name", "breed")
READ_ONLY = ("id", "owner_id", "created_at", "updated_at")
OPTIONAL = tuple(name for name in FIELDS if name not in REQUIRED)
PUBLIC = ("id", *FIELDS, "owner_id", "created_at", "updated_at")


def _dogs() -> Any:
    return table("DOGS_TABLE")


def list_dogs(request: Request) -> Response:
    items, next_token = store.query_by_owner(_dogs(), request, request.caller.owner_id)
    return store.page_response(items, next_token, PUBLIC)


def create_dog(request: Request) -> Response:
    values = validate(request.json_body(), FIELDS, required=REQUIRED, read_only=READ_ONLY)
    timestamp = store.now()
    dog = {
        "id": store.new_id("dog"),
        **values,
        "owner_id": request.caller.owner_id,  # from the token, never from the body
        "created_at": timestamp,
        "updated_at": timestamp,
    }
    _dogs().put_item(Item=dog, ConditionExpression="attribute_not_exists(id)")
    return Response(201, store.public(dog, PUBLIC), {"Location": f"/dogs/{dog['id']}"})


def get_dog(request: Request) -> Response:
    dog = store.get_owned(
        _dogs(), request.path_param("id"), request.caller.owner_id, "dog", prefix="dog"
    )
    return Response(200, store.public(dog, PUBLIC))


def update_dog(request: Request) -> Response:
    """Update the fields given (``null`` removes an optional one); at least one is required."""
    dog_id = store.checked_id(request.path_param("id"), prefix="dog", kind="dog")
    changes = validate(request.json_body(), FIELDS, read_only=READ_ONLY, nullable=OPTIONAL)
    if not changes:
        raise bad_request("body", f"give at least one of: {', '.join(FIELDS)}")
    expression, names, values = store.update_parts({**changes, "updated_at": store.now()})
    try:
        result = _dogs().update_item(
            Key={"id": dog_id},
            UpdateExpression=expression,
            ConditionExpression="owner_id = :caller",  # also false when the dog does not exist
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**values, ":caller": request.caller.owner_id},
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if store.is_condition_failure(error):
            raise not_found("dog") from None
        raise
    return Response(200, store.public(result["Attributes"], PUBLIC))


def delete_dog(request: Request) -> Response:
    dog_id = store.checked_id(request.path_param("id"), prefix="dog", kind="dog")
    try:
        _dogs().delete_item(
            Key={"id": dog_id},
            ConditionExpression="owner_id = :caller",
            ExpressionAttributeValues={":caller": request.caller.owner_id},
        )
    except ClientError as error:
        if store.is_condition_failure(error):
            raise not_found("dog") from None
        raise
    return Response(204)


ROUTES: Routes = {
    ("GET", "/dogs"): list_dogs,
    ("POST", "/dogs"): create_dog,
    ("GET", "/dogs/{id}"): get_dog,
    ("PUT", "/dogs/{id}"): update_dog,
    ("DELETE", "/dogs/{id}"): delete_dog,
}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return dispatch(ROUTES, event, context)
