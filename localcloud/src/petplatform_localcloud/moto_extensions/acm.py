"""``AWS::CertificateManager::Certificate``: no model in moto 5.2. Issued at once.

The certificate is requested in moto's ACM backend and marked ``ISSUED`` immediately: nothing
local can answer DNS validation, and CloudFront only needs the ARN (``Ref``).
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.acm.models import acm_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, cfn_tags

__all__ = ["EXTENSIONS", "Certificate"]


class Certificate(Record):
    """``AWS::CertificateManager::Certificate`` (``Ref`` is the ARN), issued at once."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CertificateManager::Certificate"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Certificate:
        props = cloudformation_json["Properties"]
        backend = acm_backends[account_id][region_name]
        arn = backend.request_certificate(
            domain_name=props["DomainName"],
            idempotency_token=str(uuid.uuid4()),
            subject_alt_names=list(props.get("SubjectAlternativeNames", [])),
            tags=cfn_tags(props),
        )
        backend.get_certificate(arn).status = "ISSUED"
        return cls(arn)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = acm_backends[account_id][region_name]
        if resource_name in backend._certificates:
            backend.delete_certificate(resource_name)


EXTENSIONS = (Certificate,)
