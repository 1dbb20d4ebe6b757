"""The local cloud's Cognito honours an app client's write attributes, as Cognito does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

from petplatform_localcloud import moto_extensions

pytestmark = pytest.mark.localcloud

USER = "ada@example.com"
PASSWORD = "Str0ng!Passw0rd-local"


def _pool_with_user(idp: Any, write_attributes: list[str] | None) -> dict[str, str]:
    pool_id = idp.create_user_pool(
        PoolName="users",
        UsernameAttributes=["email"],
        Schema=[{"Name": "userType", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    extra = {} if write_attributes is None else {"WriteAttributes": write_attributes}
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **extra,
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username=USER, Password=PASSWORD)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=USER)
    idp.admin_update_user_attributes(  # the backend sets what drives authorization
        UserPoolId=pool_id,
        Username=USER,
        UserAttributes=[{"Name": "custom:userType", "Value": "adopter"}],
    )
    tokens = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USER, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {"pool_id": pool_id, "token": tokens["AccessToken"]}


def _user_type(idp: Any, token: str) -> str:
    attributes = idp.get_user(AccessToken=token)["UserAttributes"]
    return str({a["Name"]: a["Value"] for a in attributes}["custom:userType"])


@pytest.fixture
def idp() -> Iterator[Any]:
    with mock_aws(), moto_extensions.installed():
        yield boto3.client("cognito-idp", region_name="us-east-1")


def test_a_user_token_cannot_write_what_its_client_may_not(idp: Any) -> None:
    user = _pool_with_user(idp, ["email", "given_name"])
    promote = [{"Name": "custom:userType", "Value": "admin"}]
    with pytest.raises(ClientError) as refused:
        idp.update_user_attributes(AccessToken=user["token"], UserAttributes=promote)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert _user_type(idp, user["token"]) == "adopter"
    # what the client may write, the user may change
    profile = [{"Name": "given_name", "Value": "Ada"}]
    idp.update_user_attributes(AccessToken=user["token"], UserAttributes=profile)


def test_without_write_attributes_every_attribute_is_writable(idp: Any) -> None:
    """Cognito's default (and moto's): a client with no WriteAttributes writes them all."""
    user = _pool_with_user(idp, None)
    promote = [{"Name": "custom:userType", "Value": "breeder"}]
    idp.update_user_attributes(AccessToken=user["token"], UserAttributes=promote)
    assert _user_type(idp, user["token"]) == "breeder"
