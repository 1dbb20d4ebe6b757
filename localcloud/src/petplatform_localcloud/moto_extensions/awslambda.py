"""``AWS::Lambda::Permission`` with a physical id and a delete; ``AWS::Lambda::Alias``; ``Invoke``
of local functions.

moto's model has no physical id (``DescribeStackResources`` lists it without one) and no delete.
The statement id is the physical id, and the statement is removed with the resource.

moto has no CloudFormation model for aliases, and its ``AWS::Lambda::Version`` has no physical id
nor ``Fn::GetAtt`` (an alias reads ``{"Fn::GetAtt": [version, "Version"]}``):
:class:`LambdaFunctionVersion` publishes the version and :class:`LambdaFunctionAlias` creates the
alias in moto's backend (``Ref`` is its ARN, which integrations and event sources invoke).
Provisioned concurrency is recorded by CloudFormation only: nothing local is pre-warmed.

moto's ``Invoke`` runs code only in Docker. A function with an invoker registered in
:data:`LAMBDA_INVOKERS` (see :mod:`petplatform_localcloud.event_sources`) is run by it instead:
the response is its JSON result, or Lambda's error payload (``errorType``, ``errorMessage``,
``trace``) with ``X-Amz-Function-Error: Unhandled``.
"""

from __future__ import annotations

import json
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from moto.awslambda.models import LambdaBackend, lambda_backends

from petplatform_localcloud.moto_extensions.patching import Patch, wrap
from petplatform_localcloud.moto_extensions.records import Json, Record

__all__ = [
    "EXTENSIONS",
    "LAMBDA_INVOKERS",
    "PATCHES",
    "LambdaFunctionAlias",
    "LambdaFunctionVersion",
    "LambdaPermission",
]

LAMBDA_INVOKERS: dict[str, Callable[[Json], object]] = {}
"""Function ARN (unqualified) -> callable taking an event and returning the function's result."""


class LambdaPermission(Record):
    """``AWS::Lambda::Permission`` with a physical id (its statement id) and a delete: moto's
    model has neither, so ``DescribeStackResources`` lists it without one and the statement
    outlives the stack."""

    function_name = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Permission"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaPermission:
        props = dict(cloudformation_json["Properties"])
        statement_id = f"{kwargs.get('LogicalId', 'Permission')}-{uuid.uuid4().hex[:12]}"
        props.setdefault("StatementId", statement_id)
        backend = lambda_backends[account_id][region_name]
        function = backend.get_function(props["FunctionName"])
        function.policy.add_statement(json.dumps(props))
        record = cls(props["StatementId"])
        record.function_name = function.function_name
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        backend = lambda_backends[account_id][region_name]
        try:
            function = backend.get_function(self.function_name)
        except Exception:  # the function went first: its policy went with it
            return
        statements = function.policy.statements
        statements[:] = [s for s in statements if s.get("Sid") != self.physical_resource_id]


class LambdaFunctionVersion(Record):
    """``AWS::Lambda::Version``: published in moto's backend; ``Ref`` is the version ARN."""

    attributes = ("Version", "FunctionArn")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Version"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaFunctionVersion:
        props = cloudformation_json["Properties"]
        backend = lambda_backends[account_id][region_name]
        function = backend.get_function(props["FunctionName"])
        published = backend.publish_version(function.function_name, props.get("Description", ""))
        version = str(published.version if published is not None else "1")
        arn = f"{str(function.function_arn).split(':$')[0]}:{version}"
        return cls(arn, {"Version": version, "FunctionArn": arn})


class LambdaFunctionAlias(Record):
    """``AWS::Lambda::Alias`` in moto's backend; ``Ref`` is the alias ARN."""

    attributes = ("AliasArn",)
    function_name = ""
    alias_name = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Alias"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaFunctionAlias:
        props = cloudformation_json["Properties"]
        backend = lambda_backends[account_id][region_name]
        function = backend.get_function(props["FunctionName"])
        alias = backend.create_alias(
            name=props["Name"],
            function_name=function.function_name,
            function_version=str(props.get("FunctionVersion", "$LATEST")),
            description=props.get("Description", ""),
            routing_config=props.get("RoutingConfig"),
        )
        record = cls(alias.arn, {"AliasArn": alias.arn})
        record.function_name, record.alias_name = function.function_name, props["Name"]
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        backend = lambda_backends[account_id][region_name]
        try:
            backend.delete_alias(self.alias_name, self.function_name)
        except Exception:
            return


def _local_invoke(original: Any) -> Any:
    def invoke(
        self: Any,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: Any,
    ) -> str | bytes | None:
        function = self.get_function(function_name, qualifier)
        local = LAMBDA_INVOKERS.get(str(function.function_arn).split(":$")[0])
        if local is None:
            answer: str | bytes | None = original(
                self, function_name, qualifier, body, headers, response_headers
            )
            return answer
        try:
            payload: object = local(json.loads(body) if body else {})
        except Exception as exc:  # the function failed: Lambda's error payload
            response_headers["x-amz-function-error"] = "Unhandled"
            payload = {
                "errorType": getattr(exc, "error_type", type(exc).__name__),
                "errorMessage": getattr(exc, "message", str(exc)),
                "trace": getattr(exc, "trace", None) or traceback.format_exception(exc),
            }
        data = json.dumps(payload).encode()
        response_headers["Content-Length"] = str(len(data))
        return data

    return invoke


PATCHES: tuple[Patch, ...] = (wrap(LambdaBackend, "invoke", _local_invoke),)

EXTENSIONS = (LambdaPermission, LambdaFunctionVersion, LambdaFunctionAlias)
