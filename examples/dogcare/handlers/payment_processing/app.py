"""payment-processing: pay for a booking exactly once, however often the request is retried.

Routes: POST /payments (``Idempotency-Key`` header required), GET /payments/{id}.
Tables: PAYMENTS_TABLE (read/write); BOOKINGS_TABLE (GetItem, UpdateItem: claim and confirm).
Secret: PAYMENT_SECRET_ARN (the provider API key). Provider: PAYMENT_PROVIDER_URL.

How a charge happens once:

1. The payment id is derived from (owner, Idempotency-Key), so every retry of a request targets
   the same payment item. The first attempt creates it with a conditional put; concurrent
   retries lose that race and read what the winner wrote.
2. The item is the idempotency record. Its status is ``processing`` while an attempt holds a
   lease (``lease_token``, ``lease_expires_at``), ``retryable`` after a provider error, and
   ``succeeded`` or ``declined`` once final. A retry replays a final result, answers 409 while
   a live lease exists, and takes over an expired lease or a ``retryable`` payment.
3. The booking is claimed (``payment_id`` set, only while ``pending`` and unclaimed), so a second
   key cannot pay the same booking twice.
4. The provider receives the payment id as its own idempotency key. If an attempt dies after
   charging but before recording the result, the retry gets the same charge back, not a new one.
5. A success is recorded on the payment, then the booking becomes ``confirmed``; a replay repeats
   the confirmation, which heals a crash between the two writes.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from decimal import Decimal
from typing import Any

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
    log,
)
from dogcare_common.idempotency import (
    derived_id,
    fingerprint,
    is_same_request,
    key_reused,
    required_idempotency_key,
)
from dogcare_common.validation import money, text, validate

from payment_processing import provider

FIELDS = {
    "booking_id": text(
        max_len=64, pattern=f"booking-{store.UUID}", hint="must be a booking id (booking-{uuid})"
    ),
    "amount": money(),
    "currency": text(choices=("USD",)),
    "payment_method": text(max_len=128),  # the provider's card token, e.g. a sandbox test token
}
REQUIRED = ("booking_id", "amount")
SERVER_MANAGED = ("id", "owner_id", "status", "provider_reference", "created_at", "updated_at")
PUBLIC = (
    "id", "booking_id", "owner_id", "amount", "currency", "status", "provider_reference",
    "decline_reason", "created_at", "updated_at",
)  # fmt: skip
FINAL = ("succeeded", "declined")


def _payments() -> Any:
    return table("PAYMENTS_TABLE")


def _bookings() -> Any:
    return table("BOOKINGS_TABLE")


def _lease_seconds() -> int:
    """Longer than the function timeout, so a live attempt is never taken over."""
    return int(os.environ.get("PAYMENT_LEASE_SECONDS", "60"))


def _get(payment_id: str) -> dict[str, Any] | None:
    item = _payments().get_item(Key={"id": payment_id}, ConsistentRead=True).get("Item")
    return dict(item) if item else None


def _conditional(call: Any, **kwargs: Any) -> dict[str, Any] | None:
    """The result of a conditional write, or None when its condition did not hold."""
    try:
        return dict(call(**kwargs))
    except ClientError as error:
        if store.is_condition_failure(error):
            return None
        raise


def create_payment(request: Request) -> Response:
    key = required_idempotency_key(request)
    values = validate(request.json_body(), FIELDS, required=REQUIRED, read_only=SERVER_MANAGED)
    values.setdefault("currency", "USD")
    owner_id = request.caller.owner_id
    payment_id = derived_id("payment", owner_id, key)
    request_fingerprint = fingerprint(values)

    payment = _get(payment_id)
    if payment is None:
        booking = store.get_owned(
            _bookings(), values["booking_id"], owner_id, "booking", prefix="booking"
        )
        _check_payable(booking, values["amount"], payment_id)
        lease = str(uuid.uuid4())
        timestamp = store.now()
        payment = {
            "id": payment_id,
            **values,
            "owner_id": owner_id,
            "status": "processing",
            "idempotency_key": key,
            "request_fingerprint": request_fingerprint,
            "lease_token": lease,
            "lease_expires_at": int(time.time()) + _lease_seconds(),
            "attempts": 1,
            "created_at": timestamp,
            "updated_at": timestamp,
        }
        created = _conditional(
            _payments().put_item, Item=payment, ConditionExpression="attribute_not_exists(id)"
        )
        if created is not None:
            return _attempt(payment, lease)
        payment = _get(payment_id)  # a concurrent retry created it first
        if payment is None:  # ...and gave it up again before charging: try once more later
            raise HttpError(
                409,
                "a concurrent request with this key just failed; retry it",
                headers={"Retry-After": "1"},
            )
    if not is_same_request(payment, owner_id, request_fingerprint):
        raise key_reused()
    return _resume(payment)


def _check_payable(booking: dict[str, Any], amount: Decimal, payment_id: str) -> None:
    if booking["status"] != "pending":
        raise HttpError(409, f"the booking is {booking['status']}; only a pending one can be paid")
    claimed_by = booking.get("payment_id")
    if claimed_by and claimed_by != payment_id:
        raise HttpError(
            409,
            f"the booking is already being paid by {claimed_by}; retry that payment with its "
            "own Idempotency-Key",
        )
    if amount != booking["price"]:
        raise bad_request("amount", f"must equal the booking price {booking['price']:.2f}")


def _resume(payment: dict[str, Any]) -> Response:
    """A retry: replay a final result, wait for a live attempt, or take over a stalled one."""
    if payment["status"] in FINAL:
        return _replay(payment)
    lease = str(uuid.uuid4())
    taken = _conditional(
        _payments().update_item,
        Key={"id": payment["id"]},
        UpdateExpression="SET #status = :processing, lease_token = :lease, "
        "lease_expires_at = :expires, updated_at = :now ADD attempts :one",
        ConditionExpression="#status = :retryable OR "
        "(#status = :processing AND lease_expires_at < :epoch)",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={
            ":processing": "processing",
            ":retryable": "retryable",
            ":lease": lease,
            ":epoch": int(time.time()),
            ":expires": int(time.time()) + _lease_seconds(),
            ":now": store.now(),
            ":one": 1,
        },
        ReturnValues="ALL_NEW",
    )
    if taken is not None:
        return _attempt(taken["Attributes"], lease)
    latest = _get(payment["id"]) or payment
    if latest["status"] in FINAL:
        return _replay(latest)
    retry_after = max(1, int(latest.get("lease_expires_at", 0)) - int(time.time()))
    raise HttpError(
        409,
        "a request with this Idempotency-Key is still in progress; retry it later",
        headers={"Retry-After": str(retry_after)},
    )


def _attempt(payment: dict[str, Any], lease: str) -> Response:
    """Claim the booking, charge, record the outcome. Holds the lease ``lease``."""
    log(
        logging.INFO,
        "payment attempt",
        payment_id=payment["id"],
        booking_id=payment["booking_id"],
        attempt=int(payment["attempts"]),
    )
    try:
        _claim_booking(payment, lease)
        charge = provider.charge(
            amount_cents=int(payment["amount"] * 100),
            currency=payment["currency"],
            reference=payment["id"],
            description=f"Dog Care booking {payment['booking_id']}",
            idempotency_key=payment["id"],  # unique per owner and client key
            source=payment.get("payment_method"),
        )
    except provider.ProviderError as error:
        _set_retryable(payment, lease)
        log(logging.WARNING, "payment provider error", payment_id=payment["id"], error=str(error))
        raise HttpError(
            502,
            "the payment provider failed; retry with the same Idempotency-Key",
            extra={"payment_id": payment["id"]},
        ) from None
    except HttpError:
        raise
    except Exception:
        _set_retryable(payment, lease)
        raise
    if charge.succeeded:
        outcome = {"status": "succeeded", "provider_reference": charge.reference}
    else:
        outcome = {
            "status": "declined",
            "provider_reference": charge.reference,
            "decline_reason": charge.decline_reason,
        }
    final = _record_outcome(payment, outcome)
    _settle_booking(final)
    log(logging.INFO, "payment final", payment_id=final["id"], status=final["status"])
    return _response(final, replayed=False)


def _claim_booking(payment: dict[str, Any], lease: str) -> None:
    """Reserve the booking for this payment; fails if it was cancelled or paid meanwhile."""
    claimed = _conditional(
        _bookings().update_item,
        Key={"id": payment["booking_id"]},
        UpdateExpression="SET payment_id = :payment, updated_at = :now ADD #version :one",
        ConditionExpression="owner_id = :owner AND #status = :pending AND "
        "(attribute_not_exists(payment_id) OR payment_id = :payment)",
        ExpressionAttributeNames={"#status": "status", "#version": "version"},
        ExpressionAttributeValues={
            ":payment": payment["id"],
            ":owner": payment["owner_id"],
            ":pending": "pending",
            ":now": store.now(),
            ":one": 1,
        },
    )
    if claimed is not None:
        return
    if int(payment["attempts"]) == 1:
        # Never sent to the provider: forget it so that the key can be used again.
        _conditional(
            _payments().delete_item,
            Key={"id": payment["id"]},
            ConditionExpression="lease_token = :lease",
            ExpressionAttributeValues={":lease": lease},
        )
    else:
        _set_retryable(payment, lease)
    raise HttpError(409, "the booking can no longer be paid: it was cancelled or paid already")


def _set_retryable(payment: dict[str, Any], lease: str) -> None:
    """Give the lease up so that the next retry goes ahead at once (if we still hold it)."""
    _conditional(
        _payments().update_item,
        Key={"id": payment["id"]},
        UpdateExpression="SET #status = :retryable, updated_at = :now "
        "REMOVE lease_token, lease_expires_at",
        ConditionExpression="lease_token = :lease",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":retryable": "retryable", ":lease": lease, ":now": store.now()},
    )


def _record_outcome(payment: dict[str, Any], outcome: dict[str, Any]) -> dict[str, Any]:
    """Write the provider's final answer, unless another attempt already wrote the same one.

    The condition is on the status rather than on our lease: thanks to the provider's
    idempotency every attempt gets the same answer, and a final answer must not be lost.
    """
    changes = {name: value for name, value in outcome.items() if value is not None}
    expression, names, values = store.update_parts({**changes, "updated_at": store.now()})
    written = _conditional(
        _payments().update_item,
        Key={"id": payment["id"]},
        UpdateExpression=f"{expression} REMOVE lease_token, lease_expires_at",
        ConditionExpression="#status IN (:processing, :retryable)",
        ExpressionAttributeNames={**names, "#status": "status"},
        ExpressionAttributeValues={
            **values,
            ":processing": "processing",
            ":retryable": "retryable",
        },
        ReturnValues="ALL_NEW",
    )
    if written is not None:
        return dict(written["Attributes"])
    return _get(payment["id"]) or payment


def _settle_booking(payment: dict[str, Any]) -> None:
    """Confirm the booking after a success; release it after a decline. Safe to repeat."""
    if payment["status"] == "succeeded":
        expression = "SET #status = :confirmed, updated_at = :now ADD #version :one"
        values = {":confirmed": "confirmed"}
    else:
        expression = "SET updated_at = :now REMOVE payment_id ADD #version :one"
        values = {}
    _conditional(
        _bookings().update_item,
        Key={"id": payment["booking_id"]},
        UpdateExpression=expression,
        ConditionExpression="payment_id = :payment AND #status = :pending",
        ExpressionAttributeNames={"#status": "status", "#version": "version"},
        ExpressionAttributeValues={
            **values,
            ":payment": payment["id"],
            ":pending": "pending",
            ":now": store.now(),
            ":one": 1,
        },
    )


def _replay(payment: dict[str, Any]) -> Response:
    _settle_booking(payment)  # heals a crash between recording the payment and the booking
    return _response(payment, replayed=True)


def _response(payment: dict[str, Any], *, replayed: bool) -> Response:
    headers = {"Location": f"/payments/{payment['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    body = store.public(payment, PUBLIC)
    if payment["status"] == "succeeded":
        return Response(201, body, headers)
    return Response(
        402,
        {"message": f"payment declined: {payment.get('decline_reason')}", "payment": body},
        headers,
    )


def get_payment(request: Request) -> Response:
    payment = store.get_owned(
        _payments(), request.path_param("id"), request.caller.owner_id, "payment", prefix="payment"
    )
    return Response(200, store.public(payment, PUBLIC))


ROUTES: Routes = {
    ("POST", "/payments"): create_payment,
    ("GET", "/payments/{id}"): get_payment,
}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return dispatch(ROUTES, event, context)
