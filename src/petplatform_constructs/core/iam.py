"""IAM policy facts in the form cdk-nag reads them, for acknowledgements that cover no more.

An acknowledgement of ``AwsSolutions-IAM5`` must name exactly the wildcard the library wrote
(``Action::kms:GenerateDataKey*``, ``Resource::<Table.Arn>/index/*``), never the policy as a
whole, so a wildcard a user adds to the same policy is still reported. These helpers compute
those finding ids from resolved policy statements.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

__all__ = [
    "KMS_DATA_KEY_REASON",
    "as_list",
    "flatten_cfn_reference",
    "inherent_wildcard_findings",
    "wildcard_findings",
]


def flatten_cfn_reference(value: object) -> str:
    """A resolved CloudFormation value as the flat string cdk-nag uses in finding ids.

    ``{"Fn::GetAtt": ["Table", "Arn"]}`` becomes ``<Table.Arn>``, ``{"Ref": "X"}`` ``<X>``,
    ``Fn::Join`` joins, ``Fn::ImportValue`` becomes the export name (cdk-nag 3 semantics).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return str(delimiter).join(flatten_cfn_reference(item) for item in items)
        if "Fn::Sub" in value:
            return flatten_cfn_reference(value["Fn::Sub"])
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{flatten_cfn_reference(resource)}.{flatten_cfn_reference(attribute)}>"
        if "Fn::ImportValue" in value:
            return flatten_cfn_reference(value["Fn::ImportValue"])
        if "Ref" in value:
            return f"<{flatten_cfn_reference(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


def wildcard_findings(stack: Stack, statements: Sequence[iam.PolicyStatement]) -> Iterator[str]:
    """The ``Action::``/``Resource::`` findings cdk-nag IAM5 reports for ``statements``."""
    for statement in statements:
        if statement.effect != iam.Effect.ALLOW:
            continue
        for action in statement.actions:
            if "*" in action:
                yield f"Action::{action}"
        for resource in stack.resolve(statement.resources):
            flat = flatten_cfn_reference(resource)
            if "*" in flat:
                yield f"Resource::{flat}"


_XRAY_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})
_KMS_WILDCARDS = frozenset({"kms:GenerateDataKey*", "kms:ReEncrypt*"})
_XRAY_REASON = (
    "X-Ray tracing (Tracing.ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords support "
    "no resource-level permissions, so AWS requires Resource '*' for them"
)
_INDEX_REASON = (
    "DynamoDB grant on a table with secondary indexes: <table-arn>/index/* addresses the indexes "
    "of that one table, which Query on a secondary index needs"
)
KMS_DATA_KEY_REASON = (
    "kms:GenerateDataKey* and kms:ReEncrypt* are the data-key actions the L2 grants add for the "
    "granted resource's (table, bucket or secret) own customer-managed key, on that key's ARN only"
)


def as_list(value: object) -> list[object]:
    """A CloudFormation value that may be one item or a list, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def inherent_wildcard_findings(
    statements: Sequence[dict[str, object]], key_arns: set[str]
) -> dict[str, str]:
    """The IAM5 findings that L2 grants cannot avoid in ``statements``, with their reasons.

    * ``Resource::*`` for X-Ray, when X-Ray is the only statement on ``*``;
    * ``<table-arn>/index/*`` next to ``<table-arn>`` in a DynamoDB-only statement;
    * ``kms:GenerateDataKey*``/``kms:ReEncrypt*`` on the granted resources' own keys only.
    """
    found: dict[str, str] = {}
    allows = [s for s in statements if s.get("Effect") == "Allow"]
    on_star = [s for s in allows if "*" in as_list(s.get("Resource"))]
    if on_star and all(set(map(str, as_list(s.get("Action")))) <= _XRAY_ACTIONS for s in on_star):
        found["AwsSolutions-IAM5[Resource::*]"] = _XRAY_REASON
    for statement in allows:
        actions = [str(a) for a in as_list(statement.get("Action"))]
        resources = [flatten_cfn_reference(r) for r in as_list(statement.get("Resource"))]
        if all(a.startswith("dynamodb:") for a in actions):
            for resource in resources:
                base = resource.removesuffix("/index/*")
                if resource.endswith("/index/*") and base in resources:
                    found[f"AwsSolutions-IAM5[Resource::{resource}]"] = _INDEX_REASON
        if resources and set(resources) <= key_arns:
            for action in _KMS_WILDCARDS.intersection(actions):
                found[f"AwsSolutions-IAM5[Action::{action}]"] = KMS_DATA_KEY_REASON
    return found
