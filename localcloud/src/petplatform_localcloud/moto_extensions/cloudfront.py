"""CloudFront: origin access controls in moto's backend; distributions as stack records.

* ``AWS::CloudFront::OriginAccessControl``: created in moto's CloudFront backend.
* ``AWS::CloudFront::Distribution`` / ``CachePolicy``: stack records only (ids, domain name);
  moto's CloudFront backend takes the XML-shaped API config, and nothing local serves a CDN.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.cloudfront.models import cloudfront_backends
from moto.utilities.utils import get_partition

from petplatform_localcloud.moto_extensions.records import Json, Record

__all__ = ["EXTENSIONS", "CachePolicy", "Distribution", "OriginAccessControl"]


def _cloudfront_id() -> str:
    return "E" + uuid.uuid4().hex[:13].upper()


class OriginAccessControl(Record):
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


class CachePolicy(Record):
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


class Distribution(Record):
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


EXTENSIONS = (OriginAccessControl, CachePolicy, Distribution)
