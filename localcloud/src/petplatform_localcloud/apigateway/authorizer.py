"""The ``COGNITO_USER_POOLS`` authorizer: JWTs of the emulator's user pools, verified."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from petplatform_localcloud.apigateway.definition import GatewayError

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_localcloud.server import LocalCloud

__all__ = ["CognitoPool", "TokenRejectedError", "cognito_claims", "unauthorized"]

Json = dict[str, Any]


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def unauthorized(message: str = "Unauthorized") -> GatewayError:
    return GatewayError("UNAUTHORIZED", 401, message)


class TokenRejectedError(Exception):
    """A JWT that is not a valid, unexpired token of the pool."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class CognitoPool:
    """Verifies the JWTs of one user pool of the emulator (signature with its JWKS)."""

    def __init__(self, cloud: LocalCloud, pool_arn: str) -> None:
        parts = pool_arn.split(":")
        self.region = parts[3]
        self.pool_id = pool_arn.rsplit("/", 1)[-1]
        self.issuer = f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"
        self._cloud = cloud
        self._keys: dict[str, Json] = {}
        self._clients: set[str] = set()
        self._lock = threading.Lock()

    def _key(self, kid: str) -> Json | None:
        with self._lock:
            if kid not in self._keys:
                url = f"{self._cloud.endpoint_url}/{self.pool_id}/.well-known/jwks.json"
                with urllib.request.urlopen(url, timeout=10) as answer:
                    jwks = json.loads(answer.read())
                self._keys = {str(k.get("kid")): k for k in jwks.get("keys", [])}
            return self._keys.get(kid)

    def _is_client(self, client_id: str) -> bool:
        with self._lock:
            if client_id not in self._clients:
                idp = self._cloud.client("cognito-idp", region=self.region)
                pages = idp.get_paginator("list_user_pool_clients").paginate(
                    UserPoolId=self.pool_id, MaxResults=60
                )
                self._clients = {c["ClientId"] for page in pages for c in page["UserPoolClients"]}
            return client_id in self._clients

    def signed_claims(self, token: str) -> Json:
        """The claims of a token this pool signed (RS256, its JWKS) that has not expired.

        Raises:
            TokenRejectedError: anything else; ``expired`` says whether only the time was wrong.
        """
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header = json.loads(_b64url(header_b64))
            claims = json.loads(_b64url(payload_b64))
            signature = _b64url(signature_b64)
        except ValueError:
            raise TokenRejectedError() from None
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            raise TokenRejectedError()
        if not isinstance(claims, dict):
            raise TokenRejectedError()
        key = self._key(str(header.get("kid")))
        if key is None or not _rs256_valid(key, f"{header_b64}.{payload_b64}".encode(), signature):
            raise TokenRejectedError()
        if claims.get("iss") != self.issuer:
            raise TokenRejectedError()
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= time.time():
            raise TokenRejectedError(expired=True)
        return claims

    def verify(self, token: str, scopes: Sequence[str]) -> Json:
        """The token's claims, or :class:`GatewayError` 401 (the REST API authorizer's rules:
        an access token with one of ``scopes``, else an ID token, of one of this pool's
        clients)."""
        try:
            claims = self.signed_claims(token)
        except TokenRejectedError as rejected:
            message = "The incoming token has expired" if rejected.expired else "Unauthorized"
            raise unauthorized(message) from None
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if claims.get("token_use") != "access" or not granted & set(scopes):
                raise unauthorized()
            audience = claims.get("client_id")
        else:
            if claims.get("token_use") != "id":
                raise unauthorized()
            audience = claims.get("aud")
        if not isinstance(audience, str) or not self._is_client(audience):
            raise unauthorized()
        return claims


def _rs256_valid(jwk: Json, signed: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if jwk.get("kty") != "RSA":
        return False
    numbers = rsa.RSAPublicNumbers(
        e=int.from_bytes(_b64url(str(jwk["e"])), "big"),
        n=int.from_bytes(_b64url(str(jwk["n"])), "big"),
    )
    try:
        numbers.public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


_TIME_CLAIMS = ("exp", "iat", "auth_time", "nbf")


def cognito_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as the REST API Cognito authorizer hands them to Lambda: every value a string,
    times as ``Sun Nov 22 05:48:51 UTC 2026``, ``cognito:groups`` comma-separated."""
    flat: dict[str, str] = {}
    for name, value in claims.items():
        if name in _TIME_CLAIMS and isinstance(value, (int, float)):
            flat[name] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
        elif isinstance(value, list):
            flat[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = str(value)
    return flat
