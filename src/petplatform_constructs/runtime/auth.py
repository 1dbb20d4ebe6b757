"""Who is calling, and may they? Claim helpers for Lambda handlers behind API Gateway.

API Gateway verifies the token (signature, expiry, issuer, audience) before the handler runs:
the Cognito user-pool authorizer of a REST API, or the JWT authorizer of an HTTP API. These
helpers only *read* the claims the authorizer verified and put in the event. They never decode
the ``Authorization`` header themselves, because an unverified header proves nothing.

Neither authorizer can require a Cognito group, so group checks happen here, in the handler:
``ServerlessApi`` passes the groups its routes require in the ``ROUTE_GROUPS`` environment
variable, and :func:`require_route_group` enforces them::

    from petplatform_runtime.auth import (
        AccessDeniedError, caller_id, json_response, require_route_group,
    )

    def handler(event, context):
        try:
            require_route_group(event)
        except AccessDeniedError as denied:
            return denied.to_response(event)
        owner_id = caller_id(event)
        ...

``ServerlessApi`` adds this module to every Python function through its runtime layer, as
``petplatform_runtime.auth``; it is also importable as ``petplatform_constructs.runtime.auth``.
Standard library only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping

__all__ = [
    "CORS_ORIGINS_ENV",
    "ROUTE_GROUPS_ENV",
    "AccessDeniedError",
    "caller_id",
    "claims",
    "cors_headers",
    "groups",
    "json_response",
    "require_caller",
    "require_group",
    "require_route_group",
    "required_group",
    "route_key",
]

ROUTE_GROUPS_ENV = "ROUTE_GROUPS"
"""JSON object ``{"GET /admin/bookings": "admin", ...}``: the group each route requires."""
CORS_ORIGINS_ENV = "CORS_ALLOWED_ORIGINS"
"""Comma-separated origins the API allows, so proxy responses can carry the CORS headers."""

GROUPS_CLAIM = "cognito:groups"


class AccessDeniedError(Exception):
    """The caller may not do this: 401 without verified claims, 403 without the group."""

    def __init__(self, message: str, status_code: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def to_response(self, event: Mapping[str, object] | None = None) -> dict[str, object]:
        """An API Gateway proxy response, with CORS headers when ``event`` is given."""
        return json_response(self.status_code, {"message": self.message}, event)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def claims(event: Mapping[str, object]) -> dict[str, object]:
    """The verified token claims, for REST (payload 1.0) and HTTP API (payload 2.0) events.

    REST puts them in ``requestContext.authorizer.claims``, HTTP APIs in
    ``requestContext.authorizer.jwt.claims``. A public route has none: ``{}``.
    """
    authorizer = _mapping(_mapping(event.get("requestContext")).get("authorizer"))
    jwt = authorizer.get("jwt")
    found = _mapping(jwt).get("claims") if isinstance(jwt, Mapping) else authorizer.get("claims")
    return dict(_mapping(found))


def caller_id(event: Mapping[str, object]) -> str | None:
    """The caller's stable user id (the ``sub`` claim), or ``None`` on a public route."""
    sub = claims(event).get("sub")
    return sub if isinstance(sub, str) and sub else None


def require_caller(event: Mapping[str, object]) -> str:
    """The caller's ``sub``; :class:`AccessDeniedError` (401) when the event carries no claims."""
    sub = caller_id(event)
    if sub is None:
        raise AccessDeniedError("authentication required", 401)
    return sub


def groups(event: Mapping[str, object]) -> frozenset[str]:
    """The caller's Cognito groups (``cognito:groups``), however API Gateway serialized them.

    REST authorizers pass ``"admin,staff"``, HTTP API JWT authorizers ``"[admin staff]"``, and
    test events often a list; all three give ``{"admin", "staff"}``. Exact names only: a
    ``super-admin`` group never counts as ``admin``.
    """
    raw = claims(event).get(GROUPS_CLAIM)
    if isinstance(raw, (list, tuple)):
        return frozenset(str(item) for item in raw if str(item))
    if not isinstance(raw, str):
        return frozenset()
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    # "[admin staff]", "[admin, staff]" and "admin,staff" all name the same two groups.
    return frozenset(part for part in re.split(r"[\s,]+", text) if part)


def require_group(event: Mapping[str, object], group: str) -> None:
    """Raise :class:`AccessDeniedError` unless the caller is in ``group`` (401 without claims)."""
    require_caller(event)
    if group not in groups(event):
        raise AccessDeniedError(f"this route requires membership of the '{group}' group")


def route_key(event: Mapping[str, object]) -> str:
    """``"GET /dogs/{id}"``: the route template that matched, for both payload versions."""
    key = event.get("routeKey")
    if isinstance(key, str) and key != "$default":
        return key
    return f"{event.get('httpMethod', '')} {event.get('resource', '')}"


def required_group(
    event: Mapping[str, object], environ: Mapping[str, str] | None = None
) -> str | None:
    """The group the matched route requires, from ``ROUTE_GROUPS``; ``None`` if it requires none.

    A malformed ``ROUTE_GROUPS`` raises ``ValueError`` (fail closed: a 500, never an open route).
    """
    raw = (os.environ if environ is None else environ).get(ROUTE_GROUPS_ENV)
    if not raw:
        return None
    table = json.loads(raw)
    if not isinstance(table, dict):
        raise ValueError(f"{ROUTE_GROUPS_ENV} must be a JSON object, got {raw!r}")
    group = table.get(route_key(event))
    return group if isinstance(group, str) else None


def require_route_group(
    event: Mapping[str, object], environ: Mapping[str, str] | None = None
) -> None:
    """Enforce the group that ``ServerlessApi`` declared for the matched route, if any."""
    group = required_group(event, environ)
    if group is not None:
        require_group(event, group)


def _header(event: Mapping[str, object], name: str) -> str | None:
    for key, value in _mapping(event.get("headers")).items():
        if key.lower() == name and isinstance(value, str):
            return value
    return None


def cors_headers(
    event: Mapping[str, object] | None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """CORS headers for a proxy response: the request's ``Origin`` if the API allows it.

    Lambda proxy integrations answer for themselves, so the handler must add these (the API
    adds them only to preflight and gateway responses). Nothing is returned for other origins.
    """
    raw = (os.environ if environ is None else environ).get(CORS_ORIGINS_ENV, "")
    allowed = {origin.strip() for origin in raw.split(",") if origin.strip()}
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*"}
    origin = _header(event, "origin") if event is not None else None
    if origin is not None and origin in allowed:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def json_response(
    status_code: int,
    body: object,
    event: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """A proxy-integration response with a JSON body and, given ``event``, CORS headers."""
    return {
        "statusCode": status_code,
        "headers": {"Content-Type": "application/json", **cors_headers(event), **(headers or {})},
        "body": json.dumps(body, default=str),
    }
