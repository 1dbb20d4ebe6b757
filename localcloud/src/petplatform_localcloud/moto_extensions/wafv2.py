"""``AWS::WAFv2::WebACL`` / ``WebACLAssociation`` / ``LoggingConfiguration``: no model in moto 5.2.

A web ACL with its rules, its association with an API Gateway stage, and its logging
configuration (WAF rules are recorded, not enforced locally, and nothing is logged).
"""

from __future__ import annotations

from typing import Any

from moto.wafv2.models import wafv2_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, cfn_tags

__all__ = ["EXTENSIONS", "LoggingConfiguration", "WebAcl", "WebAclAssociation"]


class WebAcl(Record):
    """``AWS::WAFv2::WebACL``: recorded with its rules (``Ref`` is ``name|id|scope``)."""

    attributes = ("Arn", "Id", "LabelNamespace", "Capacity")
    arn = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::WAFv2::WebACL"

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
    ) -> WebAcl:
        props = cloudformation_json["Properties"]
        name = props.get("Name", resource_name)
        acl = wafv2_backends[account_id][region_name].create_web_acl(
            name=name,
            visibility_config=props["VisibilityConfig"],
            default_action=props["DefaultAction"],
            scope=props["Scope"],
            description=props.get("Description", ""),
            tags=cfn_tags(props),
            rules=list(props.get("Rules", [])),
            association_config=props.get("AssociationConfig"),
            captcha_config=props.get("CaptchaConfig"),
            challenge_config=props.get("ChallengeConfig"),
            custom_response_bodies=props.get("CustomResponseBodies"),
            token_domains=props.get("TokenDomains"),
        )
        record = cls(
            f"{name}|{acl.id}|{props['Scope']}",
            {
                "Arn": acl.arn,
                "Id": acl.id,
                "LabelNamespace": f"awswaf:{account_id}:webacl:{name}:",
                "Capacity": "0",
            },
        )
        record.arn = acl.arn
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        backend = wafv2_backends[account_id][region_name]
        backend.wacls.pop(self.arn, None)


class WebAclAssociation(Record):
    """``AWS::WAFv2::WebACLAssociation`` (moto also marks the API Gateway stage)."""

    resource_arn = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::WAFv2::WebACLAssociation"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> WebAclAssociation:
        props = cloudformation_json["Properties"]
        backend = wafv2_backends[account_id][region_name]
        backend.associate_web_acl(props["WebACLArn"], props["ResourceArn"])
        record = cls(f"{props['WebACLArn']}|{props['ResourceArn']}")
        record.resource_arn = props["ResourceArn"]
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        wafv2_backends[account_id][region_name].disassociate_web_acl(self.resource_arn)


class LoggingConfiguration(Record):
    """``AWS::WAFv2::LoggingConfiguration`` (``Ref`` is the web ACL's ARN), in moto's backend."""

    attributes = ("ManagedByFirewallManager",)
    resource_arn = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::WAFv2::LoggingConfiguration"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LoggingConfiguration:
        props = cloudformation_json["Properties"]
        arn = props["ResourceArn"]
        wafv2_backends[account_id][region_name].put_logging_configuration(
            arn,
            list(props["LogDestinationConfigs"]),
            props.get("RedactedFields"),
            False,
            props.get("LoggingFilter") or {},
        )
        record = cls(arn, {"ManagedByFirewallManager": "false"})
        record.resource_arn = arn
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        wafv2_backends[account_id][region_name].logging_configurations.pop(self.resource_arn, None)


EXTENSIONS = (WebAcl, WebAclAssociation, LoggingConfiguration)
