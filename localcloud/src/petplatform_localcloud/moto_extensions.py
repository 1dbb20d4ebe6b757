"""Every CloudFormation model that the local cloud adds to moto, in one place.

moto's CloudFormation engine maps each resource type to a ``CloudFormationModel`` subclass
(``moto.cloudformation.parsing.get_model_map``). moto 5.2.5 has no model for several types these
constructs emit, or a model that drops half the properties, so stacks fail to create or come out
empty. Each class below fills one such gap on top of moto's own service backends, so the created
resources are real for the data-plane APIs afterwards (items in tables, objects in buckets, users
in pools).

The extensions are written against the internals of one moto release: :func:`install` refuses any
other version, loudly, rather than half-working. Covered gaps (moto 5.2.5):

* ``AWS::DynamoDB::GlobalTable`` (what ``TableV2`` emits): ignored by moto, and an output that
  references it answers HTTP 500. Mapped to a moto table with its keys, GSIs/LSIs, stream, SSE,
  deletion protection and the local replica's tags; ``Arn``/``StreamArn``/``TableId``; updates
  keep the table (GSI add/remove, stream, deletion protection).
* ``AWS::S3::Bucket``: moto applies only encryption and tags, and its update fails without an
  explicit ``BucketName``. Adds versioning, CORS, lifecycle, public-access block, ownership
  controls and access logging, on create and update.
* ``AWS::S3::BucketPolicy``: ignored by moto; now put on (and removed from) the bucket.
  Engine fix: moto enforces bucket policies but ignores their ``Condition``s, so CDK's
  ``enforceSSL`` statement (Deny ``s3:*`` to ``*`` unless ``aws:SecureTransport``) denies every
  request. Statements with conditions, which moto cannot evaluate, are left out of enforcement
  (the stored policy is unchanged).
* ``AWS::Cognito::UserPool`` / ``UserPoolClient`` / ``UserPoolDomain`` / ``UserPoolGroup``:
  ignored by moto; now real pools, clients, domains and groups.
* ``AWS::IAM::ManagedPolicy``: moto can neither update nor delete it (an update drops it from
  the stack; a delete leaves it attached, so the role's delete fails with DeleteConflict).
  Updated in place (new default version, attachments reconciled) and detached on delete.
* ``AWS::IAM::Role``: moto's delete leaves managed policies (``ManagedPolicyArns``) attached and
  fails with DeleteConflict; they are detached first.
* ``AWS::CloudFront::OriginAccessControl``: created in moto's CloudFront backend.
* ``AWS::CloudFront::Distribution`` / ``CachePolicy``: stack records only (ids, domain name);
  moto's CloudFront backend takes the XML-shaped API config, and nothing local serves a CDN.
* ``Custom::*`` / ``AWS::CloudFormation::CustomResource``: moto invokes the handler Lambda, which
  needs Docker and then waits forever for a response. Replaced by a stub that completes at once
  with no data; the deployer reports these resources as skipped.
* ``AWS::CDK::Metadata`` (in templates synthesized by the CDK CLI): unknown to moto; a record.

Engine fix: when a resource fails, moto lets the exception escape as HTTP 500 and leaves the
stack ``CREATE_IN_PROGRESS`` with its exports registered. Here the failure becomes what
CloudFormation reports: a ``CREATE_FAILED`` (or ``UPDATE_FAILED``) event naming the resource
and its reason, the created resources rolled back, the exports withdrawn and the stack in
``ROLLBACK_COMPLETE`` (``UPDATE_ROLLBACK_FAILED`` for an update, which moto cannot roll back).

Engine fixes for the real ``cdk bootstrap`` / ``cdk deploy`` / ``cdk destroy`` (change sets):

* A CREATE change set was applied as an update of an empty stack: resources in template order
  (``DependsOn`` ignored), no ``Fn::ImportValue``, no outputs or exports, failures as HTTP 500.
  It now creates the stack like ``CreateStack`` (same stack id); an UPDATE change set goes
  through ``UpdateStack``, so its outputs are updated too.
* Change sets were looked up by name across all stacks, and the CLI names every one
  ``cdk-deploy-change-set``: an update of an existing stack deleted or waited for another
  stack's change set (forever). Lookups are scoped to ``StackName``; a missing change set is
  ``ChangeSetNotFound`` (what the CLI waits for), executing one twice ``InvalidChangeSetStatus``.
* ``UsePreviousValue`` on an SSM-typed parameter (the CLI's ``BootstrapVersion`` on every update)
  became the previous resolved value, then looked up as a parameter name; it stays the name.
* A ``TemplateURL`` on the emulator's own endpoint (``http://127.0.0.1:PORT/bucket/key``, what
  the CLI passes for templates over 50 KiB) was read from a bucket named ``127``.
* A deleted stack, described by its id (the CLI polls that way), created its resources again.
* Resources skipped by a false ``Condition`` were listed by ``DescribeStackResources`` as
  entries without a logical id; an output got the ``ExportName`` of the first export with the
  same value.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import threading
import uuid
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import (
    CloudFormationError,
    ExportNotFound,
    UnformattedGetAttTemplateException,
    ValidationError,
)
from moto.cloudfront.models import cloudfront_backends
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult, EmptyResult
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.iam.models import ManagedPolicy as MotoManagedPolicy
from moto.iam.models import Role as MotoRole
from moto.iam.models import iam_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

__all__ = [
    "EXTENSIONS",
    "PINNED_MOTO_VERSION",
    "MotoVersionError",
    "ResourceFailedError",
    "check_moto_version",
    "install",
    "is_installed",
    "supported_types",
]

PINNED_MOTO_VERSION = "5.2.5"

Json = dict[str, Any]


class MotoVersionError(RuntimeError):
    """The installed moto is not the release the extensions were written against."""


def check_moto_version(installed: str | None = None) -> None:
    """Raise :class:`MotoVersionError` unless moto ``PINNED_MOTO_VERSION`` is installed."""
    version = installed if installed is not None else metadata.version("moto")
    if version != PINNED_MOTO_VERSION:
        raise MotoVersionError(
            f"petplatform_localcloud needs moto=={PINNED_MOTO_VERSION} "
            f"(its CloudFormation extensions patch that release's internals), but moto "
            f"{version} is installed; install petplatform-constructs[local] to get the "
            f"pinned version"
        )


# --------------------------------------------------------------------------------------------
# DynamoDB


def _global_table_params(props: Json) -> Json:
    replicas = props.get("Replicas") or [{}]
    replica: Json = replicas[0]
    sse = props.get("SSESpecification") or {}
    return {
        "schema": props["KeySchema"],
        "attr": props.get("AttributeDefinitions", []),
        "global_indexes": props.get("GlobalSecondaryIndexes", []),
        "indexes": props.get("LocalSecondaryIndexes", []),
        "throughput": None,
        "warm_throughput": None,
        "streams": props.get("StreamSpecification"),
        "tags": replica.get("Tags"),
        "deletion_protection_enabled": bool(replica.get("DeletionProtectionEnabled", False)),
        "sse_specification": (
            {"Enabled": True, "SSEType": sse.get("SSEType", "KMS")}
            if sse.get("SSEEnabled")
            else None
        ),
        "billing_mode": (
            "PROVISIONED" if props.get("BillingMode") == "PROVISIONED" else "PAY_PER_REQUEST"
        ),
    }


class GlobalTable(CloudFormationModel):
    """``AWS::DynamoDB::GlobalTable`` as a moto DynamoDB table (the local replica)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::DynamoDB::GlobalTable"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TableName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "StreamArn", "TableId")

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Table:
        params = _global_table_params(cloudformation_json["Properties"])
        table: Table = dynamodb_backends[account_id][region_name].create_table(
            name=resource_name, **params
        )
        return table

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Table,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Table:
        props = cloudformation_json["Properties"]
        backend = dynamodb_backends[account_id][region_name]
        params = _global_table_params(props)
        name = props.get("TableName", original_resource.name)
        if name != original_resource.name or params["schema"] != original_resource.schema:
            # Replacement, as CloudFormation does for a new name or key schema.
            table: Table = backend.create_table(name=new_resource_name, **params)
            backend.delete_table(name=original_resource.name)
            return table
        table = original_resource
        wanted = {g["IndexName"]: g for g in params["global_indexes"]}
        present = {g.name for g in table.global_indexes}
        updates: list[Json] = [
            {"Delete": {"IndexName": index}} for index in sorted(present - set(wanted))
        ]
        updates += [{"Create": wanted[index]} for index in wanted if index not in present]
        if updates:
            table.attr = params["attr"]
            backend.update_table_global_indexes(table, updates)
        streams = params["streams"]
        current = table.stream_specification or {}
        if (streams or {}).get("StreamViewType") != current.get("StreamViewType"):
            table.set_stream_specification(streams)
        table.deletion_protection_enabled = params["deletion_protection_enabled"]
        return table

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        dynamodb_backends[account_id][region_name].delete_table(name=resource_name)


# --------------------------------------------------------------------------------------------
# S3


def _listify(values: Any) -> list[Any]:
    return list(values) if isinstance(values, list) else [values]


def _cors_rules(config: Json) -> list[Json]:
    """CloudFormation ``CorsRules`` in the shape moto parses from the S3 API's XML."""
    rules = []
    for rule in config.get("CorsRules", []):
        api: Json = {
            "AllowedMethod": _listify(rule["AllowedMethods"]),
            "AllowedOrigin": _listify(rule["AllowedOrigins"]),
        }
        if "AllowedHeaders" in rule:
            api["AllowedHeader"] = _listify(rule["AllowedHeaders"])
        if "ExposedHeaders" in rule:
            api["ExposeHeader"] = _listify(rule["ExposedHeaders"])
        if "MaxAge" in rule:
            api["MaxAgeSeconds"] = str(rule["MaxAge"])
        if "Id" in rule:
            api["ID"] = str(rule["Id"])
        rules.append(api)
    return rules


def _lifecycle_rules(config: Json) -> list[Json]:
    """CloudFormation lifecycle ``Rules`` in the shape moto parses from the S3 API's XML."""
    rules = []
    for rule in config.get("Rules", []):
        api: Json = {"Status": rule["Status"]}
        if "Id" in rule:
            api["ID"] = rule["Id"]
        tags = rule.get("TagFilters") or []
        prefix = rule.get("Prefix", "")
        if tags:
            api["Filter"] = {
                "And": {
                    "Prefix": prefix,
                    "Tag": [{"Key": t["Key"], "Value": t["Value"]} for t in tags],
                }
            }
        else:
            api["Filter"] = {"Prefix": prefix}
        expiration: Json = {}
        if "ExpirationInDays" in rule:
            expiration["Days"] = str(rule["ExpirationInDays"])
        if "ExpirationDate" in rule:
            expiration["Date"] = str(rule["ExpirationDate"])
        if "ExpiredObjectDeleteMarker" in rule:
            expiration["ExpiredObjectDeleteMarker"] = str(rule["ExpiredObjectDeleteMarker"]).lower()
        if expiration:
            api["Expiration"] = expiration
        transitions = list(rule.get("Transitions", []))
        if "Transition" in rule:
            transitions.append(rule["Transition"])
        if transitions:
            api["Transition"] = [
                {
                    k: v
                    for k, v in (
                        ("Days", _str_or_none(t.get("TransitionInDays"))),
                        ("Date", _str_or_none(t.get("TransitionDate"))),
                        ("StorageClass", t["StorageClass"]),
                    )
                    if v is not None
                }
                for t in transitions
            ]
        noncurrent = rule.get("NoncurrentVersionExpiration")
        if noncurrent:
            api["NoncurrentVersionExpiration"] = {
                "NoncurrentDays": str(noncurrent["NoncurrentDays"])
            }
        elif "NoncurrentVersionExpirationInDays" in rule:
            api["NoncurrentVersionExpiration"] = {
                "NoncurrentDays": str(rule["NoncurrentVersionExpirationInDays"])
            }
        nv_transitions = rule.get("NoncurrentVersionTransitions", [])
        if nv_transitions:
            api["NoncurrentVersionTransition"] = [
                {"NoncurrentDays": str(t["TransitionInDays"]), "StorageClass": t["StorageClass"]}
                for t in nv_transitions
            ]
        abort = rule.get("AbortIncompleteMultipartUpload")
        if abort:
            api["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": str(abort["DaysAfterInitiation"])
            }
        rules.append(api)
    return rules


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _apply_bucket_configuration(bucket: FakeBucket, props: Json, account_id: str) -> None:
    """Everything moto's own bucket model leaves out, applied through the S3 backend."""
    backend = s3_backends[account_id][get_partition(bucket.region_name)]
    name = bucket.name
    versioning = props.get("VersioningConfiguration")
    if versioning:
        backend.put_bucket_versioning(name, versioning["Status"])
    if "CorsConfiguration" in props:
        backend.put_bucket_cors(name, _cors_rules(props["CorsConfiguration"]))
    else:
        backend.delete_bucket_cors(name)
    if "LifecycleConfiguration" in props:
        backend.put_bucket_lifecycle(name, _lifecycle_rules(props["LifecycleConfiguration"]))
    else:
        backend.delete_bucket_lifecycle(name)
    block = props.get("PublicAccessBlockConfiguration")
    if block:
        flags = {k: str(bool(block.get(k, False))).lower() for k in _BLOCK_FLAGS}
        backend.put_public_access_block(name, flags)
    else:
        backend.delete_public_access_block(name)
    ownership = props.get("OwnershipControls")
    if ownership:
        rules = ownership.get("Rules", [])
        if rules:
            backend.put_bucket_ownership_controls(name, rules[0]["ObjectOwnership"])
    logging = props.get("LoggingConfiguration")
    # CloudFormation creates a bucket before the policy of its log bucket (the policy names the
    # source bucket), so the logging target is recorded without moto's policy precondition.
    bucket.logging = (
        {
            "TargetBucket": logging.get("DestinationBucketName"),
            "TargetPrefix": logging.get("LogFilePrefix", ""),
        }
        if logging
        else {}
    )


_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


class Bucket(CloudFormationModel):
    """``AWS::S3::Bucket`` with the configuration moto's own model drops."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::Bucket"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "BucketName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return FakeBucket.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> FakeBucket:
        bucket = FakeBucket.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        _apply_bucket_configuration(bucket, cloudformation_json.get("Properties", {}), account_id)
        return bucket

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: FakeBucket,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> FakeBucket:
        props = cloudformation_json.get("Properties", {})
        if props.get("BucketName", original_resource.name) != original_resource.name:
            new = cls.create_from_cloudformation_json(
                props["BucketName"], cloudformation_json, account_id, region_name
            )
            FakeBucket.delete_from_cloudformation_json(
                original_resource.name, cloudformation_json, account_id, region_name
            )
            return new
        # moto's update tags by props["BucketName"], which generated names lack.
        with_name = {
            **cloudformation_json,
            "Properties": {**props, "BucketName": original_resource.name},
        }
        bucket: FakeBucket = FakeBucket.update_from_cloudformation_json(
            original_resource, new_resource_name, with_name, account_id, region_name
        )
        _apply_bucket_configuration(bucket, props, account_id)
        return bucket

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        FakeBucket.delete_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name
        )


class _Record(CloudFormationModel):
    """A resource owned by a stack: its physical id plus the attributes ``Fn::GetAtt`` reads."""

    attributes: tuple[str, ...] = ()

    def __init__(self, physical_id: str, attributes: Mapping[str, str] | None = None) -> None:
        self._physical_id = physical_id
        self._attributes = dict(attributes or {})

    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.attributes

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name not in self._attributes:
            raise UnformattedGetAttTemplateException()
        return self._attributes[attribute_name]

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
        """Replace: delete the old resource, then create the new one."""
        original_resource.delete(account_id, region_name)
        record: _Record = cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        """Called by moto's stack delete (before ``delete_from_cloudformation_json``)."""
        type(self).delete_from_cloudformation_json(
            self.physical_resource_id, {}, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        """Nothing to delete outside the stack by default. ``cloudformation_json`` is the raw
        template on stack deletes (``Ref`` unresolved): use ``resource_name`` only."""


class BucketPolicy(_Record):
    """``AWS::S3::BucketPolicy``: the policy document put on the bucket."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BucketPolicy:
        props = cloudformation_json["Properties"]
        backend = s3_backends[account_id][get_partition(region_name)]
        backend.put_bucket_policy(props["Bucket"], json.dumps(props["PolicyDocument"]).encode())
        return cls(props["Bucket"])

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
        if cloudformation_json["Properties"]["Bucket"] != original_resource.physical_resource_id:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = s3_backends[account_id][get_partition(region_name)]
        if resource_name in backend.buckets:
            backend.delete_bucket_policy(resource_name)


# --------------------------------------------------------------------------------------------
# IAM


class ManagedPolicy(CloudFormationModel):
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


class Role(CloudFormationModel):
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


def _bucket_permission(bucket: FakeBucket, action: str, resource: str) -> Any:
    """``FakeBucket.get_permission`` over the statements moto can evaluate (no conditions)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if bucket.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(bucket.policy.decode())
    statements = [s for s in _listify(document.get("Statement", [])) if "Condition" not in s]
    if not statements:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**document, "Statement": statements})).is_action_permitted(
        action, resource
    )


# --------------------------------------------------------------------------------------------
# Cognito

# CloudFormation-only properties of a user pool; the rest match CreateUserPool's parameters.
_POOL_CFN_ONLY = ("UserPoolName", "EnabledMfas")


def _pool_config(props: Json) -> Json:
    return {k: v for k, v in props.items() if k not in _POOL_CFN_ONLY}


class UserPool(_Record):
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
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
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


class UserPoolClient(_Record):
    """``AWS::Cognito::UserPoolClient`` (``Ref`` is the client id)."""

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

    user_pool_id = ""

    def delete(self, account_id: str, region_name: str) -> None:
        # moto passes delete_from_cloudformation_json the raw template, with ``Ref``s unresolved,
        # so the pool id comes from the record.
        backend = cognitoidp_backends[account_id][region_name]
        pool = backend.user_pools.get(self.user_pool_id)
        if pool is not None and self.physical_resource_id in pool.clients:
            backend.delete_user_pool_client(self.user_pool_id, self.physical_resource_id)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
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


class UserPoolDomain(_Record):
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


class UserPoolGroup(_Record):
    """``AWS::Cognito::UserPoolGroup`` (``Ref`` is the group name)."""

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

    user_pool_id = ""

    def delete(self, account_id: str, region_name: str) -> None:
        backend = cognitoidp_backends[account_id][region_name]
        pool = backend.user_pools.get(self.user_pool_id)
        if pool is not None and self.physical_resource_id in pool.groups:
            backend.delete_group(self.user_pool_id, self.physical_resource_id)


# --------------------------------------------------------------------------------------------
# CloudFront


def _cloudfront_id() -> str:
    return "E" + uuid.uuid4().hex[:13].upper()


class OriginAccessControl(_Record):
    """``AWS::CloudFront::OriginAccessControl`` in moto's CloudFront backend."""

    attributes = ("Id",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFront::OriginAccessControl"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> OriginAccessControl:
        config = cloudformation_json["Properties"]["OriginAccessControlConfig"]
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        control = backend.create_origin_access_control(dict(config))
        return cls(control.id, {"Id": control.id})

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        backend.origin_access_controls.pop(resource_name, None)


class CachePolicy(_Record):
    """``AWS::CloudFront::CachePolicy``: a stack record with an id."""

    attributes = ("Id", "LastModifiedTime")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFront::CachePolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> CachePolicy:
        policy_id = str(uuid.uuid4())
        return cls(policy_id, {"Id": policy_id, "LastModifiedTime": "1970-01-01T00:00:00Z"})


class Distribution(_Record):
    """``AWS::CloudFront::Distribution``: a stack record with an id and a domain name."""

    attributes = ("Id", "DomainName")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFront::Distribution"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Distribution:
        distribution_id = _cloudfront_id()
        return cls(
            distribution_id,
            {"Id": distribution_id, "DomainName": f"{distribution_id.lower()}.cloudfront.net"},
        )


class CdkMetadata(_Record):
    """``AWS::CDK::Metadata`` (the CLI's version reporting): a stack record, nothing else."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CDK::Metadata"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> CdkMetadata:
        return cls(resource_name)


# --------------------------------------------------------------------------------------------
# Custom resources


class SkippedCustomResource(CloudFormationModel):
    """A custom resource whose handler is not run: created at once, with no data.

    CDK's own providers (S3 auto-delete, bucket notifications, AwsCustomResource) are Node.js
    Lambdas, which moto can only run in Docker; nothing here may depend on them to be correct.
    """

    skipped: list[tuple[str, str, str]] = []  # (stack id, logical id, type), for reports
    _lock = threading.Lock()

    def __init__(self, physical_id: str) -> None:
        self._physical_id = physical_id

    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFormation::CustomResource"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return ""

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SkippedCustomResource:
        with cls._lock:
            cls.skipped.append(
                (
                    str(kwargs.get("StackId")),
                    str(kwargs.get("LogicalId")),
                    str(kwargs.get("ResourceType")),
                )
            )
        return cls(resource_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SkippedCustomResource,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> SkippedCustomResource:
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        """Nothing was created, so nothing is deleted."""


# --------------------------------------------------------------------------------------------
# Engine fix: resource failures as CloudFormation reports them


class ResourceFailedError(Exception):
    """A resource of a stack could not be created or updated."""

    def __init__(self, logical_id: str, resource_type: str, reason: str) -> None:
        super().__init__(f"{logical_id} ({resource_type}): {reason}")
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"


def _guard(
    step: Callable[..., Any],
) -> Callable[..., Any]:
    """Wrap moto's per-resource create/update so a failure names its resource."""

    def guarded(logical_id: str, resource_json: Json, *args: Any, **kwargs: Any) -> Any:
        try:
            return step(logical_id, resource_json, *args, **kwargs)
        except ResourceFailedError:
            raise  # the innermost resource (a dependency created on demand) is the culprit
        except Exception as exc:
            raise ResourceFailedError(
                logical_id, str(resource_json.get("Type")), _reason(exc)
            ) from exc

    return guarded


def _record_failure(stack: Any, status: str, failure: ResourceFailedError | Exception) -> None:
    if isinstance(failure, ResourceFailedError):
        logical_id, rtype, reason = failure.logical_id, failure.resource_type, failure.reason
    else:
        logical_id, rtype, reason = stack.name, "AWS::CloudFormation::Stack", _reason(failure)
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=rtype,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _roll_back_creation(backend: Any, stack: Any, failure: Exception) -> None:
    """What CloudFormation does when a resource fails during creation: a CREATE_FAILED event
    naming it, exports withdrawn, created resources deleted, ROLLBACK_COMPLETE."""
    _record_failure(stack, "CREATE_FAILED", failure)
    for export_name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id:
            del backend.exports[export_name]
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=str(failure))
    with contextlib.suppress(Exception):
        stack.resource_map.delete()
    # moto's resource and output maps create resources lazily on any read: empty them,
    # so describing or deleting the rolled-back stack does not bring resources back.
    stack.resource_map._resource_json_map = {}
    stack.output_map._output_json_map = {}
    stack.status = "ROLLBACK_COMPLETE"
    stack._add_stack_event("ROLLBACK_COMPLETE")


def _create_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            stack = original(self, name, *args, **kwargs)
            _ = stack.outputs  # moto resolves outputs lazily: fail now, as CloudFormation does
            return stack
        except Exception as exc:
            stack = next(
                (
                    s
                    for s in self.stacks.values()
                    if s.name == name and s.status != "DELETE_COMPLETE"
                ),
                None,
            )
            if stack is None:  # the template itself was rejected: a plain 400
                if isinstance(exc, ValidationError):
                    raise
                raise ValidationError(message=_reason(exc)) from exc
            _roll_back_creation(self, stack, exc)
            return stack

    return create_stack


def _update_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            stack = original(self, name, *args, **kwargs)
            _ = stack.outputs
            return stack
        except Exception as exc:
            if isinstance(exc, ValidationError) and not isinstance(exc, ExportNotFound):
                raise
            stack = self.get_stack(name)
            _record_failure(stack, "UPDATE_FAILED", exc)
            stack.status = "UPDATE_ROLLBACK_FAILED"
            stack._add_stack_event("UPDATE_ROLLBACK_FAILED", resource_status_reason=str(exc))
            return stack

    return update_stack


# --------------------------------------------------------------------------------------------
# Engine fix: change sets (the path `cdk deploy` takes)


class ChangeSetNotFoundError(CloudFormationError):
    """What CloudFormation answers for a change set that does not exist (404)."""

    code = "ChangeSetNotFoundException"


class InvalidChangeSetStatusError(CloudFormationError):
    """A change set that was executed already, or that has no changes."""

    code = "InvalidChangeSetStatusException"


def _find_change_set(backend: Any, name_or_id: str, stack_name: str | None) -> Any:
    """The change set with this ARN, or with this name on this stack.

    moto looks names up across all stacks, but the CDK CLI names every change set
    ``cdk-deploy-change-set``: deleting or waiting for one stack's change set found another's
    (the bootstrap stack's), and ``cdk deploy`` of an existing stack waited forever.
    """
    if name_or_id in backend.change_sets:
        return backend.change_sets[name_or_id]
    found = [
        change_set
        for change_set in backend.change_sets.values()
        if change_set.change_set_name == name_or_id
        and stack_name in (None, "", change_set.stack_name, change_set.stack_id)
    ]
    return found[-1] if found else None


def _change_set_or_404(backend: Any, name_or_id: str, stack_name: str | None) -> Any:
    change_set = _find_change_set(backend, name_or_id, stack_name)
    if change_set is None:
        raise ChangeSetNotFoundError(f"ChangeSet [{name_or_id}] does not exist")
    return change_set


def _describe_change_set(self: Any) -> ActionResult:
    """``DescribeChangeSet`` scoped to ``StackName``; a missing one is ChangeSetNotFound (the
    CLI waits for that after deleting a change set; moto answered ValidationError)."""
    backend = self.cloudformation_backend
    return ActionResult(
        _change_set_or_404(backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    )


def _delete_change_set(self: Any) -> EmptyResult:
    """``DeleteChangeSet`` scoped to ``StackName`` (moto deleted the first change set with that
    name on any stack, and failed with HTTP 500 when there was none)."""
    backend = self.cloudformation_backend
    change_set = _change_set_or_404(
        backend, self._get_param("ChangeSetName"), self._get_param("StackName")
    )
    del backend.change_sets[change_set.change_set_id]
    return EmptyResult()


def _list_change_sets(self: Any) -> ActionResult:
    """``ListChangeSets`` of the stack named by ``StackName`` (moto listed every stack's)."""
    stack_name = self._get_param("StackName")
    change_sets = [
        change_set
        for change_set in self.cloudformation_backend.change_sets.values()
        if stack_name in (None, "", change_set.stack_name, change_set.stack_id)
    ]
    return ActionResult({"Summaries": change_sets})


def _create_stack_with_id(backend: Any, stack_id: str, change_set: Any) -> Any:
    """moto's ``create_stack``, keeping the stack id the change set already handed out."""
    stack = cfn_models.Stack(  # type: ignore[abstract]  # moto instantiates it the same way
        stack_id=stack_id,
        name=change_set.stack_name,
        template=change_set.template,
        parameters=change_set.parameters,
        account_id=backend.account_id,
        region_name=backend.region_name,
        notification_arns=change_set.notification_arns,
        tags=change_set.tags,
        role_arn=change_set.role_arn,
        cross_stack_resources=backend.exports,
    )
    backend.stacks[stack_id] = stack
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export
    stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.create_resources()
    _ = stack.outputs  # resolved now, so a bad output fails the creation
    return stack


def _create_change_set(original: Callable[..., Any]) -> Callable[..., Any]:
    """Keep ``UsePreviousValue`` of an SSM-typed parameter what it was: the parameter's name.

    moto replaces ``UsePreviousValue`` with the previous *resolved* value, so for CDK's
    ``BootstrapVersion`` (``AWS::SSM::Parameter::Value<String>``, passed that way by the CLI on
    every update) the update then looked up an SSM parameter named ``33`` and failed.
    """

    def create_change_set(
        self: Any, stack_name: str, change_set_name: str, template: str, parameters: Json,
        *args: Any, **kwargs: Any,
    ) -> Any:  # fmt: skip
        change_set_type = kwargs.get("change_set_type", args[2] if len(args) > 2 else None)
        stack = next((s for s in self.stacks.values() if s.name == stack_name), None)
        if change_set_type == "UPDATE" and stack is not None and parameters:
            declared = cfn_models.Stack.parse_template(template).get("Parameters") or {}
            parameters = dict(parameters)
            for key, value in list(parameters.items()):
                ssm = str(declared.get(key, {}).get("Type", "")).startswith("AWS::SSM::")
                if ssm and value == stack.stack_parameters.get(key):
                    if key in stack.parameters:
                        parameters[key] = stack.parameters[key]
                    else:  # the previous value was the default: it still is
                        del parameters[key]
        return original(self, stack_name, change_set_name, template, parameters, *args, **kwargs)

    return create_change_set


def _execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    """Execute a change set as CreateStack / UpdateStack would.

    moto 5.2.5 applies a CREATE change set as an update of an empty placeholder stack: resources
    come out in template order (``DependsOn`` ignored), ``Fn::ImportValue`` finds no exports,
    the outputs and exports stay empty, and a failing resource escapes as HTTP 500 with the stack
    left ``CREATE_IN_PROGRESS``. An UPDATE change set changes the resources but not the
    outputs. Here a CREATE builds the stack like ``create_stack`` (same stack id, dependency
    order, exports, rollback on failure) and an UPDATE goes through ``update_stack``.
    """
    change_set = _change_set_or_404(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatusError(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"execution status of [{change_set.execution_status}]"
        )
    if change_set.change_set_type == "CREATE":
        placeholder = self.stacks.pop(change_set.stack_id)
        try:
            stack = _create_stack_with_id(self, change_set.stack_id, change_set)
        except Exception as exc:
            stack = self.stacks.setdefault(change_set.stack_id, placeholder)
            _roll_back_creation(self, stack, exc)
        if stack is not placeholder:
            stack.events[:0] = placeholder.events  # REVIEW_IN_PROGRESS comes first
    else:
        parameters = [
            {"ParameterKey": key, "ParameterValue": value}
            for key, value in change_set.parameters.items()
        ]
        self.update_stack(
            change_set.stack_name,
            change_set.template,
            change_set.role_arn,
            parameters,
            change_set.tags or None,
        )
    change_set.execution_status = "EXECUTE_COMPLETE"


def _delete_stack_resources(original: Callable[..., None]) -> Callable[..., None]:
    """After a stack is deleted, forget its template.

    moto keeps a deleted stack readable by id, and its resource and output maps create
    resources lazily on any read: the CDK CLI polls ``DescribeStacks`` with the stack id until
    ``DELETE_COMPLETE``, and reading the outputs created every deleted resource again.
    """

    def delete(self: Any) -> None:
        original(self)
        self.resource_map._resource_json_map = {}
        self.output_map._output_json_map = {}

    return delete


def _stack_resources(self: Any) -> list[Any]:
    """The stack's resources without the ones a false ``Condition`` left uncreated (moto lists
    those as ``None``, which ``DescribeStackResources`` renders without a logical id)."""
    return [resource for resource in self.resource_map.values() if resource is not None]


def _stack_outputs(self: Any) -> list[Json] | None:
    """moto's ``Stack.outputs``, with each output's own ``ExportName``: moto gives an output
    the name of the first export with the same value, so CDK's ``ExportsOutput...`` outputs
    showed another output's export name."""
    names = {
        key: parsing.clean_json(output["Export"].get("Name"), self.resource_map)
        for key, output in (self.output_map._output_json_map or {}).items()
        if output.get("Export")
    }
    outputs = [
        {
            "OutputKey": output.key,
            "OutputValue": output.value,
            "Description": output.description,
            "ExportName": names.get(output.key),
        }
        for output in self.output_map.values()
        if output
    ]
    return outputs or None


def _template_from_url(original: Callable[..., str]) -> Callable[..., str]:
    """Read a ``TemplateURL`` on the emulator's own endpoint as a path-style S3 URL.

    The CDK CLI uploads templates over 50 KiB to the assets bucket and passes
    ``http://127.0.0.1:PORT/<bucket>/<key>``; moto 5.2.5 treats anything but ``localhost`` and
    ``s3*.amazonaws.com`` as virtual-hosted and looks for a bucket named ``127``.
    """

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        parts = urlsplit(template_url)
        if _is_ip_address(parts.hostname or ""):
            template_url = urlunsplit(parts._replace(netloc="localhost"))
        return original(template_url, account_id=account_id, partition=partition)

    return get_stack_from_s3_url


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Registration

EXTENSIONS: tuple[type[CloudFormationModel], ...] = (
    GlobalTable,
    Bucket,
    BucketPolicy,
    ManagedPolicy,
    Role,
    UserPool,
    UserPoolClient,
    UserPoolDomain,
    UserPoolGroup,
    OriginAccessControl,
    CachePolicy,
    Distribution,
    CdkMetadata,
    SkippedCustomResource,
)

_install_lock = threading.Lock()
_installed = False


def is_installed() -> bool:
    return _installed


def install() -> None:
    """Register the extensions with moto's CloudFormation engine (idempotent, process-wide).

    Raises:
        MotoVersionError: the installed moto is not ``PINNED_MOTO_VERSION``.
    """
    global _installed
    check_moto_version()
    with _install_lock:
        if _installed:
            return
        # The serverless types (API Gateway, Lambda permissions, alarms, secrets...) are declared
        # in their own module, which builds on this one (hence the import here).
        from petplatform_localcloud.moto_extensions_serverless import (
            EXTENSIONS as SERVERLESS_EXTENSIONS,
        )

        extensions = (*EXTENSIONS, *SERVERLESS_EXTENSIONS)
        original = parsing.get_model_list.__wrapped__
        overridden = {model.cloudformation_type() for model in extensions}

        def model_list() -> list[type[CloudFormationModel]]:
            own = [
                m
                for m in original()
                if m not in extensions and m.cloudformation_type() not in overridden
            ]
            return own + list(extensions)

        # moto's module globals and classes are patched with setattr: they are not typed as
        # replaceable, and the pinned version check above guarantees their shape.
        setattr(parsing, "get_model_list", model_list)  # noqa: B010
        parsing.get_model_map.cache_clear()
        parsing.get_name_type_map.cache_clear()
        # Every Custom::* type resolves to this class (moto checks the prefix before the map).
        setattr(parsing, "CustomModel", SkippedCustomResource)  # noqa: B010
        for step in ("parse_and_create_resource", "parse_and_update_resource"):
            setattr(parsing, step, _guard(getattr(parsing, step)))
        setattr(FakeBucket, "get_permission", _bucket_permission)  # noqa: B010
        backend_class = cfn_models.CloudFormationBackend
        setattr(backend_class, "create_stack", _create_stack(backend_class.create_stack))  # noqa: B010
        setattr(backend_class, "update_stack", _update_stack(backend_class.update_stack))  # noqa: B010
        for module in (cfn_models, cfn_responses):
            fetch = _template_from_url(cfn_utils.get_stack_from_s3_url)
            setattr(module, "get_stack_from_s3_url", fetch)  # noqa: B010
        response_class = cfn_responses.CloudFormationResponse
        setattr(response_class, "describe_change_set", _describe_change_set)  # noqa: B010
        setattr(response_class, "delete_change_set", _delete_change_set)  # noqa: B010
        setattr(response_class, "list_change_sets", _list_change_sets)  # noqa: B010
        stack_class = cfn_models.Stack
        setattr(stack_class, "delete", _delete_stack_resources(stack_class.delete))  # noqa: B010
        setattr(stack_class, "stack_resources", property(_stack_resources))  # noqa: B010
        setattr(stack_class, "outputs", property(_stack_outputs))  # noqa: B010
        setattr(backend_class, "execute_change_set", _execute_change_set)  # noqa: B010
        create_change_set = _create_change_set(backend_class.create_change_set)
        setattr(backend_class, "create_change_set", create_change_set)  # noqa: B010
        _installed = True


def supported_types() -> frozenset[str]:
    """Resource types moto's CloudFormation can create once the extensions are installed."""
    return frozenset(parsing.get_model_map())
