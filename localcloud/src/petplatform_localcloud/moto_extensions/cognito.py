"""``AWS::Cognito::UserPool`` / ``UserPoolClient`` / ``UserPoolDomain`` / ``UserPoolGroup``.

Ignored by moto 5.2; here real pools, clients, domains and groups in moto's Cognito backend.

moto 5.2's ``UpdateUserAttributes`` also lets a user token write any attribute; :data:`PATCHES`
makes it honour the ``WriteAttributes`` of the token's app client, as Cognito does, so a user
cannot promote themselves by writing an attribute (such as ``custom:userType``) that the client
may not write.
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends

from petplatform_localcloud.moto_extensions.patching import wrap
from petplatform_localcloud.moto_extensions.records import Json, Record

__all__ = [
    "EXTENSIONS",
    "PATCHES",
    "UserPool",
    "UserPoolClient",
    "UserPoolDomain",
    "UserPoolGroup",
]

# CloudFormation-only properties of a user pool; the rest match CreateUserPool's parameters.
_POOL_CFN_ONLY = ("UserPoolName", "EnabledMfas")


def _pool_config(props: Json) -> Json:
    return {k: v for k, v in props.items() if k not in _POOL_CFN_ONLY}


class UserPool(Record):
    """``AWS::Cognito::UserPool``: a moto user pool (``Ref`` is the pool id)."""

    attributes = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPool"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "UserPoolName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> UserPool:
        props = cloudformation_json["Properties"]
        backend = cognitoidp_backends[account_id][region_name]
        pool = backend.create_user_pool(resource_name, _pool_config(props))
        cls._set_mfa(pool, props)
        provider = f"cognito-idp.{region_name}.amazonaws.com/{pool.id}"
        return cls(
            pool.id,
            {
                "Arn": pool.arn,
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool.id,
            },
        )

    @staticmethod
    def _set_mfa(pool: Any, props: Json) -> None:
        enabled = props.get("EnabledMfas") or []
        pool.mfa_config = props.get("MfaConfiguration", "OFF")
        pool.token_mfa_config = {"Enabled": True} if "SOFTWARE_TOKEN_MFA" in enabled else None
        pool.sms_mfa_config = props.get("SmsConfiguration") if "SMS_MFA" in enabled else None

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        """Pools are updated in place; only a new name or schema change replaces them."""
        props = cloudformation_json["Properties"]
        backend = cognitoidp_backends[account_id][region_name]
        pool = backend.describe_user_pool(original_resource.physical_resource_id)
        config = _pool_config(props)
        config.pop("Schema", None)  # schema attributes are immutable once created
        backend.update_user_pool(pool.id, config)
        pool.name = props.get("UserPoolName", pool.name)
        cls._set_mfa(pool, props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = cognitoidp_backends[account_id][region_name]
        if resource_name in backend.user_pools:
            backend.delete_user_pool(resource_name)


class _PoolChild(Record):
    """A record of something a user pool holds in its ``collection`` (clients, groups...).

    moto passes ``delete_from_cloudformation_json`` the raw template, with ``Ref``s unresolved,
    so the pool id comes from the record; the child is removed only while the pool holds it.
    """

    user_pool_id = ""
    collection = ""

    def delete(self, account_id: str, region_name: str) -> None:
        backend = cognitoidp_backends[account_id][region_name]
        pool = backend.user_pools.get(self.user_pool_id)
        if pool is not None and self.physical_resource_id in getattr(pool, self.collection):
            self._remove(backend)

    def _remove(self, backend: Any) -> None:
        raise NotImplementedError


class UserPoolClient(_PoolChild):
    """``AWS::Cognito::UserPoolClient`` (``Ref`` is the client id)."""

    collection = "clients"

    attributes = ("ClientId", "ClientSecret", "Name")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolClient"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> UserPoolClient:
        props = dict(cloudformation_json["Properties"])
        pool_id = props.pop("UserPoolId")
        generate_secret = bool(props.pop("GenerateSecret", False))
        props.setdefault("ClientName", resource_name)
        backend = cognitoidp_backends[account_id][region_name]
        client = backend.create_user_pool_client(pool_id, generate_secret, props)
        record = cls(
            client.id,
            {
                "ClientId": client.id,
                "ClientSecret": client.secret if generate_secret else "",
                "Name": props["ClientName"],
            },
        )
        record.user_pool_id = pool_id
        return record

    def _remove(self, backend: Any) -> None:
        backend.delete_user_pool_client(self.user_pool_id, self.physical_resource_id)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        props = dict(cloudformation_json["Properties"])
        pool_id = props.pop("UserPoolId")
        old_pool_id = getattr(original_resource, "user_pool_id", "")
        if pool_id != old_pool_id or "GenerateSecret" in props:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        backend = cognitoidp_backends[account_id][region_name]
        backend.update_user_pool_client(pool_id, original_resource.physical_resource_id, props)
        return original_resource


class UserPoolDomain(Record):
    """``AWS::Cognito::UserPoolDomain`` (``Ref`` is the domain prefix or name)."""

    attributes = ("CloudFrontDistribution",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolDomain"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> UserPoolDomain:
        props = cloudformation_json["Properties"]
        backend = cognitoidp_backends[account_id][region_name]
        domain = backend.create_user_pool_domain(
            props["UserPoolId"], props["Domain"], props.get("CustomDomainConfig")
        )
        return cls(domain.domain, {"CloudFrontDistribution": domain._distribution_name()})

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = cognitoidp_backends[account_id][region_name]
        if resource_name in backend.user_pool_domains:
            backend.delete_user_pool_domain(resource_name)


class UserPoolGroup(_PoolChild):
    """``AWS::Cognito::UserPoolGroup`` (``Ref`` is the group name)."""

    collection = "groups"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "GroupName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> UserPoolGroup:
        props = cloudformation_json["Properties"]
        backend = cognitoidp_backends[account_id][region_name]
        group = backend.create_group(
            props["UserPoolId"],
            resource_name,
            props.get("Description"),
            props.get("RoleArn"),
            props.get("Precedence"),
        )
        record = cls(group.group_name)
        record.user_pool_id = props["UserPoolId"]
        return record

    def _remove(self, backend: Any) -> None:
        backend.delete_group(self.user_pool_id, self.physical_resource_id)


EXTENSIONS = (UserPool, UserPoolClient, UserPoolDomain, UserPoolGroup)


def _client_write_attributes(original: Any) -> Any:
    """``update_user_attributes`` that refuses attributes the token's client may not write."""

    def update_user_attributes(
        self: CognitoIdpBackend, access_token: str, attributes: list[dict[str, str]]
    ) -> None:
        for pool in self.user_pools.values():
            if access_token in pool.access_tokens:
                client_id, _username = pool.access_tokens[access_token]
                client = pool.clients.get(client_id)
                allowed = client.extended_config.get("WriteAttributes") if client else None
                if allowed is not None:
                    refused = sorted({a["Name"] for a in attributes} - set(allowed))
                    if refused:
                        raise NotAuthorizedError(
                            "A client attempted to write unauthorized attribute"
                        )
                break
        original(self, access_token, attributes)

    return update_user_attributes


PATCHES = (wrap(CognitoIdpBackend, "update_user_attributes", _client_write_attributes),)
"""Client write attributes on ``UpdateUserAttributes`` (Cognito's behaviour)."""
