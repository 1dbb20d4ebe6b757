"""``AWS::SecretsManager::Secret``, which moto 5.2 has no model for.

A real secret, with ``SecretString`` or a value generated from ``GenerateSecretString`` (template
and key, as CloudFormation does); ``Ref`` is the ARN. An update keeps the value; a delete is
immediate (no recovery window).
"""

from __future__ import annotations

import json
from typing import Any

from moto.secretsmanager.models import secretsmanager_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, cfn_tags

__all__ = ["EXTENSIONS", "Secret"]


def _generated_secret(backend: Any, spec: Json) -> str:
    """The value CloudFormation generates from ``GenerateSecretString``."""
    password = backend.get_random_password(
        password_length=int(spec.get("PasswordLength", 32)),
        exclude_characters=spec.get("ExcludeCharacters", ""),
        exclude_numbers=bool(spec.get("ExcludeNumbers", False)),
        exclude_punctuation=bool(spec.get("ExcludePunctuation", False)),
        exclude_uppercase=bool(spec.get("ExcludeUppercase", False)),
        exclude_lowercase=bool(spec.get("ExcludeLowercase", False)),
        include_space=bool(spec.get("IncludeSpace", False)),
        require_each_included_type=bool(spec.get("RequireEachIncludedType", True)),
    )
    generated = str(json.loads(password)["RandomPassword"])
    template = spec.get("SecretStringTemplate")
    if template is None:
        return generated
    document = json.loads(template)
    document[spec["GenerateStringKey"]] = generated
    return json.dumps(document)


class Secret(Record):
    """``AWS::SecretsManager::Secret`` (``Ref`` is the ARN)."""

    attributes = ("Id",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Secret:
        props = cloudformation_json.get("Properties", {})
        backend = secretsmanager_backends[account_id][region_name]
        if "SecretString" in props:
            value = str(props["SecretString"])
        else:
            value = _generated_secret(backend, props.get("GenerateSecretString") or {})
        created = backend.create_secret(
            name=props.get("Name", resource_name),
            secret_string=value,
            secret_binary=None,
            description=props.get("Description"),
            tags=cfn_tags(props),
            kms_key_id=props.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        arn = str(json.loads(created)["ARN"])
        return cls(arn, {"Id": arn})

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        """In place (the value is kept), unless the name changes."""
        props = cloudformation_json.get("Properties", {})
        backend: Any = secretsmanager_backends[account_id][region_name]
        arn = original_resource.physical_resource_id
        secret: Any = backend.secrets[arn]
        if props.get("Name", secret.name) != secret.name:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        secret.description = props.get("Description")
        secret.kms_key_id = props.get("KmsKeyId")
        secret.tags = cfn_tags(props)
        if "SecretString" in props:
            backend.put_secret_value(
                secret_id=arn,
                secret_string=str(props["SecretString"]),
                secret_binary=None,
                client_request_token=None,
                version_stages=["AWSCURRENT"],
            )
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = secretsmanager_backends[account_id][region_name]
        if resource_name in backend.secrets:
            backend.delete_secret(
                secret_id=resource_name,
                recovery_window_in_days=None,
                force_delete_without_recovery=True,
            )


EXTENSIONS = (Secret,)
