"""S3: the bucket configuration moto's model drops, bucket policies, and policy enforcement.

* ``AWS::S3::Bucket``: moto applies only encryption and tags, and its update fails without an
  explicit ``BucketName``. Adds versioning, CORS, lifecycle, public-access block, ownership
  controls and access logging, on create and update.
* ``AWS::S3::BucketPolicy``: ignored by moto; now put on (and removed from) the bucket.
* Replication: a bucket's ``ReplicationConfiguration`` is put on the bucket, and moto's engine
  replicates (which it never does): an object put in a source bucket is copied to the
  destination bucket of each enabled rule whose prefix matches, and a delete without a version
  id (a delete marker) follows when the rule replicates delete markers. Deleting a version is
  never replicated, as in S3. Replication is synchronous here; in AWS it takes seconds to
  minutes (15 with Replication Time Control).
* Engine fix: moto enforces bucket policies but ignores their ``Condition``s, so CDK's
  ``enforceSSL`` statement (Deny ``s3:*`` to ``*`` unless ``aws:SecureTransport``) denies every
  request. Statements with conditions, which moto cannot evaluate, are left out of enforcement
  (the stored policy is unchanged).
"""

from __future__ import annotations

import json
from typing import Any

from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from petplatform_localcloud.moto_extensions.patching import replace, wrap
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


def _replication(config: Json) -> Json:
    """A CloudFormation ``ReplicationConfiguration`` in the shape moto parses from the S3 XML."""
    rules = []
    for index, rule in enumerate(config.get("Rules", [])):
        api: Json = {
            "ID": rule.get("Id", f"Rule{index}"),
            "Priority": str(rule.get("Priority", index)),
            "Status": rule["Status"],
            "Destination": {"Bucket": rule["Destination"]["Bucket"]},
        }
        prefix = rule.get("Filter", {}).get("Prefix", rule.get("Prefix", ""))
        api["Filter"] = {"Prefix": prefix}
        if "DeleteMarkerReplication" in rule:
            api["DeleteMarkerReplication"] = {"Status": rule["DeleteMarkerReplication"]["Status"]}
        rules.append(api)
    return {"Role": config["Role"], "Rule": rules}


def _destinations(backend: Any, bucket_name: str, key: str, *, delete: bool) -> list[str]:
    """Buckets that ``key`` of ``bucket_name`` replicates to (for a delete marker: ``delete``)."""
    bucket = backend.buckets.get(bucket_name)
    config = getattr(bucket, "replication", None) or {}
    found = []
    for rule in listify(config.get("Rule", [])):
        prefix = (rule.get("Filter") or {}).get("Prefix") or rule.get("Prefix") or ""
        if rule.get("Status") != "Enabled" or not key.startswith(prefix):
            continue
        if delete and (rule.get("DeleteMarkerReplication") or {}).get("Status") != "Enabled":
            continue
        target = str(rule["Destination"]["Bucket"]).rpartition(":::")[2]
        if target in backend.buckets and target != bucket_name:
            found.append(target)
    return found


def _replicating_put(original: Any) -> Any:
    def put_object(
        self: Any, bucket_name: str, key_name: str, value: bytes, *a: Any, **k: Any
    ) -> Any:
        key = original(self, bucket_name, key_name, value, *a, **k)
        for target in _destinations(self, bucket_name, key_name, delete=False):
            original(self, target, key_name, value)
        return key

    return put_object


def _replicating_delete(original: Any) -> Any:
    def delete_object(
        self: Any, bucket_name: str, key_name: str, version_id: str | None = None, *a: Any, **k: Any
    ) -> Any:
        result = original(self, bucket_name, key_name, version_id, *a, **k)
        if version_id is None:  # a delete marker; deleting a version is never replicated
            for target in _destinations(self, bucket_name, key_name, delete=True):
                original(self, target, key_name)
        return result

    return delete_object


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
    replication = props.get("ReplicationConfiguration")
    if replication:
        backend.put_bucket_replication(name, _replication(replication))
    else:
        bucket.replication = None  # type: ignore[attr-defined]
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
PATCHES = (
    replace(FakeBucket, "get_permission", _bucket_permission),
    wrap(S3Backend, "put_object", _replicating_put),
    wrap(S3Backend, "delete_object", _replicating_delete),
)
