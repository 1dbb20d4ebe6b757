"""What every model of the extensions builds on: the base class, stack records, small helpers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

__all__ = ["CloudFormationExtension", "Json", "Record", "cfn_tags", "json_document", "listify"]

Json = dict[str, Any]


class CloudFormationExtension(CloudFormationModel):
    """The one direct subclass of moto's ``CloudFormationModel`` that the extensions declare.

    moto's own model list is ``CloudFormationModel.__subclasses__()`` (direct subclasses only).
    With every extension below this class, that list gains only this abstract class (whose type
    is moto's placeholder ``AWS::SERVICE::RESOURCE``), so importing the extensions changes no
    resource type of moto's: they take effect only while installed.
    """


class Record(CloudFormationExtension):
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
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        """Replace: delete the old resource, then create the new one."""
        original_resource.delete(account_id, region_name)
        record: Record = cls.create_from_cloudformation_json(
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


def listify(values: Any) -> list[Any]:
    return list(values) if isinstance(values, list) else [values]


def cfn_tags(props: Json, key: str = "Tags") -> list[Json]:
    """CloudFormation ``Tags`` (``[{"Key", "Value"}]``), copied without extra fields."""
    return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get(key) or []]


def json_document(value: object) -> str:
    """A policy or schema as the JSON string the service APIs take and return."""
    return value if isinstance(value, str) else json.dumps(value)
