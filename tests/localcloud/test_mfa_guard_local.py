"""The MFA guard's lookup, signed with the standard library, against a Cognito API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

import boto3
from moto.server import ThreadedMotoServer

from petplatform_constructs.runtime.triggers import privileged_mfa

pytestmark = pytest.mark.localcloud

USER, PASSWORD = "ada@example.com", "Str0ng!Passw0rd-local"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_user_has_mfa_once_totp_is_enabled(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    idp: Any = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint)
    pool = idp.create_user_pool(
        PoolName="users", MfaConfiguration="OPTIONAL", UsernameAttributes=["email"]
    )["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username=USER)
    idp.admin_set_user_password(UserPoolId=pool, Username=USER, Password=PASSWORD, Permanent=True)
    user_name = idp.admin_get_user(UserPoolId=pool, Username=USER)["Username"]

    assert privileged_mfa.user_has_mfa(pool, user_name) is False

    token = idp.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USER, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    idp.associate_software_token(AccessToken=token)
    idp.verify_software_token(AccessToken=token, UserCode="123456")
    idp.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    assert privileged_mfa.user_has_mfa(pool, user_name) is True
