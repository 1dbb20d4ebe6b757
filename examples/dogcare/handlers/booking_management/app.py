"""booking-management: the authenticated owner's care bookings and their status transitions.

Routes: GET/POST /bookings, GET/PUT/DELETE /bookings/{id}, GET /admin/bookings (admin only).
Tables: BOOKINGS_TABLE (read/write, Query on its owner index); DOGS_TABLE (GetItem only, to
check that the booked dog is the caller's).

Status transitions::

    pending --(payment succeeds: payment-processing)--> confirmed --(admin)--> completed
       |                                                    |
       +----------------(owner or admin)--> cancelled <-----+

A booking is created ``pending``. While a payment holds it (``payment_id`` set on a pending
booking), its schedule and status are frozen, so the amount being charged cannot change under
the payment. Members of the ``admin`` group may read and change any booking through
``/bookings/{id}``; everyone else only their own (others' bookings answer 404).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn

from boto3.dynamodb.conditions import Attr
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
    not_found,
    require_admin,
)
from dogcare_common.idempotency import (
    derived_id,
    fingerprint,
    idempotency_key,
    is_same_request,
    key_reused,
)
from dogcare_common.validation import (
    FieldError,
    ValidationError,
    parse_time,
    text,
    timestamp,
    validate,
)

from booking_management.pricing import SERVICE_TYPES, price

STATUSES = ("pending", "confirmed", "completed", "cancelled")
TRANSITIONS = {
    "pending": ("cancelled",),  # pending -> confirmed happens only through a payment
    "confirmed": ("cancelled", "completed"),
    "completed": (),
    "cancelled": (),
}
ADMIN_ONLY_TARGETS = ("completed",)  # staff mark a stay as delivered
MAX_DURATION = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=5)

SCHEDULE_FIELDS = {
    "service_type": text(choices=SERVICE_TYPES),
    "start_time": timestamp(),
    "end_time": timestamp(),
    "special_instructions": text(max_len=500),
}
CREATE_FIELDS = {
    "dog_id": text(max_len=64, pattern=f"dog-{store.UUID}", hint="must be a dog id (dog-{uuid})"),
    **SCHEDULE_FIELDS,
}
UPDATE_FIELDS = {**SCHEDULE_FIELDS, "status": text(choices=("cancelled", "completed"))}
REQUIRED = ("dog_id", "service_type", "start_time", "end_time")
SERVER_MANAGED = ("id", "owner_id", "price", "payment_id", "created_at", "updated_at")
PUBLIC = (
    "id", "dog_id", "owner_id", "service_type", "start_time", "end_time", "status", "price",
    "payment_id", "special_instructions", "created_at", "updated_at",
)  # fmt: skip


def _bookings() -> Any:
    return table("BOOKINGS_TABLE")


def _check_schedule(start_time: str, end_time: str) -> None:
    start, end = parse_time(start_time), parse_time(end_time)
    errors = []
    if start < datetime.now(timezone.utc) - CLOCK_SKEW:
        errors.append(FieldError("start_time", "must not be in the past"))
    if end <= start:
        errors.append(FieldError("end_time", "must be after start_time"))
    elif end - start > MAX_DURATION:
        errors.append(FieldError("end_time", "must be at most 30 days after start_time"))
    if errors:
        raise ValidationError(errors)


def _check_dog(dog_id: str, owner_id: str) -> None:
    """The dog must be the caller's; another owner's dog looks exactly like a missing one."""
    dog = table("DOGS_TABLE").get_item(Key={"id": dog_id}, ProjectionExpression="owner_id")
    if dog.get("Item", {}).get("owner_id") != owner_id:
        raise bad_request("dog_id", "does not match any of your dogs")


def _load(request: Request) -> dict[str, Any]:
    booking_id = request.path_param("id")
    if not request.caller.is_admin:
        return store.get_owned(
            _bookings(), booking_id, request.caller.owner_id, "booking", prefix="booking"
        )
    store.checked_id(booking_id, prefix="booking", kind="booking")
    booking = _get(booking_id)
    if booking is None:
        raise not_found("booking")
    return booking


def _save(booking: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes`` if nobody changed the booking since it was read (optimistic locking)."""
    expression, names, values = store.update_parts({**changes, "updated_at": store.now()})
    try:
        result = _bookings().update_item(
            Key={"id": booking["id"]},
            UpdateExpression=f"{expression} ADD #version :one",
            ConditionExpression="#version = :seen",
            ExpressionAttributeNames={**names, "#version": "version"},
            ExpressionAttributeValues={**values, ":one": 1, ":seen": booking["version"]},
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if store.is_condition_failure(error):
            raise HttpError(409, "the booking changed meanwhile; read it again and retry") from None
        raise
    return dict(result["Attributes"])


def list_bookings(request: Request) -> Response:
    items, next_token = store.query_by_owner(_bookings(), request, request.caller.owner_id)
    return store.page_response(items, next_token, PUBLIC)


def create_booking(request: Request) -> Response:
    """Create a pending booking; an ``Idempotency-Key`` header makes retries return the first."""
    key = idempotency_key(request)
    values = validate(
        request.json_body(), CREATE_FIELDS, required=REQUIRED, read_only=(*SERVER_MANAGED, "status")
    )
    owner_id = request.caller.owner_id
    if key is None:
        return _create(store.new_id("booking"), values, owner_id) or _lost_race()
    booking_id = derived_id("booking", owner_id, key)
    request_fingerprint = fingerprint(values)
    existing = _get(booking_id)
    if existing is None:
        created = _create(booking_id, values, owner_id, request_fingerprint=request_fingerprint)
        if created is not None:
            return created
        existing = _get(booking_id) or _lost_race()  # a concurrent retry created it first
    if not is_same_request(existing, owner_id, request_fingerprint):
        raise key_reused()
    headers = {"Location": f"/bookings/{booking_id}", "Idempotent-Replayed": "true"}
    return Response(201, store.public(existing, PUBLIC), headers)


def _create(
    booking_id: str,
    values: dict[str, Any],
    owner_id: str,
    *,
    request_fingerprint: str | None = None,
) -> Response | None:
    """Write a new pending booking; None if ``booking_id`` exists already."""
    _check_schedule(values["start_time"], values["end_time"])
    _check_dog(values["dog_id"], owner_id)
    start, end = parse_time(values["start_time"]), parse_time(values["end_time"])
    timestamp_now = store.now()
    booking = {
        "id": booking_id,
        **values,
        "owner_id": owner_id,
        "status": "pending",
        "price": price(values["service_type"], start, end),
        "created_at": timestamp_now,
        "updated_at": timestamp_now,
        "version": 1,
    }
    if request_fingerprint:
        booking["request_fingerprint"] = request_fingerprint
    try:
        _bookings().put_item(Item=booking, ConditionExpression="attribute_not_exists(id)")
    except ClientError as error:
        if store.is_condition_failure(error):
            return None
        raise
    return Response(201, store.public(booking, PUBLIC), {"Location": f"/bookings/{booking_id}"})


def _get(booking_id: str) -> dict[str, Any] | None:
    booking = _bookings().get_item(Key={"id": booking_id}, ConsistentRead=True).get("Item")
    return dict(booking) if booking else None


def _lost_race() -> NoReturn:
    raise HttpError(
        409, "a concurrent request created this booking; retry it", headers={"Retry-After": "1"}
    )


def get_booking(request: Request) -> Response:
    return Response(200, store.public(_load(request), PUBLIC))


def update_booking(request: Request) -> Response:
    """Change the schedule of a pending booking, or its status (on its own)."""
    booking = _load(request)
    changes = validate(
        request.json_body(),
        UPDATE_FIELDS,
        read_only=(*SERVER_MANAGED, "dog_id"),
        nullable=("special_instructions",),
    )
    if not changes:
        raise bad_request("body", f"give at least one of: {', '.join(UPDATE_FIELDS)}")
    if "status" in changes:
        if len(changes) > 1:
            raise bad_request("status", "change the status in a request of its own")
        return _transition(request, booking, changes["status"])
    if booking["status"] != "pending" or booking.get("payment_id"):
        raise HttpError(
            409, f"only an unpaid pending booking can be changed; this one is {booking['status']}"
        )
    merged = {**booking, **changes}
    if {"service_type", "start_time", "end_time"} & changes.keys():
        _check_schedule(merged["start_time"], merged["end_time"])
        changes["price"] = price(
            merged["service_type"], parse_time(merged["start_time"]), parse_time(merged["end_time"])
        )
    return Response(200, store.public(_save(booking, changes), PUBLIC))


def _transition(request: Request, booking: dict[str, Any], target: str) -> Response:
    current = booking["status"]
    if target in ADMIN_ONLY_TARGETS and not request.caller.is_admin:
        raise HttpError(403, f"only the admin group can mark a booking {target}")
    if target not in TRANSITIONS[current]:
        raise HttpError(409, f"a {current} booking cannot become {target}")
    if current == "pending" and booking.get("payment_id"):
        raise HttpError(
            409,
            f"payment {booking['payment_id']} is in progress for this booking; finish it by "
            "retrying it with the same Idempotency-Key first",
        )
    return Response(200, store.public(_save(booking, {"status": target}), PUBLIC))


def cancel_booking(request: Request) -> Response:
    """Cancel (the booking stays, with status ``cancelled``); refunds are out of the MVP."""
    return _transition(request, _load(request), "cancelled")


def list_all_bookings(request: Request) -> Response:
    """Admin only: every booking, optionally ``?status=``, a page at a time."""
    require_admin(request)
    filters: dict[str, Any] = {}
    status = request.query.get("status")
    if status is not None:
        if status not in STATUSES:
            raise bad_request("status", f"must be one of: {', '.join(STATUSES)}")
        filters["FilterExpression"] = Attr("status").eq(status)
    items, next_token = store.scan_page(_bookings(), request, **filters)
    return store.page_response(items, next_token, PUBLIC)


ROUTES: Routes = {
    ("GET", "/bookings"): list_bookings,
    ("POST", "/bookings"): create_booking,
    ("GET", "/bookings/{id}"): get_booking,
    ("PUT", "/bookings/{id}"): update_booking,
    ("DELETE", "/bookings/{id}"): cancel_booking,
    ("GET", "/admin/bookings"): list_all_bookings,
}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return dispatch(ROUTES, event, context)
