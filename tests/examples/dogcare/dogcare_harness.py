"""Test harness for the Dog Care handlers: users, REST events, an API Gateway-like router and
a fake payment provider. The pytest fixtures built from it are in this directory's conftest.py."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from importlib import import_module
from pathlib import Path
from typing import Any

from petplatform_constructs.compute.serverless_api import runtime_layer_directory

HANDLERS = Path(__file__).resolve().parents[3] / "examples" / "dogcare" / "handlers"
# As in Lambda: the asset root (the handlers directory), then the runtime layer's python/.
for directory in (runtime_layer_directory() / "python", HANDLERS):
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))

REGION = "us-east-1"
TABLES = {  # env var -> (table name, has the owner_id-index GSI)
    "DOGS_TABLE": ("dogcare-test-dogs-table", True),
    "OWNERS_TABLE": ("dogcare-test-owners-table", False),
    "BOOKINGS_TABLE": ("dogcare-test-bookings-table", True),
    "PAYMENTS_TABLE": ("dogcare-test-payments-table", True),
}
PROVIDER_API_KEY = "sk_test_dogcare_fake_0123456789"
SECRET_NAME = "dogcare/test/payment-api-key"
WEB_ORIGIN = "https://app.dogcare.example"

# The API's routing table: (method, resource) -> the Lambda function's package.
ROUTES = {
    ("GET", "/dogs"): "dog_management",
    ("POST", "/dogs"): "dog_management",
    ("GET", "/dogs/{id}"): "dog_management",
    ("PUT", "/dogs/{id}"): "dog_management",
    ("DELETE", "/dogs/{id}"): "dog_management",
    ("GET", "/owners/profile"): "owner_management",
    ("PUT", "/owners/profile"): "owner_management",
    ("POST", "/owners/register"): "owner_management",
    ("GET", "/bookings"): "booking_management",
    ("POST", "/bookings"): "booking_management",
    ("GET", "/bookings/{id}"): "booking_management",
    ("PUT", "/bookings/{id}"): "booking_management",
    ("DELETE", "/bookings/{id}"): "booking_management",
    ("POST", "/payments"): "payment_processing",
    ("GET", "/payments/{id}"): "payment_processing",
}
ADMIN_ROUTES = {
    ("GET", "/admin/owners"): "owner_management",
    ("GET", "/admin/bookings"): "booking_management",
}


@dataclass(frozen=True)
class User:
    sub: str
    groups: str | None = None  # as REST claims carry it: "admin" or "[admin, test]"

    @property
    def owner_id(self) -> str:
        return f"owner-{self.sub}"


ALICE = User("0b5d7a3e-1111-4c1e-9f00-00000000a11c")
BOB = User("7c2e9f10-2222-4d2f-8e00-000000000b0b")
ADMIN = User("9a8b7c6d-3333-4e3a-8d00-0000000ad111", groups="[admin, staff]")


@dataclass
class Result:
    status: int
    headers: dict[str, str]
    body: Any

    def field_errors(self) -> dict[str, str]:
        return {e["field"]: e["problem"] for e in (self.body or {}).get("errors", [])}


def rest_event(
    method: str,
    resource: str,
    path: str,
    *,
    user: User | None,
    body: object = None,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
    path_params: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST Lambda-proxy event behind a Cognito user-pool authorizer."""
    claims: dict[str, str] = {}
    if user is not None:
        claims = {"sub": user.sub, "email": f"{user.sub[:8]}@example.com", "token_use": "id"}
        if user.groups:
            claims["cognito:groups"] = user.groups
    raw_body = body if isinstance(body, str) or body is None else json.dumps(body)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Origin": WEB_ORIGIN, **(headers or {})},
        "queryStringParameters": dict(query) if query else None,
        "pathParameters": dict(path_params) if path_params else None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "requestId": "req-test",
            "stage": "test",
            "authorizer": {"claims": claims} if claims else {},
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }


class Api:
    """Calls the handlers the way API Gateway would: match the route, build the event."""

    def __init__(self) -> None:
        self.routes = {**ROUTES, **ADMIN_ROUTES}

    def call(
        self,
        method: str,
        path: str,
        *,
        user: User | None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Result:
        for (route_method, resource), package in self.routes.items():
            pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", resource) + "$"
            match = re.match(pattern, path)
            if route_method == method and match:
                event = rest_event(
                    method,
                    resource,
                    path,
                    user=user,
                    body=body,
                    headers=headers,
                    query=query,
                    path_params=match.groupdict(),
                )
                response = import_module(f"{package}.app").handler(event, None)
                text = response["body"]
                return Result(
                    response["statusCode"], response["headers"], json.loads(text) if text else None
                )
        raise AssertionError(f"no route for {method} {path}")


@dataclass
class FakeProvider:
    """A payment provider on 127.0.0.1 that deduplicates on Idempotency-Key, as real ones do."""

    url: str = ""
    mode: str = "ok"  # ok | unavailable | lost_response | decline
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    gate: threading.Event | None = None  # when set, a charge waits for it (concurrency tests)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def charge_count(self) -> int:
        return len(self.charges)

    def reset(self) -> None:
        self.mode, self.gate = "ok", None
        self.charges.clear()
        self.requests.clear()


def provider_handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            key = self.headers.get("Idempotency-Key", "")
            with provider.lock:
                provider.requests.append({"headers": dict(self.headers), "payload": payload})
            if self.path != "/v1/charges":
                return self._send(404, {"error": {"message": "no such endpoint"}})
            if self.headers.get("Authorization") != f"Bearer {PROVIDER_API_KEY}":
                return self._send(401, {"error": {"message": "invalid API key"}})
            if provider.gate is not None:
                provider.gate.wait(timeout=5)
            with provider.lock:
                if provider.mode == "unavailable":
                    return self._send(503, {"error": {"message": "try again later"}})
                if provider.mode == "decline":
                    error = {"code": "card_declined", "message": "Your card was declined."}
                    return self._send(402, {"error": error})
                charge = provider.charges.setdefault(
                    key,
                    {
                        "id": f"ch_{len(provider.charges) + 1:04d}",
                        "status": "succeeded",
                        "amount": payload["amount"],
                        "currency": payload["currency"],
                    },
                )
                if provider.mode == "lost_response":  # charged, but the answer never arrives
                    return self._send(500, {"error": {"message": "internal error"}})
            return self._send(200, charge)

    return Handler


def create_table(dynamodb: Any, name: str, *, owner_index: bool) -> None:
    attributes = [{"AttributeName": "id", "AttributeType": "S"}]
    extra: dict[str, Any] = {}
    if owner_index:
        attributes.append({"AttributeName": "owner_id", "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "owner_id-index",
                "KeySchema": [{"AttributeName": "owner_id", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


@dataclass(frozen=True)
class Aws:
    dynamodb: Any  # boto3 DynamoDB resource
    secrets: Any  # boto3 Secrets Manager client
