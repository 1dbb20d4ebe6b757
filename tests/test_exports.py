"""Export prefixes are validated once, for every construct that exports."""

from __future__ import annotations

import pytest
from aws_cdk import App, Aws, Stack

from petplatform_constructs import PropError
from petplatform_constructs.core.exports import add_exports, check_export_prefix


@pytest.mark.parametrize("prefix", ["Pet_Test", "pets prod", "", "x" * 201])
def test_invalid_export_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(PropError, match=r"Owner: invalid export_prefix=.*letters, digits, ':'"):
        check_export_prefix("Owner", prefix)


@pytest.mark.parametrize("prefix", [None, "HomeForPup-Cognito-prod", "a:b-c"])
def test_valid_export_prefixes_pass(prefix: str | None) -> None:
    check_export_prefix("Owner", prefix)


def test_unresolved_prefixes_are_left_to_cloudformation() -> None:
    check_export_prefix("Owner", Aws.STACK_NAME)  # a token: known only at deploy time


def test_add_exports_names_outputs_and_exports() -> None:
    stack = Stack(App(), "S")
    outputs = add_exports(stack, "Pets", {"TableArn": "arn:aws:x"})
    assert outputs["TableArn"].node.id == "TableArnOutput"
    resolved = stack.resolve(outputs["TableArn"].export_name)
    assert resolved == "Pets-TableArn"
