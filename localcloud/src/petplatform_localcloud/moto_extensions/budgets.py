"""``AWS::Budgets::Budget``: no model in moto 5.2. The budget and its notifications."""

from __future__ import annotations

from typing import Any

from moto.budgets.models import budgets_backends

from petplatform_localcloud.moto_extensions.records import Json, Record

__all__ = ["EXTENSIONS", "Budget"]


def _budget_backend(account_id: str) -> Any:
    return budgets_backends[account_id]["aws"]


class Budget(Record):
    """``AWS::Budgets::Budget`` with its notifications (``Ref`` is the budget name)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Budgets::Budget"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Budget:
        props = cloudformation_json["Properties"]
        budget = dict(props["Budget"])
        budget.setdefault("BudgetName", resource_name)
        if "BudgetLimit" in budget:
            limit = budget["BudgetLimit"]
            budget["BudgetLimit"] = {"Amount": str(limit["Amount"]), "Unit": limit["Unit"]}
        _budget_backend(account_id).create_budget(
            account_id=account_id,
            budget=budget,
            notifications=list(props.get("NotificationsWithSubscribers", [])),
        )
        return cls(budget["BudgetName"])

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = _budget_backend(account_id)
        if resource_name in backend.budgets[account_id]:
            backend.delete_budget(account_id=account_id, budget_name=resource_name)


EXTENSIONS = (Budget,)
