"""S3: the bucket configuration moto's model drops, bucket policies, and policy enforcement.

* ``AWS::S3::Bucket``: moto applies only encryption and tags, and its update fails without an
  explicit ``BucketName``. Adds versioning, CORS, lifecycle, public-access block, ownership
  controls and access logging, on create and update.
* ``AWS::S3::BucketPolicy``: ignored by moto; now put on (and removed from) the bucket.
* Engine fix: moto enforces bucket policies but ignores their ``Condition``s, so CDK's
  ``enforceSSL`` statement (Deny ``s3:*`` to ``*`` unless ``aws:SecureTransport``) denies every
  request. Statements with conditions, which moto cannot evaluate, are left out of enforcement
  (the stored policy is unchanged).
"""

from __future__ import annotations

import json
from typing import Any

from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

from petplatform_localcloud.moto_extensions.patching import replace
from petplatform_localcloud.moto_extensions.records import (
    CloudFormationExtension,
    Json,
    Record,
    listify,
)

__all__ = ["EXTENSIONS", "PATCHES", "Bucket", "BucketPolicy"]


def _cors_rules(config: Json) -> list[Json]:
    """CloudFormation ``CorsRules`` in the shape moto parses from the S3 API's XML."""
    rules = []
    for rule in config.get("CorsRules", []):
        api: Json = {
            "AllowedMethod": listify(rule["AllowedMethods"]),
            "AllowedOrigin": listify(rule["AllowedOrigins"]),
        }
        if "AllowedHeaders" in rule:
            api["AllowedHeader"] = listify(rule["AllowedHeaders"])
        if "ExposedHeaders" in rule:
            api["ExposeHeader"] = listify(rule["ExposedHeaders"])
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


class Bucket(CloudFormationExtension):
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


class BucketPolicy(Record):
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
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
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


def _bucket_permission(bucket: FakeBucket, action: str, resource: str) -> Any:
    """``FakeBucket.get_permission`` over the statements moto can evaluate (no conditions)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if bucket.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(bucket.policy.decode())
    statements = [s for s in listify(document.get("Statement", [])) if "Condition" not in s]
    if not statements:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**document, "Statement": statements})).is_action_permitted(
        action, resource
    )


EXTENSIONS = (Bucket, BucketPolicy)
PATCHES = (replace(FakeBucket, "get_permission", _bucket_permission),)
