"""ServerlessApi's log groups hold audit data: retained and protected in prod-like stages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_kms as kms

from petplatform_constructs import ApiKind, FunctionSpec, RouteSpec, ServerlessApi, WafRules
from petplatform_constructs.testing import SynthResult, find_resources, resource_named

CODE = Path(__file__).parent / "fixtures" / "lambda_echo"


def _api(stack: Stack) -> None:
    ServerlessApi(
        stack,
        "Api",
        kind=ApiKind.REST,
        functions=[FunctionSpec("echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
    )


@pytest.mark.parametrize(("stage", "protected"), [("dev", False), ("prod", True)])
def test_every_log_group_is_protected_as_the_stage_says(
    stack_synth: Callable[..., SynthResult], stage: str, protected: bool
) -> None:
    result = stack_synth("api-log-groups", _api, stage=stage)
    groups = find_resources(result.template_json("Test"), "AWS::Logs::LogGroup")
    assert len(groups) == 3  # the function's, the access logs and the execution logs
    for group in groups.values():
        assert group["Properties"]["DeletionProtectionEnabled"] is protected
        assert group["DeletionPolicy"] == ("Retain" if protected else "Delete")
    assert [f for f in result.findings if f.plugin == "DataProtection"] == []


def _api_with_waf(stack: Stack) -> None:
    ServerlessApi(
        stack,
        "Api",
        kind=ApiKind.REST,
        functions=[FunctionSpec("echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
        waf=WafRules(),
    )


@pytest.mark.parametrize(("stage", "protected"), [("dev", False), ("prod", True)])
def test_the_waf_logs_every_request_to_a_protected_aws_waf_logs_group(
    stack_synth: Callable[..., SynthResult], stage: str, protected: bool
) -> None:
    result = stack_synth("api-waf-logs", _api_with_waf, stage=stage)
    template = result.template_json("Test")
    group_id, group = resource_named(template, "AWS::Logs::LogGroup", "Api/Waf/Logs")
    name = group["Properties"]["LogGroupName"]
    assert name.startswith("aws-waf-logs-")
    assert group["Properties"]["DeletionProtectionEnabled"] is protected
    assert group["Properties"]["RetentionInDays"] == (365 if protected else 7)
    assert group["DeletionPolicy"] == ("Retain" if protected else "Delete")
    (config,) = find_resources(template, "AWS::WAFv2::LoggingConfiguration").values()
    acl_id, _ = resource_named(template, "AWS::WAFv2::WebACL", "Api/Waf/WebAcl")
    props = config["Properties"]
    assert props["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    # The log group's ARN without the ":*" that WAF refuses.
    (destination,) = props["LogDestinationConfigs"]
    assert json.dumps(destination).endswith(f':logs:us-east-1:123456789012:log-group:{name}"]]}}')
    assert props["RedactedFields"] == [{"SingleHeader": {"Name": "authorization"}}]
    assert group_id in config["DependsOn"]
    assert [f for f in result.findings if f.plugin == "DataProtection"] == []


def test_the_waf_adds_the_core_and_known_bad_inputs_rule_groups_by_default(
    stack_synth: Callable[..., SynthResult],
) -> None:
    template = stack_synth("api-waf-logs", _api_with_waf).template_json("Test")
    _, acl = resource_named(template, "AWS::WAFv2::WebACL", "Api/Waf/WebAcl")
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    assert list(rules) == [
        "RateLimitPerIp",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ]
    for group in list(rules)[1:]:
        assert rules[group]["OverrideAction"] == {"None": {}}  # block on match, not count
        assert rules[group]["Statement"] == {
            "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}
        }


def test_a_waf_without_logging_or_managed_groups_creates_neither(
    stack_synth: Callable[..., SynthResult],
) -> None:
    def build(stack: Stack) -> None:
        ServerlessApi(
            stack,
            "Api",
            functions=[FunctionSpec("echo", CODE)],
            routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
            waf=WafRules(managed_rule_groups=(), logging=False),
        )

    template = stack_synth("api-waf-bare", build).template_json("Test")
    assert find_resources(template, "AWS::WAFv2::LoggingConfiguration") == {}
    assert len(find_resources(template, "AWS::Logs::LogGroup")) == 3
    _, acl = resource_named(template, "AWS::WAFv2::WebACL", "Api/Waf/WebAcl")
    assert [rule["Name"] for rule in acl["Properties"]["Rules"]] == ["RateLimitPerIp"]


# -- KMS encryption of the log groups -----------------------------------------------------------


def _log_key_statement(key: dict[str, Any]) -> dict[str, Any]:
    (statement,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Sid") == "AllowCloudWatchLogsOfThisAccountAndRegion"
    ]
    return statement


def test_prod_like_log_groups_share_one_rotated_retained_key_scoped_to_this_account(
    stack_synth: Callable[..., SynthResult],
) -> None:
    result = stack_synth("api-waf-logs", _api_with_waf, stage="prod")
    template = result.template_json("Test")
    key_id, key = resource_named(template, "AWS::KMS::Key", "Api/LogKey")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    groups = find_resources(template, "AWS::Logs::LogGroup")
    assert len(groups) == 4  # the function's, access, execution and WAF logs
    for group in groups.values():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    statement = _log_key_statement(key)
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert "kms:GenerateDataKey*" in statement["Action"]
    assert "kms:Decrypt*" in statement["Action"]
    condition = statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert json.dumps(condition).endswith(':logs:us-east-1:123456789012:log-group:*"]]}')
    assert result.findings == []  # AwsSolutions and data protection


def test_dev_log_groups_have_no_key_by_default(stack_synth: Callable[..., SynthResult]) -> None:
    template = stack_synth("api-waf-logs", _api_with_waf).template_json("Test")
    assert find_resources(template, "AWS::KMS::Key") == {}
    for group in find_resources(template, "AWS::Logs::LogGroup").values():
        assert "KmsKeyId" not in group["Properties"]


def test_a_given_key_encrypts_every_log_group_and_lets_logs_use_it(
    stack_synth: Callable[..., SynthResult],
) -> None:
    def build(stack: Stack) -> None:
        ServerlessApi(
            stack,
            "Api",
            functions=[FunctionSpec("echo", CODE)],
            routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
            waf=WafRules(),
            log_encryption_key=kms.Key(stack, "Shared", enable_key_rotation=True),
        )

    result = stack_synth("api-given-log-key", build)
    assert result.findings == []
    template = result.template_json("Test")
    (key_id,) = find_resources(template, "AWS::KMS::Key")  # no key of its own
    groups = find_resources(template, "AWS::Logs::LogGroup")
    assert len(groups) == 4
    for group in groups.values():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert _log_key_statement(template["Resources"][key_id])["Principal"] == {
        "Service": "logs.us-east-1.amazonaws.com"
    }


def test_an_http_api_encrypts_its_access_logs_in_prod(
    stack_synth: Callable[..., SynthResult],
) -> None:
    def build(stack: Stack) -> None:
        ServerlessApi(
            stack,
            "Api",
            kind=ApiKind.HTTP,
            functions=[FunctionSpec("echo", CODE)],
            routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
        )

    template = stack_synth("api-http-log-key", build, stage="prod").template_json("Test")
    key_id, _ = resource_named(template, "AWS::KMS::Key", "Api/LogKey")
    groups = find_resources(template, "AWS::Logs::LogGroup")
    assert len(groups) == 2  # the function's and the access logs
    for group in groups.values():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
