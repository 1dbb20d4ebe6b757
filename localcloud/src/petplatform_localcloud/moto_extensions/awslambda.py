"""``AWS::Lambda::Permission`` with a physical id and a delete.

moto's model has no physical id (``DescribeStackResources`` lists it without one) and no delete.
The statement id is the physical id, and the statement is removed with the resource.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.awslambda.models import lambda_backends

from petplatform_localcloud.moto_extensions.records import Json, Record

__all__ = ["EXTENSIONS", "LambdaPermission"]


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


EXTENSIONS = (LambdaPermission,)
