"""Pre-token-generation trigger: privileged groups only in the tokens of users with MFA.

Cognito cannot require MFA for some groups only. With MFA optional, a user who has enabled
a factor is challenged for it at every sign-in, so "has an enabled MFA factor" is what a
privileged token needs. For a member of a privileged group (``PRIVILEGED_GROUPS``, a JSON list)
this trigger asks Cognito (``AdminGetUser``) whether the user has one. Without one, the
privileged groups are removed from ``cognito:groups`` in both the ID and the access token
(trigger event V2_0). The user still signs in, as an ordinary user, and can enrol TOTP; the
next sign-in, with MFA, gets the groups. When the lookup fails, the groups are removed too
(fail closed). Users in no privileged group are not looked up.

Standard library only (the request to Cognito is signed here with SigV4), so the function's
code is this one file.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["PRIVILEGED_GROUPS_ENV", "guard", "handler", "user_has_mfa"]

PRIVILEGED_GROUPS_ENV = "PRIVILEGED_GROUPS"
_TARGET = "AWSCognitoIdentityProviderService.AdminGetUser"
_CONTENT_TYPE = "application/x-amz-json-1.1"

MfaLookup = Callable[[str, str], bool]
"""``(user_pool_id, user_name) -> whether the user has an enabled MFA factor``."""


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """The Lambda entry point (Cognito ``PreTokenGeneration_Config``, event version 2)."""
    return guard(event, user_has_mfa, _privileged_groups())


def guard(event: dict[str, Any], has_mfa: MfaLookup, privileged: frozenset[str]) -> dict[str, Any]:
    """``event`` with the privileged groups removed unless the user has an enabled MFA factor."""
    configuration = event.get("request", {}).get("groupConfiguration") or {}
    groups = list(configuration.get("groupsToOverride") or [])
    held = sorted(privileged.intersection(groups))
    if not held:
        return event
    try:
        allowed = has_mfa(event["userPoolId"], event["userName"])
    except Exception as error:  # any lookup failure: fail closed
        print(json.dumps({"message": "MFA lookup failed; privileged groups removed",
                          "error": repr(error), "groups": held}))  # fmt: skip
        allowed = False
    if allowed:
        return event
    print(json.dumps({"message": "privileged groups removed: no MFA factor enabled",
                      "userName": event.get("userName"), "groups": held}))  # fmt: skip
    details = event.setdefault("response", {}).get("claimsAndScopeOverrideDetails") or {}
    # Privileged groups carry no IAM role (AuthPool refuses one), so every role in the request
    # is a remaining group's: the role claims stay as Cognito computed them.
    details["groupOverrideDetails"] = {
        "groupsToOverride": [g for g in groups if g not in privileged],
        "iamRolesToOverride": list(configuration.get("iamRolesToOverride") or []),
        "preferredRole": configuration.get("preferredRole"),
    }
    event["response"]["claimsAndScopeOverrideDetails"] = details
    return event


def user_has_mfa(user_pool_id: str, user_name: str) -> bool:
    """Whether Cognito lists an enabled MFA factor for the user (``UserMFASettingList``)."""
    body = json.dumps({"UserPoolId": user_pool_id, "Username": user_name}).encode()
    region = user_pool_id.split("_", 1)[0]
    url = os.environ.get("AWS_ENDPOINT_URL") or f"https://cognito-idp.{region}.amazonaws.com"
    headers = signed_headers(
        url, body, region, os.environ, datetime.datetime.now(datetime.timezone.utc)
    )
    request = urllib.request.Request(url.rstrip("/") + "/", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=3) as response:
        user = json.loads(response.read())
    return bool(user.get("UserMFASettingList"))


def signed_headers(
    url: str, body: bytes, region: str, env: Mapping[str, str], now: datetime.datetime
) -> dict[str, str]:
    """The headers of an ``AdminGetUser`` POST to ``url``, signed with SigV4 for cognito-idp."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    headers = {
        "content-type": _CONTENT_TYPE,
        "host": host,
        "x-amz-date": amz_date,
        "x-amz-target": _TARGET,
    }
    if env.get("AWS_SESSION_TOKEN"):
        headers["x-amz-security-token"] = env["AWS_SESSION_TOKEN"]
    names = sorted(headers)
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            "".join(f"{name}:{headers[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{amz_date[:8]}/{region}/cognito-idp/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = ("AWS4" + env["AWS_SECRET_ACCESS_KEY"]).encode()
    for part in (amz_date[:8], region, "cognito-idp", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={env['AWS_ACCESS_KEY_ID']}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return headers


def _privileged_groups() -> frozenset[str]:
    return frozenset(json.loads(os.environ.get(PRIVILEGED_GROUPS_ENV) or "[]"))
