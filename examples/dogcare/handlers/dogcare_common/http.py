"""API Gateway REST (Lambda proxy) plumbing: requests, JSON responses, errors and routing.

A function module declares its routes as ``{(method, resource): handler}``, where ``resource`` is
the API Gateway resource path (``/dogs/{id}``), and its Lambda entry point calls :func:`dispatch`.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from petplatform_runtime.auth import claims, cors_headers, groups, required_group

from dogcare_common.validation import FieldError, ValidationError

logger = logging.getLogger("dogcare")
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

ADMIN_GROUP = "admin"
CORS_EXPOSE_HEADERS = "Idempotent-Replayed,Retry-After,Location"
_SUB_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,128}$")

JsonObject = dict[str, Any]


def log(level: int, message: str, **fields: object) -> None:
    """A structured log line. Callers pass ids and outcomes only, never secrets or bodies.

    With Lambda's JSON log format (``AWS_LAMBDA_LOG_FORMAT=JSON``) the runtime's formatter turns
    ``extra`` fields into top-level keys; with the text format the line is a JSON object.
    """
    plain = {
        key: value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
        for key, value in fields.items()
    }
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        logger.log(level, message, extra=plain)
    else:
        logger.log(level, json.dumps({"message": message, **plain}))


class HttpError(Exception):
    """An error that becomes a JSON response: ``{"message": ..., "errors": [...]}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> JsonObject:
        body: JsonObject = {"message": self.message, **self.extra}
        if self.errors:
            body["errors"] = [{"field": e.field, "problem": e.problem} for e in self.errors]
        return body


@dataclass(frozen=True)
class Caller:
    """The authenticated user: a Cognito ``sub`` and the groups the user belongs to."""

    sub: str
    groups: frozenset[str]
    email: str | None = None

    @property
    def owner_id(self) -> str:
        """The owner id of the seed's domain model (``owner-{uuid}``); a Cognito sub is a UUID."""
        return f"owner-{self.sub}"

    @property
    def is_admin(self) -> bool:
        return ADMIN_GROUP in self.groups


def caller_from_event(event: Mapping[str, Any]) -> Caller | None:
    """The caller from the claims the authorizer verified; None without a usable ``sub``.

    ``petplatform_runtime.auth`` (the runtime layer ServerlessApi adds) reads the claims of REST
    and HTTP API events and every shape of ``cognito:groups``.
    """
    verified = claims(event)
    sub, email = verified.get("sub"), verified.get("email")
    if not isinstance(sub, str) or not _SUB_PATTERN.match(sub):
        return None
    return Caller(sub, groups(event), email if isinstance(email, str) else None)


def bad_request(field_name: str, problem: str) -> HttpError:
    """A 400 naming the one field at fault."""
    return HttpError(400, "Invalid request", errors=[FieldError(field_name, problem)])


def not_found(kind: str) -> HttpError:
    """The same 404 whether the item is missing or belongs to someone else: no existence leak."""
    return HttpError(404, f"{kind} not found")


@dataclass(frozen=True)
class Response:
    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    method: str
    resource: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]  # names lower-cased: HTTP header names are case-insensitive
    raw_body: str | None
    caller: Caller
    request_id: str

    def path_param(self, name: str) -> str:
        return self.path_params.get(name, "")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json_body(self) -> JsonObject:
        """The body as a JSON object, with JSON numbers that have a fraction as ``Decimal``.

        DynamoDB rejects floats, and money must not pass through binary floating point.
        """
        if not self.raw_body:
            raise bad_request("body", "a JSON object is required")
        try:
            body = json.loads(self.raw_body, parse_float=Decimal, parse_constant=_reject_constant)
        except ValueError as error:
            raise bad_request("body", f"is not valid JSON ({error})") from None
        if not isinstance(body, dict):
            raise bad_request("body", "must be a JSON object")
        return body


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


Handler = Callable[[Request], Response]
Routes = Mapping[tuple[str, str], Handler]


def require_admin(request: Request) -> None:
    """403 unless the caller is in the ``admin`` group (authenticated, but not allowed)."""
    if not request.caller.is_admin:
        raise HttpError(403, "this operation requires the admin group")


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(value: object) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _cors_headers(event: Mapping[str, Any]) -> dict[str, str]:
    """CORS headers for a proxy response (API Gateway adds them only to the preflight).

    ``petplatform_runtime.auth.cors_headers`` echoes an allowed ``Origin`` (``*`` allows any)
    from ``CORS_ALLOWED_ORIGINS``, which ServerlessApi sets; the handlers expose their headers.
    """
    headers = cors_headers(event)
    return {**headers, "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS} if headers else {}


def _proxy_response(response: Response, event: Mapping[str, Any]) -> JsonObject:
    headers = {**_cors_headers(event), **response.headers}
    if response.body is None:
        return {"statusCode": response.status, "headers": headers, "body": ""}
    headers["Content-Type"] = "application/json"
    return {"statusCode": response.status, "headers": headers, "body": to_json(response.body)}


def _raw_body(event: Mapping[str, Any]) -> str | None:
    body = event.get("body")
    if body is None or not event.get("isBase64Encoded"):
        return body if isinstance(body, str) else None
    try:
        return base64.b64decode(body).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise bad_request("body", "is not valid base64-encoded UTF-8") from None


def _headers(event: Mapping[str, Any]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}


def _require_route_group(event: Mapping[str, Any], caller: Caller) -> None:
    """Enforce the group ServerlessApi declared for this route in ``ROUTE_GROUPS``, if any.

    A malformed value raises (a 500): fail closed, never an open admin route.
    """
    group = required_group(event)
    if group is not None and group not in caller.groups:
        raise HttpError(403, f"this operation requires the {group} group")


def _build_request(event: Mapping[str, Any], caller: Caller) -> Request:
    context = event.get("requestContext") or {}
    headers = _headers(event)
    return Request(
        method=str(event.get("httpMethod", "")).upper(),
        resource=str(event.get("resource", "")),
        path_params=dict(event.get("pathParameters") or {}),
        query=dict(event.get("queryStringParameters") or {}),
        headers=headers,
        raw_body=_raw_body(event),
        caller=caller,
        request_id=str(context.get("requestId", "")),
    )


def _route(routes: Routes, event: Mapping[str, Any]) -> Response:
    method = str(event.get("httpMethod", "")).upper()
    resource = str(event.get("resource", ""))
    known_methods = sorted(m for (m, r) in routes if r == resource)
    handler = routes.get((method, resource))
    if handler is None:
        if known_methods:
            raise HttpError(
                405,
                f"{method} is not allowed on {resource}",
                headers={"Allow": ",".join(known_methods)},
            )
        raise HttpError(404, f"no route for {method} {resource}")
    caller = caller_from_event(event)
    if caller is None:  # the authorizer guarantees a sub; without one, refuse rather than guess
        raise HttpError(401, "missing or invalid identity claims")
    _require_route_group(event, caller)
    return handler(_build_request(event, caller))


def dispatch(routes: Routes, event: Mapping[str, Any], context: object = None) -> JsonObject:
    """Run the route that matches ``event`` and turn its result or error into a proxy response."""
    request_id = str((event.get("requestContext") or {}).get("requestId", ""))
    try:
        response = _route(routes, event)
    except ValidationError as invalid:
        error = HttpError(400, "Invalid request body", errors=invalid.errors)
        response = Response(error.status, error.body())
    except HttpError as error:
        response = Response(error.status, error.body(), error.headers)
    except Exception as error:  # the catch-all of the Lambda entry point: log it, answer 500
        log(
            logging.ERROR,
            "unhandled error",
            request_id=request_id,
            error=type(error).__name__,
            trace=traceback.format_exc(),
        )
        response = Response(500, {"message": "internal error", "request_id": request_id})
    log(
        logging.INFO,
        "request",
        request_id=request_id,
        method=event.get("httpMethod"),
        resource=event.get("resource"),
        status=response.status,
    )
    return _proxy_response(response, event)
