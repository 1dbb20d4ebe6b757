"""Custom resources, whose handlers are not run, and the CDK's metadata resource.

* ``Custom::*`` / ``AWS::CloudFormation::CustomResource``: moto invokes the handler Lambda, which
  needs Docker and then waits forever for a response. Replaced by a stub that completes at once
  with no data; the deployer reports these resources as skipped.
* ``AWS::CDK::Metadata`` (in templates synthesized by the CDK CLI): unknown to moto; a record.
* Cross-region references (``cross_region_references=True``) are the exception, because a
  deploy across regions depends on them: ``Custom::CrossRegionExportWriter`` writes its exports
  as SSM parameters in the consumer's region, and ``Custom::CrossRegionExportReader`` reads
  them back as its attributes, as CDK's handlers do.
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

    def __init__(self, physical_id: str, attributes: dict[str, str] | None = None) -> None:
        self._physical_id = physical_id
        self._attributes = attributes or {}

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
        return self._attributes.get(attribute_name, "")

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
        props = cloudformation_json.get("Properties", {})
        if "WriterProps" in props:
            _write_exports(account_id, props["WriterProps"])
            return cls(resource_name)
        if "ReaderProps" in props:
            return cls(resource_name, _read_exports(account_id, props["ReaderProps"]))
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


def _ssm(account_id: str, region: str) -> Any:
    from moto.ssm.models import ssm_backends

    return ssm_backends[account_id][region]


def _write_exports(account_id: str, writer: Json) -> None:
    """CDK's export writer: each export an SSM parameter in the consumer's region."""
    ssm = _ssm(account_id, str(writer["region"]))
    for name, value in writer.get("exports", {}).items():
        ssm.put_parameter(
            name=name, description="", value=str(value), parameter_type="String",
            allowed_pattern="", keyid="", overwrite=True, tags=[], data_type="text",
            tier=None, policies=None,
        )  # fmt: skip


def _read_exports(account_id: str, reader: Json) -> dict[str, str]:
    """CDK's export reader: each import's value, read from SSM, under its parameter name."""
    ssm = _ssm(account_id, str(reader["region"]))
    values = {}
    for name in reader.get("imports", {}):
        parameter = ssm.get_parameter(name)
        values[name] = parameter.value if parameter is not None else ""
    return values


EXTENSIONS = (CdkMetadata, SkippedCustomResource)
# Every Custom::* type resolves to this class (moto checks the prefix before the model map).
PATCHES = (replace(parsing, "CustomModel", SkippedCustomResource),)
