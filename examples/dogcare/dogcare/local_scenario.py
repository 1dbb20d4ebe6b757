"""Dog Care deployed to the local cloud and used over HTTP, as a client would (``make demo``).

The REST API of a deployed ``DogCareStack`` is served on 127.0.0.1 by
:class:`~petplatform_localcloud.apigateway.LocalRestApi` (Cognito authorizer,
request validation, CORS preflight, the four Lambda functions in-process). Users sign up in the
deployed user pool and call the API with their ID tokens. Payments go to
:class:`FakePaymentProvider` on loopback, whose URL the stack must be synthesized with::

    with FakePaymentProvider() as provider:
        config = DogCareConfig.for_stage("dev", payment_provider_url=provider.url)
        result = synth(make_app(), lambda app: dogcare.build(app, "dev", config))
        with LocalCloud(account_id=config.account) as cloud, deployed(cloud, result) as report:
            for step, ok, detail in run_http_scenario(cloud, report, result, provider):
                print("ok  " if ok else "FAIL", step, detail)

Each step of :data:`STEPS` checks one behaviour and raises ``AssertionError`` when it is wrong;
the tests run them one by one (``tests/localcloud/test_dogcare_local.py``).
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from petplatform_localcloud.apigateway import LocalRestApi
from petplatform_localcloud.cognito import srp_sign_in
from petplatform_localcloud.report import DemoResult

if TYPE_CHECKING:
    from petplatform_constructs.testing import SynthResult
    from petplatform_localcloud import DeployReport, LocalCloud

__all__ = [
    "STEPS",
    "DemoResult",
    "FakePaymentProvider",
    "HttpResult",
    "Scenario",
    "Step",
    "User",
    "format_steps",
    "run_demo",
    "run_http_scenario",
    "scenario",
]

PASSWORD = "Local-Cloud-Pa55word!"
Json = dict[str, Any]


# --------------------------------------------------------------------------------------------
# A payment provider on loopback


class FakePaymentProvider:
    """``POST /v1/charges`` on 127.0.0.1, deduplicating on ``Idempotency-Key`` as real providers
    do (the contract is in ``handlers/README.md``). ``charges`` holds one entry per charge."""

    def __init__(self, api_key: str = "sk_test_local_cloud_0123456789") -> None:
        self.api_key = api_key
        self.charges: dict[str, Json] = {}
        self.requests = 0
        self.url = ""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def charge_count(self) -> int:
        with self._lock:
            return len(self.charges)

    def __enter__(self) -> FakePaymentProvider:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _provider_handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="dogcare-fake-provider",
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def charge(self, key: str, authorization: str | None, payload: Json) -> tuple[int, Json]:
        with self._lock:
            self.requests += 1
            if authorization != f"Bearer {self.api_key}":
                return 401, {"error": {"message": "invalid API key"}}
            charge = self.charges.setdefault(
                key,
                {
                    "id": f"ch_{len(self.charges) + 1:04d}",
                    "status": "succeeded",
                    "amount": payload.get("amount"),
                    "currency": payload.get("currency"),
                },
            )
            return 200, charge


def _provider_handler(provider: FakePaymentProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if self.path != "/v1/charges":
                status, body = 404, {"error": {"message": "no such endpoint"}}
            else:
                status, body = provider.charge(
                    self.headers.get("Idempotency-Key", ""),
                    self.headers.get("Authorization"),
                    payload,
                )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


# --------------------------------------------------------------------------------------------
# Users and HTTP calls


@dataclass(frozen=True)
class User:
    email: str
    sub: str
    id_token: str
    groups: tuple[str, ...] = ()

    @property
    def owner_id(self) -> str:
        return f"owner-{self.sub}"


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: Any  # parsed JSON, or None

    def __str__(self) -> str:
        return f"HTTP {self.status} {json.dumps(self.body)[:300]}"


@dataclass
class Scenario:
    """What the steps work with: the served API, the deployed pool, the fake provider."""

    cloud: LocalCloud
    api: LocalRestApi
    provider: FakePaymentProvider
    pool_id: str
    client_id: str
    secret_arn: str
    dogs_table: str
    web_origin: str  # the stage's web app origin, allowed by CORS
    users: dict[str, User] = field(default_factory=dict)

    def user(self, label: str, *, groups: tuple[str, ...] = ()) -> User:
        """A user signed up in the deployed pool, confirmed, in ``groups``, and signed in (one
        per label)."""
        if label not in self.users:
            idp = self.cloud.client("cognito-idp")
            email = f"{label}-{uuid.uuid4().hex[:8]}@example.com"
            signed_up = idp.sign_up(ClientId=self.client_id, Username=email, Password=PASSWORD)
            idp.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=email)
            for group in groups:
                idp.admin_add_user_to_group(
                    UserPoolId=self.pool_id, Username=email, GroupName=group
                )
            tokens = srp_sign_in(idp, self.client_id, email)
            self.users[label] = User(email, signed_up["UserSub"], tokens["IdToken"], groups)
        return self.users[label]

    def call(
        self,
        method: str,
        path: str,
        *,
        user: User | None = None,
        token: str | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResult:
        """An HTTP request to the served stage, with the user's ID token as ``Authorization``."""
        sent = {"Origin": self.web_origin, **(headers or {})}
        if token is None and user is not None:
            token = user.id_token
        if token is not None:
            sent["Authorization"] = token
        data = None
        if body is not None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(
            f"{self.api.url}{path}", data=data, method=method, headers=sent
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, raw, received = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            with error:
                status, raw, received = error.code, error.read(), error.headers
        return HttpResult(
            status,
            {k.lower(): v for k, v in received.items()},
            json.loads(raw) if raw else None,
        )

    def invocation_count(self) -> int:
        return len(self.api.invocations)


def _tomorrow(hour: int) -> str:
    day = datetime.now(timezone.utc).date() + timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


BUDDY = {"name": "Buddy", "breed": "Golden Retriever", "age": 3, "size": "large"}


def _expect(result: HttpResult, status: int, what: str) -> Any:
    assert result.status == status, f"{what}: expected HTTP {status}, got {result}"
    return result.body


def _create_dog(s: Scenario, user: User) -> Json:
    body: Json = _expect(s.call("POST", "/dogs", user=user, body=BUDDY), 201, "POST /dogs")
    return body


# --------------------------------------------------------------------------------------------
# The steps


@dataclass(frozen=True)
class Step:
    name: str
    items: tuple[str, ...]  # seed checklist items the step proves at runtime
    run: Callable[[Scenario], str]  # returns a one-line detail; raises AssertionError


def dog_crud(s: Scenario) -> str:
    """Create, list, read, update and delete a dog; the owner comes from the token."""
    alice = s.user("alice")
    created = s.call("POST", "/dogs", user=alice, body={**BUDDY, "owner_id": "owner-forged"})
    dog = _expect(created, 201, "POST /dogs")
    assert dog["id"].startswith("dog-") and dog["owner_id"] == alice.owner_id, dog
    assert created.headers.get("access-control-allow-origin") == s.web_origin, created.headers
    stored = s.cloud.resource("dynamodb").Table(s.dogs_table).get_item(Key={"id": dog["id"]})
    assert stored["Item"]["name"] == "Buddy", "the dog is not in the deployed dogs table"
    listed = _expect(s.call("GET", "/dogs", user=alice), 200, "GET /dogs")
    assert dog["id"] in [d["id"] for d in listed["items"]], listed
    read = _expect(s.call("GET", f"/dogs/{dog['id']}", user=alice), 200, "GET /dogs/{id}")
    assert read == dog, read
    update = {"age": 4, "vaccination_status": "up-to-date"}
    updated = _expect(s.call("PUT", f"/dogs/{dog['id']}", user=alice, body=update), 200, "PUT")
    assert updated["age"] == 4 and updated["vaccination_status"] == "up-to-date", updated
    _expect(s.call("DELETE", f"/dogs/{dog['id']}", user=alice), 204, "DELETE /dogs/{id}")
    _expect(s.call("GET", f"/dogs/{dog['id']}", user=alice), 404, "GET after DELETE")
    return f"{dog['id']} created, listed, read, updated (age 4) and deleted"


def owner_isolation(s: Scenario) -> str:
    """A second owner gets 404 on the first owner's dog: read, update and delete alike."""
    dog = _create_dog(s, s.user("alice"))
    bob = s.user("bob")
    path = f"/dogs/{dog['id']}"
    for method, body in (("GET", None), ("PUT", {"age": 9}), ("DELETE", None)):
        answer = s.call(method, path, user=bob, body=body)
        assert answer.status == 404, f"{method} {path} as another owner: {answer}"
    listed = _expect(s.call("GET", "/dogs", user=bob), 200, "GET /dogs as bob")
    assert dog["id"] not in [d["id"] for d in listed["items"]], listed
    still = _expect(s.call("GET", path, user=s.user("alice")), 200, "GET as the owner")
    assert "age" in still and still["age"] == BUDDY["age"], still
    return f"bob: 404 on GET/PUT/DELETE {path}; alice's dog unchanged"


def request_validation(s: Scenario) -> str:
    """Bodies that break the model get API Gateway's 400 before any Lambda runs."""
    alice = s.user("alice")
    before = s.invocation_count()
    bad_bodies: list[object] = [
        {"name": "Rex"},  # breed missing
        {**BUDDY, "colour": "gold"},  # unknown field
        {**BUDDY, "size": "tiny"},  # not in the enum
        {**BUDDY, "age": "three"},  # wrong type
        "not json",
    ]
    for body in bad_bodies:
        answer = s.call("POST", "/dogs", user=alice, body=body)
        assert (answer.status, answer.body) == (400, {"message": "Invalid request body"}), (
            f"{body!r}: {answer}"
        )
        assert answer.headers.get("access-control-allow-origin") == s.web_origin, answer.headers
    assert s.invocation_count() == before, "a Lambda ran for a body the gateway must refuse"
    # Valid for the model, invalid for the handler (age 0..30): the Lambda's own 400.
    answer = s.call("POST", "/dogs", user=alice, body={**BUDDY, "age": 35})
    assert answer.status == 400 and answer.body.get("errors"), answer
    assert s.invocation_count() == before + 1
    return f"{len(bad_bodies)} bad bodies refused by the gateway with no invocation"


def authorizer(s: Scenario) -> str:
    """No token, a garbage token or a tampered one: 401 from the Cognito authorizer."""
    before = s.invocation_count()
    token = s.user("alice").id_token
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-4]}AAAA.{signature}"
    for label, sent in (("no token", None), ("garbage", "not-a-jwt"), ("tampered", tampered)):
        answer = s.call("GET", "/dogs", token=sent)
        assert (answer.status, answer.body) == (401, {"message": "Unauthorized"}), (
            f"{label}: {answer}"
        )
    assert s.invocation_count() == before, "a Lambda ran for an unauthenticated request"
    return "401 for a missing, malformed and tampered token; no invocation"


def admin_routes(s: Scenario) -> str:
    """Admin routes: 403 without the ``admin`` group, 200 with it."""
    denied = s.call("GET", "/admin/owners", user=s.user("alice"))
    assert denied.status == 403, f"GET /admin/owners without the group: {denied}"
    admin = s.user("admin", groups=("admin",))
    for path in ("/admin/owners", "/admin/bookings"):
        _expect(s.call("GET", path, user=admin), 200, f"GET {path} as admin")
    return "403 without the admin group; 200 for /admin/owners and /admin/bookings with it"


def cors_preflight(s: Scenario) -> str:
    """OPTIONS answers from the MOCK integration with the CORS headers, without a token."""
    answer = s.call(
        "OPTIONS",
        "/payments",
        headers={"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x"},
    )
    assert answer.status == 204, answer
    headers = answer.headers
    assert headers.get("access-control-allow-origin") == s.web_origin, headers
    assert "POST" in headers.get("access-control-allow-methods", ""), headers
    allowed = headers.get("access-control-allow-headers", "")
    assert "Idempotency-Key" in allowed and "Authorization" in allowed, headers
    return f"204, allow-origin {s.web_origin}, allow-headers {allowed}"


def owner_profile(s: Scenario) -> str:
    """Register, read and update the owner profile; it lists the owner's dogs."""
    carol = s.user("carol")
    dog = _create_dog(s, carol)
    profile = {"name": "Carol", "email": carol.email, "phone": "+15555550100"}
    registered = _expect(
        s.call("POST", "/owners/register", user=carol, body=profile), 201, "register"
    )
    assert registered["id"] == carol.owner_id, registered
    read = _expect(s.call("GET", "/owners/profile", user=carol), 200, "GET profile")
    assert read["dogs"] == [dog["id"]], read
    changed = _expect(
        s.call("PUT", "/owners/profile", user=carol, body={"name": "Carol B."}), 200, "PUT"
    )
    assert changed["name"] == "Carol B.", changed
    return f"{carol.owner_id} registered with 1 dog and renamed"


def booking_and_payment_once(s: Scenario) -> str:
    """A booking, and its payment retried with the same Idempotency-Key: charged once."""
    dave = s.user("dave")
    dog = _create_dog(s, dave)
    request = {
        "dog_id": dog["id"],
        "service_type": "daycare",
        "start_time": _tomorrow(9),
        "end_time": _tomorrow(17),
    }
    booking = _expect(s.call("POST", "/bookings", user=dave, body=request), 201, "POST /bookings")
    assert booking["status"] == "pending" and booking["price"] == 45, booking
    payment = {"booking_id": booking["id"], "amount": 45.00, "payment_method": "tok_visa"}
    before = s.invocation_count()
    missing = s.call("POST", "/payments", user=dave, body=payment)
    assert missing.status == 400 and "Idempotency-Key" in missing.body["message"], missing
    assert s.invocation_count() == before, "the gateway must refuse a missing Idempotency-Key"
    charges_before = s.provider.charge_count
    key = {"Idempotency-Key": f"pay-{uuid.uuid4().hex}"}
    first = s.call("POST", "/payments", user=dave, body=payment, headers=key)
    retry = s.call("POST", "/payments", user=dave, body=payment, headers=key)
    paid = _expect(first, 201, "POST /payments")
    assert paid["status"] == "succeeded", paid
    assert (retry.status, retry.body) == (201, paid), f"the retry answered {retry}"
    assert retry.headers.get("idempotent-replayed") == "true", retry.headers
    charged = s.provider.charge_count - charges_before
    assert charged == 1, f"the provider charged {charged} times"
    confirmed = _expect(s.call("GET", f"/bookings/{booking['id']}", user=dave), 200, "booking")
    assert confirmed["status"] == "confirmed" and confirmed["payment_id"] == paid["id"], confirmed
    _expect(s.call("GET", f"/payments/{paid['id']}", user=dave), 200, "GET /payments/{id}")
    _expect(s.call("GET", f"/payments/{paid['id']}", user=s.user("bob")), 404, "other owner")
    return f"{booking['id']} confirmed; {paid['id']} charged once for 2 requests"


def booking_cancel(s: Scenario) -> str:
    """An unpaid booking can be rescheduled and cancelled by its owner."""
    erin = s.user("erin")
    dog = _create_dog(s, erin)
    request = {
        "dog_id": dog["id"],
        "service_type": "walk",
        "start_time": _tomorrow(10),
        "end_time": _tomorrow(11),
    }
    booking = _expect(s.call("POST", "/bookings", user=erin, body=request), 201, "POST /bookings")
    moved = {"start_time": _tomorrow(12), "end_time": _tomorrow(13)}
    path = f"/bookings/{booking['id']}"
    updated = _expect(s.call("PUT", path, user=erin, body=moved), 200, "PUT /bookings/{id}")
    assert updated["start_time"] == moved["start_time"], updated
    listed = _expect(s.call("GET", "/bookings", user=erin), 200, "GET /bookings")
    assert [b["id"] for b in listed["items"]] == [booking["id"]], listed
    cancelled = _expect(s.call("DELETE", path, user=erin), 200, "DELETE /bookings/{id}")
    assert cancelled["status"] == "cancelled", cancelled
    return f"{booking['id']} rescheduled and cancelled"


STEPS: tuple[Step, ...] = (
    Step("cors-preflight", ("001#2",), cors_preflight),
    Step("authorizer-401", ("001#39",), authorizer),
    Step("dog-crud", ("001#9", "001#10", "001#11", "001#12", "001#13", "001#33"), dog_crud),
    Step("owner-isolation", ("001#40",), owner_isolation),
    Step("request-validation", ("001#3", "001#28"), request_validation),
    Step("owner-profile", ("001#14", "001#15", "001#16"), owner_profile),
    Step("admin-routes", ("001#41",), admin_routes),
    Step("booking-cancel", ("001#17", "001#18", "001#19", "001#20", "001#21"), booking_cancel),
    Step("payment-once", ("001#22", "001#23", "001#38"), booking_and_payment_once),
)


# --------------------------------------------------------------------------------------------
# Running it


def _physical_ids(cloud: LocalCloud, stack_name: str) -> dict[str, list[str]]:
    resources = cloud.client("cloudformation").describe_stack_resources(StackName=stack_name)
    ids: dict[str, list[str]] = {}
    for resource in resources["StackResources"]:
        if resource.get("PhysicalResourceId"):
            ids.setdefault(resource["ResourceType"], []).append(resource["PhysicalResourceId"])
    return ids


@contextmanager
def scenario(
    cloud: LocalCloud,
    report: DeployReport,
    assembly: SynthResult | Path | str,
    provider: FakePaymentProvider,
    *,
    stack: str | None = None,
) -> Iterator[Scenario]:
    """The deployed Dog Care API served locally, with the provider's key in the deployed secret.

    ``stack`` defaults to the report's only ``DogCareStack-*``.
    """
    if stack is None:
        names = [s.stack_name for s in report.stacks if s.stack_name.startswith("DogCareStack")]
        assert len(names) == 1, f"expected one DogCareStack in the report, got {names}"
        stack = names[0]
    ids = _physical_ids(cloud, stack)
    (secret_arn,) = ids["AWS::SecretsManager::Secret"]
    cloud.client("secretsmanager").put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({"api_key": provider.api_key})
    )
    dogs_table = next(name for name in ids["AWS::DynamoDB::GlobalTable"] if "dogs" in name)
    with LocalRestApi(cloud, assembly, stack=stack) as api:
        origins = [
            f.environment["CORS_ALLOWED_ORIGINS"]
            for f in api.functions.values()
            if f.environment.get("CORS_ALLOWED_ORIGINS")
        ]
        assert origins, "no function of the API has CORS_ALLOWED_ORIGINS"
        yield Scenario(
            cloud=cloud,
            api=api,
            provider=provider,
            pool_id=ids["AWS::Cognito::UserPool"][0],
            client_id=ids["AWS::Cognito::UserPoolClient"][0],
            secret_arn=secret_arn,
            dogs_table=dogs_table,
            web_origin=origins[0].split(",")[0],
        )


def run_http_scenario(
    cloud: LocalCloud,
    report: DeployReport,
    assembly: SynthResult | Path | str,
    provider: FakePaymentProvider,
    *,
    stack: str | None = None,
) -> list[tuple[str, bool, str]]:
    """Run every step of :data:`STEPS` over HTTP; ``(step, ok, detail)`` for each.

    A failing step does not stop the others; its detail is the failure's message.
    """
    results: list[tuple[str, bool, str]] = []
    with ExitStack() as stack_of_contexts:
        served = stack_of_contexts.enter_context(
            scenario(cloud, report, assembly, provider, stack=stack)
        )
        for step in STEPS:
            started = time.perf_counter()
            try:
                detail = step.run(served)
            except Exception as exc:  # report the step and go on with the next
                results.append((step.name, False, f"{type(exc).__name__}: {exc}"[:500]))
            else:
                took = time.perf_counter() - started
                results.append((step.name, True, f"{detail} ({took * 1000:.0f} ms)"))
    return results


def format_steps(steps: list[tuple[str, bool, str]], title: str = "HTTP scenario") -> str:
    """A plain-text table of :func:`run_http_scenario`'s result, with a passed/total line."""
    width = max((len(name) for name, _, _ in steps), default=4)
    lines = [title]
    lines += [
        f"  {'ok  ' if ok else 'FAIL'}  {name:<{width}}  {detail}" for name, ok, detail in steps
    ]
    passed = sum(1 for _, ok, _ in steps if ok)
    lines.append(f"  {passed}/{len(steps)} steps passed")
    return "\n".join(lines)


def run_demo(stage: str = "dev", *, out: TextIO = sys.stdout) -> DemoResult:
    """Everything ``make demo`` shows for Dog Care: start the fake provider, synthesize
    ``stage`` with its URL, deploy to a fresh local cloud (in the stage's account), run the HTTP
    scenario, print the deployment and the steps, then destroy the stack and stop everything.

    Needs the ``local`` extra and jsii's Node.js (``JSII_NODE``). Only one local cloud may run
    per process: call it when no other is running.

    Raises:
        DeployError: the stack failed to deploy (the failing resources are printed).
    """
    from petplatform_constructs.testing import make_app, synth
    from petplatform_localcloud import (
        LocalCloud,
        deployed,
        format_summary,
    )

    from . import build
    from .config import DogCareConfig

    with FakePaymentProvider() as provider:
        config = DogCareConfig.for_stage(stage, payment_provider_url=provider.url)
        started = time.perf_counter()
        result = synth(make_app(), lambda app: build(app, stage, config))
        print(f"synthesized dogcare ({stage}) in {time.perf_counter() - started:.1f} s", file=out)
        with (
            LocalCloud(account_id=config.account, log=out) as cloud,
            deployed(cloud, result) as report,
        ):
            print(format_summary(report, title=f"Dog Care {stage} deployed"), file=out)
            started = time.perf_counter()
            steps = run_http_scenario(cloud, report, result, provider)
            seconds = time.perf_counter() - started
            title = f"Dog Care {stage}: HTTP scenario ({seconds:.2f} s)"
            print(format_steps(steps, title), file=out, flush=True)
    return DemoResult(stage, report, steps, seconds)
