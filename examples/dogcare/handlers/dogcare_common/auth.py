"""The caller, from the claims that the API Gateway Cognito authorizer has already verified."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ADMIN_GROUP = "admin"
_SUB_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,128}$")


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


def parse_groups(value: object) -> frozenset[str]:
    """Groups from a ``cognito:groups`` claim in any shape API Gateway hands it over.

    REST APIs flatten the claim to a string: ``"admin"`` for one group, ``"[admin, test]"`` for
    several; HTTP APIs send ``"[admin test]"``; a raw JWT has a JSON list.
    """
    if isinstance(value, (list, tuple)):
        return frozenset(str(item) for item in value if str(item))
    if not isinstance(value, str):
        return frozenset()
    names = re.split(r"[\s,]+", value.strip().strip("[]"))
    return frozenset(name for name in names if name)


def _claims(event: Mapping[str, Any]) -> Mapping[str, Any]:
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = authorizer.get("claims")  # REST API, Cognito user-pool authorizer
    if claims is None:
        claims = (authorizer.get("jwt") or {}).get("claims")  # HTTP API, JWT authorizer
    return claims if isinstance(claims, Mapping) else {}


def caller_from_event(event: Mapping[str, Any]) -> Caller | None:
    """The caller, or None when the event carries no usable ``sub`` (no authorizer in front)."""
    claims = _claims(event)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not _SUB_PATTERN.match(sub):
        return None
    email = claims.get("email")
    return Caller(
        sub=sub,
        groups=parse_groups(claims.get("cognito:groups")),
        email=email if isinstance(email, str) else None,
    )
