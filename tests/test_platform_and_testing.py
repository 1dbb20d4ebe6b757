"""configure_platform, tags, and the testing helpers shipped to downstream teams."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_sqs as sqs

from petplatform_constructs import Naming, ResourceKind, StageProfile, configure_platform
from petplatform_constructs.platform.tagging import apply_standard_tags
from petplatform_constructs.testing import (
    SynthResult,
    find_resources,
    make_app,
    normalize_asset_hashes,
    resource_named,
    synth,
)


def _queues(stack: Stack) -> None:
    apply_standard_tags(stack, service="messaging")
    naming = Naming.of(stack)
    keep = RemovalPolicy.RETAIN  # queues hold data: the data-protection check wants them kept
    dlq = sqs.Queue(
        stack,
        "Dead",
        queue_name=naming.name("dead", ResourceKind.SQS_QUEUE),
        enforce_ssl=True,
        removal_policy=keep,
    )
    sqs.Queue(
        stack,
        "Work",
        queue_name=naming.name("work", ResourceKind.SQS_QUEUE),
        enforce_ssl=True,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=3),
        removal_policy=keep,
    )
    sqs.Queue(stack, "Lone", enforce_ssl=True, removal_policy=keep)  # no DLQ: one nag finding


@pytest.fixture(scope="module")
def queues(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("queues", _queues, stage="staging", project="PetShop")


@pytest.mark.checklist("000#3")
def test_project_environment_and_service_tags(queues: SynthResult) -> None:
    work = resource_named(queues.template_json("Test"), "AWS::SQS::Queue", "Work")[1]
    tags = {t["Key"]: t["Value"] for t in work["Properties"]["Tags"]}
    assert tags == {"Project": "PetShop", "Environment": "staging", "Service": "messaging"}


def test_default_naming_is_service_stage_resource(queues: SynthResult) -> None:
    names = {
        r["Properties"].get("QueueName")
        for r in find_resources(queues.template_json("Test"), "AWS::SQS::Queue").values()
    }
    assert names == {"petshop-staging-work", "petshop-staging-dead", None}


def test_resource_named_matches_physical_names_and_construct_ids(queues: SynthResult) -> None:
    template = queues.template_json("Test")
    by_id = resource_named(template, "AWS::SQS::Queue", "Dead")
    by_name = resource_named(template, "AWS::SQS::Queue", "petshop-staging-dead")
    assert by_id == by_name
    assert by_id[0].startswith("Dead")


def test_resource_named_lists_candidates_when_missing(queues: SynthResult) -> None:
    with pytest.raises(LookupError, match=r"found 0; names present: .*petshop-staging-work"):
        resource_named(queues.template_json("Test"), "AWS::SQS::Queue", "missing")


def test_templates_are_reachable_by_stack_name_and_unknown_stacks_fail(
    queues: SynthResult,
) -> None:
    assert queues.template("Test") is queues.template("Test")  # built once, shared
    assert queues.resource_count("Test") == len(queues.template_json("Test")["Resources"])
    with pytest.raises(KeyError, match=r"no stack 'Nope'; stacks: \['Test'\]"):
        queues.template("Nope")


def test_findings_are_data(queues: SynthResult) -> None:
    assert queues.findings_for("Test") == queues.findings
    assert [(f.rule, f.path) for f in queues.findings] == [
        ("AwsSolutions-SQS3", "Test/Lone/Resource")
    ]
    assert str(queues.findings[0]).startswith("[error] AwsSolutions-SQS3 at Test/Lone/Resource: ")


def test_normalize_asset_hashes() -> None:
    digest = "a" * 64
    template = {"Code": {"S3Key": f"{digest}.zip"}, "List": [digest], digest: 1, "n": 2}
    assert normalize_asset_hashes(template) == {
        "Code": {"S3Key": "<asset-hash>.zip"},
        "List": ["<asset-hash>"],
        "<asset-hash>": 1,
        "n": 2,
    }


def test_configure_platform_accepts_a_full_profile() -> None:
    app = make_app()
    profile = StageProfile.for_stage("prod", alarms_enabled=False)
    config = configure_platform(app, project="P", stage=profile, compliance=None)
    assert config.profile is profile
    assert config.stage.value == "prod"
    assert StageProfile.of(Stack(app, "S")).alarms_enabled is False


def test_strict_builtin_validation_runs_and_passes_on_a_clean_stack() -> None:
    """The CloudFormation validation (~3 s) runs strictly: warnings would fail synthesis."""
    app = make_app(strict=True)
    configure_platform(app, project="P", stage="dev", compliance=None)
    stack = Stack(app, "Clean")
    sqs.Queue(stack, "Q", enforce_ssl=True)
    result = synth(app)
    assert result.error is None
    assert result.findings == []
    assert (result.outdir / "validation-report.json").exists()


def test_strict_builtin_validation_catches_a_bad_template() -> None:
    """The negative control: strict mode really validates (an unknown property fails)."""
    app = make_app(strict=True)
    stack = Stack(app, "Broken")
    queue = sqs.CfnQueue(stack, "Q")
    queue.add_property_override("NoSuchProperty", True)
    result = synth(app)
    assert result.error is not None
    assert [f.plugin for f in result.findings] == ["CloudFormation Validate"]
