"""IAM: managed policies and roles that moto can update and delete cleanly.

* ``AWS::IAM::ManagedPolicy``: moto can neither update nor delete it (an update drops it from
  the stack; a delete leaves it attached, so the role's delete fails with DeleteConflict).
  Updated in place (new default version, attachments reconciled) and detached on delete.
* ``AWS::IAM::Role``: moto's delete leaves managed policies (``ManagedPolicyArns``) attached and
  fails with DeleteConflict; they are detached first.
* ``AWS::IAM::OIDCProvider`` (GitHub Actions' provider): moto has no model; created in its IAM
  backend (``ListOpenIDConnectProviders`` shows it) and deleted with the stack.
"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.models import ManagedPolicy as MotoManagedPolicy
from moto.iam.models import Role as MotoRole
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from petplatform_localcloud.moto_extensions.records import CloudFormationExtension, Json, Record

__all__ = ["EXTENSIONS", "ManagedPolicy", "OidcProvider", "Role"]


class ManagedPolicy(CloudFormationExtension):
    """``AWS::IAM::ManagedPolicy`` that can also be updated and deleted."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::IAM::ManagedPolicy"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return MotoManagedPolicy.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoManagedPolicy:
        return MotoManagedPolicy.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoManagedPolicy,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> MotoManagedPolicy:
        props = cloudformation_json.get("Properties", {})
        name = props.get("ManagedPolicyName", original_resource.name)
        if name != original_resource.name or props.get("Path", "/") != original_resource.path:
            cls.delete_from_cloudformation_json(
                original_resource.arn, cloudformation_json, account_id, region_name
            )
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        backend = iam_backends[account_id][get_partition(region_name)]
        document = json.dumps(props.get("PolicyDocument"))
        current = next((v.document for v in original_resource.versions if v.is_default), None)
        if document != current:
            for version in [v for v in original_resource.versions if not v.is_default]:
                backend.delete_policy_version(original_resource.arn, version.version_id)
            backend.create_policy_version(original_resource.arn, document, set_as_default=True)
        wanted = set(props.get("Roles", []))
        attached = {
            r.name for r in backend.roles.values() if original_resource.arn in r.managed_policies
        }
        for role in sorted(attached - wanted):
            backend.detach_role_policy(original_resource.arn, role)
        for role in sorted(wanted - attached):
            backend.attach_role_policy(original_resource.arn, role)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = iam_backends[account_id][get_partition(region_name)]
        if resource_name not in backend.managed_policies:
            return
        for role in list(backend.roles.values()):
            if resource_name in role.managed_policies:
                backend.detach_role_policy(resource_name, role.name)
        for user in list(backend.users.values()):
            if resource_name in user.managed_policies:
                backend.detach_user_policy(resource_name, user.name)
        for group in list(backend.groups.values()):
            if resource_name in group.managed_policies:
                backend.detach_group_policy(resource_name, group.name)
        backend.delete_policy(resource_name)


class Role(CloudFormationExtension):
    """``AWS::IAM::Role`` whose delete detaches its managed policies first."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::IAM::Role"

    @staticmethod
    def cloudformation_name_type() -> str:
        return MotoRole.cloudformation_name_type()

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return MotoRole.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoRole:
        role = MotoRole.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        cls._attach_managed(role, cloudformation_json, account_id, region_name)
        return role

    @staticmethod
    def _attach_managed(
        role: MotoRole, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        """Reconcile ``ManagedPolicyArns`` (ignored by moto). AWS-managed policies exist in moto
        only with ``MOTO_IAM_LOAD_MANAGED_POLICIES``; absent ones are left out."""
        backend = iam_backends[account_id][get_partition(region_name)]
        wanted = set(cloudformation_json.get("Properties", {}).get("ManagedPolicyArns", []))
        for arn in sorted(set(role.managed_policies) - wanted):
            backend.detach_role_policy(arn, role.name)
        for arn in sorted(wanted - set(role.managed_policies)):
            if arn in backend.managed_policies:
                backend.attach_role_policy(arn, role.name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoRole,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> MotoRole:
        MotoRole.update_from_cloudformation_json(
            original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        cls._attach_managed(original_resource, cloudformation_json, account_id, region_name)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = iam_backends[account_id][get_partition(region_name)]
        for role in list(backend.roles.values()):
            if role.name == resource_name:
                for arn in list(role.managed_policies):
                    backend.detach_role_policy(arn, role.name)
        MotoRole.delete_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name
        )


class OidcProvider(Record):
    """``AWS::IAM::OIDCProvider`` in moto's IAM backend: ``Ref`` and ``Arn`` are its ARN."""

    attributes = ("Arn",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::IAM::OIDCProvider"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> OidcProvider:
        props = cloudformation_json.get("Properties", {})
        backend = iam_backends[account_id][get_partition(region_name)]
        provider = backend.create_open_id_connect_provider(
            url=props["Url"],
            thumbprint_list=list(props.get("ThumbprintList") or []),
            client_id_list=list(props.get("ClientIdList") or []),
            tags=list(props.get("Tags") or []),
        )
        return cls(provider.arn, {"Arn": provider.arn})

    def delete(self, account_id: str, region_name: str) -> None:
        backend = iam_backends[account_id][get_partition(region_name)]
        backend.delete_open_id_connect_provider(self.physical_resource_id)


EXTENSIONS = (ManagedPolicy, Role, OidcProvider)
