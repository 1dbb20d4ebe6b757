"""Cognito helpers for the local cloud."""

from __future__ import annotations

import time
import uuid
from typing import Any

__all__ = ["srp_sign_in"]


def srp_sign_in(idp: Any, client_id: str, username: str) -> dict[str, Any]:
    """Sign ``username`` in with USER_SRP_AUTH and return the ``AuthenticationResult`` tokens.

    SRP is the flow public app clients allow. moto runs the exchange without verifying the SRP
    proof, so this proves that the flow is allowed and that a confirmed user gets tokens; it
    cannot prove that a wrong password fails (Cognito checks it in AWS).

    Args:
        idp: a boto3 ``cognito-idp`` client of the local cloud.
    """
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": username, "SRP_A": uuid.uuid4().hex * 8},
    )
    name = challenge.get("ChallengeName")
    if name != "PASSWORD_VERIFIER":
        raise AssertionError(f"SRP sign-in answered challenge {name}")
    params = challenge["ChallengeParameters"]
    answer = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": params["USERNAME"],
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": "c2lnbmF0dXJl",
            "TIMESTAMP": time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime()),
        },
    )
    if "AuthenticationResult" not in answer:
        raise AssertionError(f"SRP sign-in ended with {sorted(answer)}")
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result
