"""Custom resources, whose handlers are not run, and the CDK's metadata resource.

* ``Custom::*`` / ``AWS::CloudFormation::CustomResource``: moto invokes the handler Lambda, which
  needs Docker and then waits forever for a response. Replaced by a stub that completes at once
  with no data; the deployer reports these resources as skipped.
* ``AWS::CDK::Metadata`` (in templates synthesized by the CDK CLI): unknown to moto; a record.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cloudformation import parsing

from petplatform_localcloud.moto_extensions.patching import replace
from petplatform_localcloud.moto_extensions.records import CloudFormationExtension, Json, Record

__all__ = ["EXTENSIONS", "PATCHES", "CdkMetadata", "SkippedCustomResource"]


class CdkMetadata(Record):
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


class SkippedCustomResource(CloudFormationExtension):
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


EXTENSIONS = (CdkMetadata, SkippedCustomResource)
# Every Custom::* type resolves to this class (moto checks the prefix before the model map).
PATCHES = (replace(parsing, "CustomModel", SkippedCustomResource),)
