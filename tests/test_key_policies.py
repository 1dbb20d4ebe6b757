"""Every KMS key the library makes lets a service principal use it only for this account
(issue 10, section 3: KMS keys), per key policy."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack

from petplatform_constructs import (
    BudgetSpec,
    FifoPipeline,
    FunctionSpec,
    ObservabilityPack,
    RouteSpec,
    ServerlessApi,
)
from petplatform_constructs.testing import SynthResult, find_resources, resource_named

Synth = Callable[..., SynthResult]
CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
ACCOUNT = "123456789012"
# Condition keys that tie a service principal's request to one account (when their value names
# it; kms:ViaService alone names a service, not an account).
ACCOUNT_SCOPING = ("aws:SourceAccount", "aws:SourceArn", "kms:EncryptionContext:")


def _every_key(stack: Stack) -> None:
    api = ServerlessApi(
        stack,
        "Api",
        functions=[FunctionSpec("echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
    )
    pipeline = FifoPipeline(stack, "Orders", consumer=FunctionSpec("orders", CODE))
    ObservabilityPack(
        stack,
        "Monitoring",
        watch=[api, pipeline],
        budgets=[BudgetSpec("platform", 100)],
        alarm_email_addresses=["oncall@example.com"],
    )


@pytest.fixture(scope="module")
def template(stack_synth: Synth) -> dict[str, Any]:
    return stack_synth("key-policies", _every_key, stage="prod").template_json("Test")


def _service_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for key_id, key in find_resources(template, "AWS::KMS::Key").items():
        for statement in key["Properties"]["KeyPolicy"]["Statement"]:
            if "Service" in statement.get("Principal", {}):
                yield key_id, statement


def _statement(template: dict[str, Any], path: str, sid: str) -> dict[str, Any]:
    _, key = resource_named(template, "AWS::KMS::Key", path)
    (statement,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s.get("Sid") == sid]
    return statement


def test_the_library_makes_three_kinds_of_key_here(template: dict[str, Any]) -> None:
    keys = find_resources(template, "AWS::KMS::Key")
    assert len(keys) == 3  # the API's LogKey, the stack's PetPlatformLogKey, the AlertTopicKey
    assert len(list(_service_statements(template))) == 4  # logs twice, CloudWatch, Budgets


def test_every_service_principal_on_a_library_key_is_scoped_to_this_account(
    template: dict[str, Any],
) -> None:
    for key_id, statement in _service_statements(template):
        scoping = {
            name: value
            for operator in statement.get("Condition", {}).values()
            for name, value in operator.items()
            if name.startswith(ACCOUNT_SCOPING)
        }
        assert any(ACCOUNT in json.dumps(value) for value in scoping.values()), (key_id, statement)


def test_cloudwatch_uses_the_alert_key_only_for_this_accounts_alarms_and_topics(
    template: dict[str, Any],
) -> None:
    statement = _statement(template, "Monitoring/AlertTopicKey", "AllowCloudWatchAlarmsToUseTheKey")
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    condition = statement["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    arns = json.dumps(condition["ArnLike"])
    assert set(condition["ArnLike"]) == {
        "aws:SourceArn",
        "kms:EncryptionContext:aws:sns:topicArn",
    }
    assert f':cloudwatch:us-east-1:{ACCOUNT}:alarm:*"' in arns
    assert f':sns:us-east-1:{ACCOUNT}:*"' in arns
    # The SNS guide documents no kms:ViaService for service principals: absent, it would deny.
    assert "kms:ViaService" not in json.dumps(condition)


def test_budgets_uses_the_alert_key_only_for_this_accounts_budgets_and_topics(
    template: dict[str, Any],
) -> None:
    statement = _statement(template, "Monitoring/AlertTopicKey", "AllowBudgetsToUseTheKey")
    assert statement["Principal"] == {"Service": "budgets.amazonaws.com"}
    condition = statement["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    arns = json.dumps(condition["ArnLike"])
    assert f':budgets::{ACCOUNT}:*"' in arns
    assert f':sns:us-east-1:{ACCOUNT}:*"' in arns


@pytest.mark.parametrize("path", ["Api/LogKey", "PetPlatformLogKey"])
def test_logs_uses_a_log_key_only_for_this_accounts_log_groups(
    template: dict[str, Any], path: str
) -> None:
    statement = _statement(template, path, "AllowCloudWatchLogsOfThisAccountAndRegion")
    assert statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    condition = statement["Condition"]
    assert list(condition) == ["ArnLike"]
    context = json.dumps(condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
    assert context.endswith(f':logs:us-east-1:{ACCOUNT}:log-group:*"]]}}')
