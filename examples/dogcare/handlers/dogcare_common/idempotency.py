"""Idempotency keys: the client's ``Idempotency-Key`` header becomes a deterministic item id.

The id is derived from the owner and the key, so a retried request maps to the item the first
attempt wrote, and a conditional put (``attribute_not_exists(id)``) lets exactly one concurrent
attempt create it. Two owners who happen to choose the same key get different ids.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping

from dogcare_common.http import HttpError, Request, bad_request, to_json

HEADER = "Idempotency-Key"
# Fixed forever: changing it would make retries of in-flight requests look like new requests.
_NAMESPACE = uuid.UUID("6f1c3e0a-5d0b-4b8e-9f57-0d2c9a3e7b41")
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces, like UUIDs


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` header, if it sent one."""
    key = request.header(HEADER)
    if not key:
        return None
    if not _KEY_PATTERN.match(key):
        raise bad_request(HEADER, "must be 1 to 255 printable ASCII characters without spaces")
    return key


def required_idempotency_key(request: Request) -> str:
    key = idempotency_key(request)
    if key is None:
        raise bad_request(HEADER, "header is required; send a unique value per operation")
    return key


def is_same_request(item: Mapping[str, object], owner_id: str, request_fingerprint: str) -> bool:
    """Whether ``item`` was written by this owner's request with this fingerprint."""
    return item.get("owner_id") == owner_id and item.get("request_fingerprint") == (
        request_fingerprint
    )


def derived_id(prefix: str, owner_id: str, key: str) -> str:
    return f"{prefix}-{uuid.uuid5(_NAMESPACE, f'{prefix}:{owner_id}:{key}')}"


def fingerprint(payload: Mapping[str, object]) -> str:
    """A digest of the validated request, to spot a key reused for a different request."""
    canonical = json.loads(to_json(payload))
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def key_reused() -> HttpError:
    return HttpError(422, f"this {HEADER} was already used for a different request; use a new key")
