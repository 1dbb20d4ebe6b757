"""The payment provider client: one idempotent ``POST /charges`` over HTTPS, stdlib only.

The wire contract is documented in ``handlers/README.md``. The API key comes from Secrets Manager
(``PAYMENT_SECRET_ARN``, a JSON secret ``{"api_key": "..."}``), is cached per container for
``PAYMENT_SECRET_TTL_SECONDS`` so that a rotation is picked up, and never appears in a log line or
an exception message.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dogcare_common.aws import required_env, secretsmanager

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Charge:
    """A final answer from the provider: charged, or declined (nothing charged)."""

    succeeded: bool
    reference: str | None
    decline_reason: str | None = None


class ProviderError(Exception):
    """No final answer: the provider failed, timed out or said something unexpected.

    The charge may or may not exist; retrying with the same idempotency key is safe because the
    provider deduplicates on it. Messages are safe to log and hold no secret.
    """


class ApiKeyCache:
    """The provider API key, fetched once per container and refreshed after ``ttl`` seconds."""

    def __init__(self) -> None:
        self._value: str | None = None
        self._expires_at = 0.0

    def get(self) -> str:
        if self._value is None or time.monotonic() >= self._expires_at:
            self._value = self._fetch()
            ttl = float(os.environ.get("PAYMENT_SECRET_TTL_SECONDS", "300"))
            self._expires_at = time.monotonic() + ttl
        return self._value

    def clear(self) -> None:
        self._value = None

    @staticmethod
    def _fetch() -> str:
        secret = secretsmanager().get_secret_value(SecretId=required_env("PAYMENT_SECRET_ARN"))
        try:
            api_key = json.loads(secret["SecretString"])["api_key"]
        except (KeyError, TypeError, ValueError):
            api_key = None
        if not isinstance(api_key, str) or not api_key:
            # Say what is wrong with the secret without echoing any of it.
            raise RuntimeError('the payment secret must be a JSON object {"api_key": "..."}')
        return api_key


API_KEY = ApiKeyCache()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the Authorization header elsewhere: treat it as an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def charges_url() -> str:
    """``{PAYMENT_PROVIDER_URL}/charges``; plain http only for loopback or an explicit opt-in."""
    base = required_env("PAYMENT_PROVIDER_URL").rstrip("/")
    parts = urlsplit(base)
    insecure_ok = parts.hostname in LOOPBACK_HOSTS or (
        os.environ.get("PAYMENT_PROVIDER_ALLOW_HTTP") == "true"
    )
    if parts.scheme != "https" and not (parts.scheme == "http" and insecure_ok):
        raise RuntimeError("PAYMENT_PROVIDER_URL must use https (http only for loopback)")
    return f"{base}/charges"


def charge(
    *,
    amount_cents: int,
    currency: str,
    reference: str,
    description: str,
    idempotency_key: str,
    source: str | None = None,
) -> Charge:
    """Charge ``amount_cents``; the provider deduplicates on ``idempotency_key``."""
    payload: dict[str, Any] = {
        "amount": amount_cents,
        "currency": currency.lower(),
        "reference": reference,
        "description": description,
    }
    if source:
        payload["source"] = source
    request = urllib.request.Request(
        charges_url(),
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {API_KEY.get()}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Idempotency-Key": idempotency_key,
            "User-Agent": "dogcare-payment-processing",
        },
    )
    timeout = float(os.environ.get("PAYMENT_PROVIDER_TIMEOUT_SECONDS", "10"))
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        try:
            status, body = error.code, error.read()
        finally:
            error.close()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ProviderError(f"provider unreachable ({type(error).__name__})") from None
    return _interpret(status, body)


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _decline_reason(data: dict[str, Any]) -> str:
    error = data.get("error")
    message = error.get("message") if isinstance(error, dict) else data.get("message")
    return str(message)[:200] if message else "declined by the payment provider"


def _interpret(status: int, body: bytes) -> Charge:
    data = _json(body)
    reference = data.get("id") if isinstance(data.get("id"), str) else None
    if status == 402:  # the provider's "card declined": final, nothing was charged
        return Charge(succeeded=False, reference=reference, decline_reason=_decline_reason(data))
    if status in (401, 403):
        API_KEY.clear()  # maybe rotated: fetch it again on the next attempt
        raise ProviderError(f"provider rejected the API key (HTTP {status})")
    if not 200 <= status < 300:
        raise ProviderError(f"provider answered HTTP {status}")
    charge_status = data.get("status")
    if charge_status == "succeeded" and reference:
        return Charge(succeeded=True, reference=reference)
    if charge_status in ("declined", "failed"):
        return Charge(succeeded=False, reference=reference, decline_reason=_decline_reason(data))
    raise ProviderError(f"provider answered HTTP {status} without a final charge status")
