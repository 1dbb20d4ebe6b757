"""Log groups outside ServerlessApi are KMS-encrypted in prod-like stages too, with one shared,
account-scoped key per stack (issue 10, section 3: log groups in prod-like stages)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_kms as kms

from petplatform_constructs import (
    FifoPipeline,
    FunctionSpec,
    NagPack,
    PropError,
    RouteSpec,
    ServerlessApi,
    configure_platform,
)
from petplatform_constructs.platform.log_encryption import LOG_KEY_SID
from petplatform_constructs.testing import SynthResult, find_resources, make_app, resource_named

Synth = Callable[..., SynthResult]
CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
PACKS = (NagPack.AWS_SOLUTIONS, NagPack.HIPAA, NagPack.NIST_800_53_R5)


def _pipelines(stack: Stack) -> None:
    for name in ("orders", "emails"):
        FifoPipeline(stack, name.title(), consumer=FunctionSpec(name, CODE))


def _log_statements(key: dict[str, Any]) -> list[dict[str, Any]]:
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    return [s for s in statements if s.get("Sid") == LOG_KEY_SID]


@pytest.fixture(scope="module")
def prod(stack_synth: Synth) -> SynthResult:
    return stack_synth("log-key-pipelines", _pipelines, stage="prod", packs=PACKS)


def test_prod_consumer_log_groups_share_the_stacks_rotated_retained_key(
    prod: SynthResult,
) -> None:
    template = prod.template_json("Test")
    key_id, key = resource_named(template, "AWS::KMS::Key", "PetPlatformLogKey")
    assert len(find_resources(template, "AWS::KMS::Key")) == 1  # one per stack, not per pipeline
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    groups = find_resources(template, "AWS::Logs::LogGroup")
    assert len(groups) == 2
    for group in groups.values():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
        assert group["Properties"]["DeletionProtectionEnabled"] is True
        assert group["DeletionPolicy"] == "Retain"


def test_the_shared_key_serves_only_this_accounts_log_groups(prod: SynthResult) -> None:
    _, key = resource_named(prod.template_json("Test"), "AWS::KMS::Key", "PetPlatformLogKey")
    (statement,) = _log_statements(key)
    assert statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert statement["Resource"] == "*"
    condition = statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert json.dumps(condition).endswith(':logs:us-east-1:123456789012:log-group:*"]]}')


def test_hipaa_and_nist_find_no_unencrypted_log_group(prod: SynthResult) -> None:
    assert [f for f in prod.findings if "CloudWatchLogGroupEncrypted" in f.rule] == []
    assert [f for f in prod.findings if f.plugin in ("AwsSolutions", "DataProtection")] == []


def test_dev_consumer_log_groups_have_no_key(stack_synth: Synth) -> None:
    template = stack_synth("log-key-pipelines", _pipelines).template_json("Test")
    assert find_resources(template, "AWS::KMS::Key") == {}
    for group in find_resources(template, "AWS::Logs::LogGroup").values():
        assert "KmsKeyId" not in group["Properties"]


def test_a_key_given_to_several_constructs_gets_one_logs_statement(stack_synth: Synth) -> None:
    def build(stack: Stack) -> None:
        key = kms.Key(stack, "Shared", enable_key_rotation=True)
        FifoPipeline(stack, "Orders", consumer=FunctionSpec("orders", CODE), log_encryption_key=key)
        ServerlessApi(
            stack,
            "Api",
            functions=[FunctionSpec("echo", CODE)],
            routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
            log_encryption_key=key,
        )

    template = stack_synth("log-key-given", build, stage="prod").template_json("Test")
    (key_id,) = find_resources(template, "AWS::KMS::Key")  # neither creates a key of its own
    for group in find_resources(template, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert len(_log_statements(template["Resources"][key_id])) == 1


def test_a_log_key_without_a_consumer_is_refused() -> None:
    stack = Stack(make_app(), "Test")
    key = kms.Key(stack, "Key")
    with pytest.raises(PropError, match=r"log_encryption_key=.*only with a Lambda consumer"):
        FifoPipeline(stack, "Queue", log_encryption_key=key)


def test_an_imported_log_key_warns_once_with_the_statement_to_add() -> None:
    app = make_app()
    configure_platform(app, project="PetTest", stage="dev", compliance=None)
    stack = Stack(app, "Test")
    key = kms.Key.from_key_arn(stack, "Imported", "arn:aws:kms:us-east-1:123456789012:key/abc")
    pipeline = FifoPipeline(
        stack, "Orders", consumer=FunctionSpec("orders", CODE), log_encryption_key=key
    )
    FifoPipeline(stack, "Emails", consumer=FunctionSpec("emails", CODE), log_encryption_key=key)
    warnings = [
        str(entry.data)
        for node in stack.node.find_all()
        for entry in node.node.metadata
        if entry.type == "aws:cdk:warning"
    ]
    assert len(warnings) == 1  # once per key, not per construct
    assert "kms:EncryptionContext:aws:logs:arn" in warnings[0]
    assert "[ack: petplatform:imported-log-key]" in warnings[0]
    assert pipeline.log_encryption_key is key
