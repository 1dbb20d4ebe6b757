"""Unit tests of the Dog Care Lambda handlers (examples/dogcare/handlers).

The handlers run in-process against moto's DynamoDB and Secrets Manager, with REST Lambda-proxy
events as API Gateway's Cognito authorizer sends them, and a fake payment provider on loopback
that counts charges. Fixtures are in this directory's conftest.py.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
from dogcare_harness import (
    ADMIN,
    ADMIN_ROUTES,
    ALICE,
    BOB,
    PROVIDER_API_KEY,
    ROUTES,
    SECRET_NAME,
    TABLES,
    WEB_ORIGIN,
    Api,
    Aws,
    FakeProvider,
    Result,
    User,
    rest_event,
)

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BUDDY = {
    "name": "Buddy",
    "breed": "Golden Retriever",
    "age": 3,
    "size": "large",
    "vaccination_status": "up-to-date",
    "special_needs": ["medication", "food-allergy"],
    "emergency_contact": "+1234567890",
}


def _day(days_ahead: int, hour: int) -> str:
    day = datetime.now(timezone.utc).date() + timedelta(days=days_ahead)
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def _create_dog(api: Api, user: User = ALICE) -> dict[str, Any]:
    result = api.call("POST", "/dogs", user=user, body=BUDDY)
    assert result.status == 201, result.body
    return dict(result.body)


def _create_booking(api: Api, user: User = ALICE, **overrides: Any) -> dict[str, Any]:
    dog = _create_dog(api, user)
    body = {
        "dog_id": dog["id"],
        "service_type": "daycare",
        "start_time": _day(1, 9),
        "end_time": _day(1, 17),
        "special_instructions": "Feed at 12pm",
        **overrides,
    }
    result = api.call("POST", "/bookings", user=user, body=body)
    assert result.status == 201, result.body
    return dict(result.body)


def _pay(api: Api, booking: dict[str, Any], key: str | None, user: User = ALICE) -> Result:
    headers = {"Idempotency-Key": key} if key else {}
    body = {"booking_id": booking["id"], "amount": 45.00, "payment_method": "tok_visa"}
    return api.call("POST", "/payments", user=user, body=body, headers=headers)


# --- routing contract ------------------------------------------------------------------------


def test_each_function_serves_exactly_its_seed_routes() -> None:
    """The 15 seed routes (001 B) plus the two admin routes, each in the function that owns it."""
    expected: dict[str, set[tuple[str, str]]] = {}
    for route, package in {**ROUTES, **ADMIN_ROUTES}.items():
        expected.setdefault(package, set()).add(route)
    actual = {package: set(import_module(f"{package}.app").ROUTES) for package in expected}
    assert actual == expected
    assert len(ROUTES) == 15


def test_unknown_method_and_missing_identity(api: Api) -> None:
    dogs = import_module("dog_management.app")
    patch = dogs.handler(rest_event("PATCH", "/dogs", "/dogs", user=ALICE), None)
    assert patch["statusCode"] == 405
    assert patch["headers"]["Allow"] == "GET,POST"
    anonymous = api.call("GET", "/dogs", user=None)
    assert anonymous.status == 401


@pytest.mark.checklist("001#2")
def test_cors_headers_follow_the_apis_allowed_origins(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = api.call("GET", "/dogs", user=ALICE, headers={"Origin": "https://evil.example"})
    assert other.status == 200 and "Access-Control-Allow-Origin" not in other.headers
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "*")
    anyone = api.call("GET", "/dogs", user=ALICE, headers={"Origin": "https://evil.example"})
    assert anyone.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.checklist("001#41")
def test_route_groups_declared_by_the_api_are_enforced(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ServerlessApi passes the groups its routes require in ROUTE_GROUPS (fail closed)."""
    monkeypatch.setenv("ROUTE_GROUPS", '{"GET /dogs": "staff"}')
    assert api.call("GET", "/dogs", user=ALICE).status == 403
    assert api.call("GET", "/dogs", user=ADMIN).status == 200  # groups "[admin, staff]"
    assert api.call("POST", "/dogs", user=ALICE, body=BUDDY).status == 201  # other route
    monkeypatch.setenv("ROUTE_GROUPS", "not json")
    assert api.call("GET", "/dogs", user=ADMIN).status == 500


# --- dogs --------------------------------------------------------------------------------


@pytest.mark.checklist("001#2", "001#28")
def test_dog_create_list_get_update_delete(api: Api) -> None:
    created = api.call("POST", "/dogs", user=ALICE, body=BUDDY)
    assert created.status == 201
    dog = created.body
    assert re.match(f"^dog-{UUID}$", dog["id"])
    assert dog["owner_id"] == ALICE.owner_id
    assert TIMESTAMP.match(dog["created_at"]) and dog["created_at"] == dog["updated_at"]
    assert {k: dog[k] for k in BUDDY} == BUDDY
    assert created.headers["Location"] == f"/dogs/{dog['id']}"
    assert created.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN  # echoed: allowed
    assert "Idempotent-Replayed" in created.headers["Access-Control-Expose-Headers"]

    listed = api.call("GET", "/dogs", user=ALICE)
    assert listed.status == 200
    assert [d["id"] for d in listed.body["items"]] == [dog["id"]]
    assert api.call("GET", f"/dogs/{dog['id']}", user=ALICE).body == dog

    updated = api.call(
        "PUT", f"/dogs/{dog['id']}", user=ALICE, body={"age": 4, "special_needs": None}
    )
    assert updated.status == 200
    assert updated.body["age"] == 4 and "special_needs" not in updated.body
    assert updated.body["name"] == "Buddy" and updated.body["created_at"] == dog["created_at"]

    deleted = api.call("DELETE", f"/dogs/{dog['id']}", user=ALICE)
    assert (deleted.status, deleted.body) == (204, None)
    assert deleted.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN
    assert api.call("GET", f"/dogs/{dog['id']}", user=ALICE).status == 404


@pytest.mark.checklist("001#40")
def test_second_owner_cannot_see_or_change_the_first_owners_dog(api: Api) -> None:
    dog = _create_dog(api, ALICE)
    path = f"/dogs/{dog['id']}"
    for method, body in (("GET", None), ("PUT", {"name": "Stolen"}), ("DELETE", None)):
        result = api.call(method, path, user=BOB, body=body)
        assert (result.status, result.body) == (404, {"message": "dog not found"}), method
    assert api.call("GET", "/dogs", user=BOB).body["items"] == []
    assert api.call("GET", path, user=ALICE).body == dog  # untouched


@pytest.mark.checklist("001#40")
def test_owner_comes_from_the_token_not_the_body(api: Api) -> None:
    body = {**BUDDY, "owner_id": BOB.owner_id, "id": "dog-mine", "created_at": "1999-01-01"}
    dog = api.call("POST", "/dogs", user=ALICE, body=body).body
    assert dog["owner_id"] == ALICE.owner_id
    assert dog["id"] != "dog-mine" and dog["created_at"] != "1999-01-01"
    assert api.call("GET", f"/dogs/{dog['id']}", user=BOB).status == 404


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"breed": "Beagle"}, "name", "is required"),
        ({**BUDDY, "age": "three"}, "age", "must be an integer between 0 and 30"),
        ({**BUDDY, "age": 2.5}, "age", "must be an integer between 0 and 30"),
        ({**BUDDY, "size": "huge"}, "size", "must be one of: small, medium, large, giant"),
        ({**BUDDY, "special_needs": "medication"}, "special_needs", "must be a list"),
        ({**BUDDY, "special_needs": ["ok", 7]}, "special_needs[1]", "must be a string"),
        ({**BUDDY, "emergency_contact": "call me"}, "emergency_contact", "must be a phone"),
        ({**BUDDY, "colour": "gold"}, "colour", "is not a known field"),
        ("{not json", "body", "is not valid JSON"),
        ([BUDDY], "body", "must be a JSON object"),
    ],
)
def test_invalid_dog_bodies_name_the_field(
    api: Api, body: object, field: str, problem: str
) -> None:
    result = api.call("POST", "/dogs", user=ALICE, body=body)
    assert result.status == 400
    assert result.field_errors()[field].startswith(problem)


def test_invalid_update_and_every_problem_reported_at_once(api: Api) -> None:
    dog = _create_dog(api)
    empty = api.call("PUT", f"/dogs/{dog['id']}", user=ALICE, body={})
    assert empty.status == 400 and "body" in empty.field_errors()
    several = api.call(
        "PUT", f"/dogs/{dog['id']}", user=ALICE, body={"name": None, "age": -1, "size": "xl"}
    )
    assert several.status == 400
    assert set(several.field_errors()) == {"name", "age", "size"}


def test_dog_list_pages_and_rejects_a_forged_token(api: Api) -> None:
    ids = {_create_dog(api)["id"] for _ in range(3)}
    first = api.call("GET", "/dogs", user=ALICE, query={"limit": "2"}).body
    assert len(first["items"]) == 2 and first["next_token"]
    second = api.call(
        "GET", "/dogs", user=ALICE, query={"limit": "2", "next_token": first["next_token"]}
    ).body
    assert {d["id"] for d in first["items"] + second["items"]} == ids
    forged = api.call("GET", "/dogs", user=BOB, query={"next_token": first["next_token"]})
    assert forged.status == 400 and "next_token" in forged.field_errors()
    assert api.call("GET", "/dogs", user=ALICE, query={"limit": "0"}).status == 400


# --- owners and admin --------------------------------------------------------------------


def test_owner_register_profile_and_update(api: Api) -> None:
    assert api.call("GET", "/owners/profile", user=ALICE).status == 404
    body = {
        "name": "John Doe",
        "email": "john@example.com",
        "phone": "+1234567890",
        "address": {"street": "123 Main St", "city": "Anytown", "state": "CA", "zip": "12345"},
    }
    registered = api.call("POST", "/owners/register", user=ALICE, body=body)
    assert registered.status == 201
    assert registered.body["id"] == ALICE.owner_id and registered.body["dogs"] == []
    assert api.call("POST", "/owners/register", user=ALICE, body=body).status == 409

    dog = _create_dog(api, ALICE)
    _create_dog(api, BOB)
    profile = api.call("GET", "/owners/profile", user=ALICE).body
    assert profile["dogs"] == [dog["id"]]  # derived from the dogs table, Bob's dog excluded
    assert profile["address"]["zip"] == "12345"

    updated = api.call("PUT", "/owners/profile", user=ALICE, body={"phone": None, "name": "J D"})
    assert updated.status == 200
    assert updated.body["name"] == "J D" and "phone" not in updated.body
    assert api.call("PUT", "/owners/profile", user=BOB, body={"name": "B"}).status == 404


def test_invalid_owner_bodies_name_nested_fields(api: Api) -> None:
    body = {
        "name": "Jo",
        "email": "not-an-email",
        "address": {"street": "1 Main St", "city": "Anytown", "state": "CA"},
    }
    result = api.call("POST", "/owners/register", user=ALICE, body=body)
    assert result.status == 400
    assert result.field_errors() == {
        "email": "must be an email address",
        "address.zip": "is required",
    }


@pytest.mark.checklist("001#41")
@pytest.mark.parametrize("path", ["/admin/owners", "/admin/bookings"])
def test_admin_routes_need_the_admin_group(api: Api, path: str) -> None:
    api.call("POST", "/owners/register", user=ALICE, body={"name": "A", "email": "a@b.co"})
    _create_booking(api, ALICE)
    denied = api.call("GET", path, user=ALICE)
    assert (denied.status, denied.body) == (
        403,
        {"message": "this operation requires the admin group"},
    )
    for admin in (ADMIN, User(ADMIN.sub, groups="admin")):
        allowed = api.call("GET", path, user=admin)
        assert allowed.status == 200 and len(allowed.body["items"]) == 1


@pytest.mark.parametrize(
    ("claim", "groups"),
    [
        ("admin", {"admin"}),
        ("[admin, test]", {"admin", "test"}),
        ("[admin test]", {"admin", "test"}),
        (["admin"], {"admin"}),
        ("", set()),
        (None, set()),
    ],
)
def test_cognito_groups_claim_shapes(claim: object, groups: set[str]) -> None:
    event = {"requestContext": {"authorizer": {"claims": {"sub": "u-1", "cognito:groups": claim}}}}
    caller = import_module("dogcare_common.http").caller_from_event(event)
    assert caller.groups == groups


# --- bookings ----------------------------------------------------------------------------


@pytest.mark.checklist("001#30")
def test_booking_is_priced_by_the_server_and_scoped_to_the_owner(api: Api) -> None:
    booking = _create_booking(api, price=1, status="confirmed")  # both read-only: ignored
    assert re.match(f"^booking-{UUID}$", booking["id"])
    assert booking["status"] == "pending" and booking["price"] == 45  # 45.00, seed's example
    assert booking["owner_id"] == ALICE.owner_id and "payment_id" not in booking
    assert api.call("GET", f"/bookings/{booking['id']}", user=BOB).status == 404
    assert (
        api.call("PUT", f"/bookings/{booking['id']}", user=BOB, body={"status": "cancelled"}).status
        == 404
    )
    assert api.call("DELETE", f"/bookings/{booking['id']}", user=BOB).status == 404
    assert [b["id"] for b in api.call("GET", "/bookings", user=ALICE).body["items"]] == [
        booking["id"]
    ]

    bobs_dog = _create_dog(api, BOB)
    body = {
        "dog_id": bobs_dog["id"],
        "service_type": "daycare",
        "start_time": _day(1, 9),
        "end_time": _day(1, 17),
    }
    result = api.call("POST", "/bookings", user=ALICE, body=body)
    assert result.status == 400
    assert result.field_errors() == {"dog_id": "does not match any of your dogs"}


def test_invalid_booking_bodies(api: Api) -> None:
    dog = _create_dog(api)
    body = {
        "dog_id": dog["id"],
        "service_type": "spa",
        "start_time": "tomorrow",
        "end_time": _day(1, 8),
    }
    result = api.call("POST", "/bookings", user=ALICE, body=body)
    assert set(result.field_errors()) == {"service_type", "start_time"}
    body = {**body, "service_type": "boarding", "start_time": _day(1, 9)}
    result = api.call("POST", "/bookings", user=ALICE, body=body)
    assert result.field_errors() == {"end_time": "must be after start_time"}
    body = {**body, "start_time": _day(-2, 9), "end_time": _day(-1, 9)}
    result = api.call("POST", "/bookings", user=ALICE, body=body)
    assert result.field_errors() == {"start_time": "must not be in the past"}


def test_booking_schedule_change_reprices_a_pending_booking(api: Api) -> None:
    booking = _create_booking(api)
    changed = api.call(
        "PUT",
        f"/bookings/{booking['id']}",
        user=ALICE,
        body={"service_type": "boarding", "end_time": _day(3, 9)},
    )
    assert changed.status == 200
    assert changed.body["price"] == 65 * 2 and changed.body["service_type"] == "boarding"
    mixed = api.call(
        "PUT",
        f"/bookings/{booking['id']}",
        user=ALICE,
        body={"status": "cancelled", "special_instructions": "x"},
    )
    assert mixed.status == 400 and "status" in mixed.field_errors()


def test_booking_status_transitions(api: Api, provider: FakeProvider) -> None:
    booking = _create_booking(api)
    path = f"/bookings/{booking['id']}"
    confirm = api.call("PUT", path, user=ALICE, body={"status": "confirmed"})
    assert confirm.status == 400 and "status" in confirm.field_errors()  # only a payment can
    assert _pay(api, booking, "pay-1").status == 201
    assert api.call("GET", path, user=ALICE).body["status"] == "confirmed"

    complete = api.call("PUT", path, user=ALICE, body={"status": "completed"})
    assert complete.status == 403  # the owner may see it, but only staff complete a stay
    reschedule = api.call("PUT", path, user=ALICE, body={"end_time": _day(1, 18)})
    assert reschedule.status == 409  # paid: the schedule is fixed
    completed = api.call("PUT", path, user=ADMIN, body={"status": "completed"})
    assert completed.status == 200 and completed.body["status"] == "completed"
    assert api.call("DELETE", path, user=ALICE).status == 409  # completed is final

    other = _create_booking(api)
    cancelled = api.call("DELETE", f"/bookings/{other['id']}", user=ALICE)
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"
    again = api.call("DELETE", f"/bookings/{other['id']}", user=ALICE)
    assert (again.status, again.body["message"]) == (
        409,
        "a cancelled booking cannot become cancelled",
    )
    assert _pay(api, other, "pay-2").status == 409  # cancelled bookings are not payable
    assert provider.charge_count == 1


def test_booking_creation_is_idempotent(api: Api) -> None:
    dog = _create_dog(api)
    body = {
        "dog_id": dog["id"],
        "service_type": "walk",
        "start_time": _day(2, 9),
        "end_time": _day(2, 10),
    }
    headers = {"Idempotency-Key": "book-walk-1"}
    first = api.call("POST", "/bookings", user=ALICE, body=body, headers=headers)
    retry = api.call("POST", "/bookings", user=ALICE, body=body, headers=headers)
    assert first.status == retry.status == 201
    assert retry.body == first.body and retry.headers["Idempotent-Replayed"] == "true"
    assert len(api.call("GET", "/bookings", user=ALICE).body["items"]) == 1
    changed = api.call(
        "POST", "/bookings", user=ALICE, headers=headers, body={**body, "service_type": "grooming"}
    )
    assert changed.status == 422
    bobs = api.call("POST", "/bookings", user=BOB, body=body, headers=headers)
    assert bobs.status == 400  # same key, other owner: a different request (and not Bob's dog)


# --- payments ----------------------------------------------------------------------------


def test_booking_and_payment_retried_with_the_same_key_charge_once(
    api: Api, provider: FakeProvider
) -> None:
    """The client's whole flow, each request sent twice (say, after a timeout)."""
    booking_key = {"Idempotency-Key": "order-7-booking"}
    body = {
        "dog_id": _create_dog(api)["id"],
        "service_type": "daycare",
        "start_time": _day(1, 9),
        "end_time": _day(1, 17),
    }
    booked = [
        api.call("POST", "/bookings", user=ALICE, body=body, headers=booking_key) for _ in range(2)
    ]
    assert booked[0].body == booked[1].body
    booking = booked[0].body
    first = _pay(api, booking, "order-7-attempt")
    retry = _pay(api, booking, "order-7-attempt")
    assert first.status == retry.status == 201
    assert retry.body == first.body
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in (
        first.headers
    )
    payment = first.body
    assert re.match(f"^payment-{UUID}$", payment["id"])
    assert payment["status"] == "succeeded" and payment["amount"] == 45
    assert payment["provider_reference"] == "ch_0001"
    assert provider.charge_count == 1

    sent = provider.requests[0]
    assert sent["headers"]["Idempotency-Key"] == payment["id"]  # namespaced per owner
    assert sent["payload"] == {
        "amount": 4500,
        "currency": "usd",
        "reference": payment["id"],
        "description": f"Dog Care booking {booking['id']}",
        "source": "tok_visa",
    }
    assert [b["status"] for b in api.call("GET", "/bookings", user=ALICE).body["items"]] == [
        "confirmed"
    ]  # one booking, paid once
    stored = api.call("GET", f"/bookings/{booking['id']}", user=ALICE).body
    assert stored["status"] == "confirmed" and stored["payment_id"] == payment["id"]
    assert api.call("GET", f"/payments/{payment['id']}", user=ALICE).body == payment
    assert api.call("GET", f"/payments/{payment['id']}", user=BOB).status == 404

    second_key = _pay(api, booking, "a-new-key")
    assert second_key.status == 409  # the booking is paid: a new key cannot charge it again
    assert provider.charge_count == 1


def test_payment_needs_an_idempotency_key_and_a_matching_amount(
    api: Api, provider: FakeProvider
) -> None:
    booking = _create_booking(api)
    missing = _pay(api, booking, None)
    assert missing.status == 400
    assert missing.field_errors() == {
        "Idempotency-Key": "header is required; send a unique value per operation"
    }
    wrong = api.call(
        "POST",
        "/payments",
        user=ALICE,
        headers={"Idempotency-Key": "k1"},
        body={"booking_id": booking["id"], "amount": 45.001},
    )
    assert wrong.field_errors() == {"amount": "must have at most two decimal places"}
    cheap = api.call(
        "POST",
        "/payments",
        user=ALICE,
        headers={"Idempotency-Key": "k1"},
        body={"booking_id": booking["id"], "amount": 1},
    )
    assert cheap.field_errors() == {"amount": "must equal the booking price 45.00"}
    bobs = _pay(api, booking, "k1", user=BOB)
    assert (bobs.status, bobs.body["message"]) == (404, "booking not found")
    assert provider.requests == []


def test_same_key_for_a_different_request_is_refused(api: Api, provider: FakeProvider) -> None:
    booking, other = _create_booking(api), _create_booking(api)
    assert _pay(api, booking, "reused").status == 201
    assert _pay(api, other, "reused").status == 422
    assert provider.charge_count == 1


def test_provider_failure_gives_502_and_a_later_retry_charges_once(
    api: Api, provider: FakeProvider
) -> None:
    booking = _create_booking(api)
    provider.mode = "unavailable"
    failed = _pay(api, booking, "flaky-1")
    assert failed.status == 502
    payment_id = failed.body["payment_id"]
    pending = api.call("GET", f"/payments/{payment_id}", user=ALICE).body
    assert pending["status"] == "retryable"
    assert api.call("DELETE", f"/bookings/{booking['id']}", user=ALICE).status == 409
    other_key = _pay(api, booking, "flaky-2")  # the booking is held by the unfinished payment
    assert other_key.status == 409 and payment_id in other_key.body["message"]

    provider.mode = "ok"
    retried = _pay(api, booking, "flaky-1")
    assert retried.status == 201 and retried.body["id"] == payment_id
    assert _pay(api, booking, "flaky-1").body == retried.body
    assert provider.charge_count == 1


def test_lost_provider_response_is_not_charged_twice(api: Api, provider: FakeProvider) -> None:
    """The provider charged but the answer was lost: the retry gets the same charge back."""
    booking = _create_booking(api)
    provider.mode = "lost_response"
    assert _pay(api, booking, "lost-1").status == 502
    assert provider.charge_count == 1
    provider.mode = "ok"
    retried = _pay(api, booking, "lost-1")
    assert retried.status == 201 and retried.body["provider_reference"] == "ch_0001"
    assert provider.charge_count == 1 and len(provider.requests) == 2


def test_concurrent_retry_waits_and_a_stalled_attempt_is_taken_over(
    api: Api, provider: FakeProvider, aws: Aws
) -> None:
    booking = _create_booking(api)
    provider.gate = threading.Event()
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(_pay(api, booking, "race-1")))
    first.start()
    while not provider.requests:  # the first attempt is now inside the provider call
        threading.Event().wait(0.01)
    concurrent = _pay(api, booking, "race-1")
    assert concurrent.status == 409 and int(concurrent.headers["Retry-After"]) > 0
    provider.gate.set()
    first.join(timeout=5)
    assert results[0].status == 201 and provider.charge_count == 1

    # An attempt that died mid-flight (its lease expired): the next retry takes over.
    stalled = _create_booking(api)
    provider.gate = None
    provider.mode = "lost_response"
    assert _pay(api, stalled, "stall-1").status == 502
    payments = aws.dynamodb.Table(TABLES["PAYMENTS_TABLE"][0])
    payment_id = provider.requests[-1]["headers"]["Idempotency-Key"]
    payments.update_item(
        Key={"id": payment_id},
        UpdateExpression="SET #s = :p, lease_token = :t, lease_expires_at = :e",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":p": "processing", ":t": "dead", ":e": Decimal(1)},
    )
    provider.mode = "ok"
    resumed = _pay(api, stalled, "stall-1")
    assert resumed.status == 201 and provider.charge_count == 2  # one per booking
    item = payments.get_item(Key={"id": payment_id})["Item"]
    assert item["attempts"] == 2 and "lease_token" not in item


def test_declined_payment_is_final_for_its_key_and_frees_the_booking(
    api: Api, provider: FakeProvider
) -> None:
    booking = _create_booking(api)
    provider.mode = "decline"
    declined = _pay(api, booking, "card-a")
    assert declined.status == 402
    assert declined.body["payment"]["decline_reason"] == "Your card was declined."
    provider.mode = "ok"
    replay = _pay(api, booking, "card-a")
    assert replay.status == 402 and replay.body == declined.body
    assert provider.charge_count == 0
    with_other_card = _pay(api, booking, "card-b")
    assert with_other_card.status == 201 and provider.charge_count == 1


@pytest.mark.parametrize("log_format", ["Text", "JSON"])
def test_provider_key_comes_from_the_cached_secret_and_is_never_logged(
    api: Api,
    provider: FakeProvider,
    aws: Aws,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    log_format: str,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", log_format)
    caplog.set_level("DEBUG", logger="dogcare")
    assert _pay(api, _create_booking(api), "cache-1").status == 201
    assert provider.requests[0]["headers"]["Authorization"] == f"Bearer {PROVIDER_API_KEY}"
    # Cached per container: the secret's deletion goes unnoticed by the next payment.
    aws.secrets.delete_secret(SecretId=SECRET_NAME, ForceDeleteWithoutRecovery=True)
    assert _pay(api, _create_booking(api), "cache-2").status == 201
    attempts = [r for r in caplog.records if "payment attempt" in r.getMessage()]
    assert len(attempts) == 2
    if log_format == "JSON":  # the runtime's JSON formatter makes these top-level keys
        assert attempts[0].__dict__["attempt"] == 1 and "payment_id" in attempts[0].__dict__
    assert all(PROVIDER_API_KEY not in str(vars(r)) for r in caplog.records)


def test_provider_url_must_be_https_except_on_loopback(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_module = import_module("payment_processing.provider")
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", "http://payments.example.com/v1")
    with pytest.raises(RuntimeError, match="must use https"):
        provider_module.charges_url()
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", "https://sandbox.example.com/v1/")
    assert provider_module.charges_url() == "https://sandbox.example.com/v1/charges"
