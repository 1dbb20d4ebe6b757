"""ServerlessApi's log groups hold audit data: retained and protected in prod-like stages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from aws_cdk import Stack

from petplatform_constructs import ApiKind, FunctionSpec, RouteSpec, ServerlessApi
from petplatform_constructs.testing import SynthResult, find_resources

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
