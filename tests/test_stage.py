"""Stage profiles: the defaults per stage, overrides, and how constructs find the profile."""

from __future__ import annotations

import pytest
from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs

from petplatform_constructs import PropError, Stage, StageProfile, use_stage_profile


@pytest.mark.parametrize(
    ("stage", "retain", "auto_delete", "pitr", "alarms", "tasks"),
    [
        ("dev", False, True, False, False, 1),
        ("test", False, False, False, True, 1),
        ("staging", True, False, True, True, 2),
        ("prod", True, False, True, True, 2),
    ],
)
@pytest.mark.checklist("000#18", "000#22", "000#54", "000#55", "000#56")
def test_defaults_per_stage(
    stage: str, retain: bool, auto_delete: bool, pitr: bool, alarms: bool, tasks: int
) -> None:
    profile = StageProfile.for_stage(stage)
    assert profile.stage is Stage(stage)
    assert profile.retain_data is retain
    assert profile.removal_policy == (RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY)
    assert profile.auto_delete_objects is auto_delete
    assert profile.point_in_time_recovery is pitr
    assert profile.bucket_versioning is pitr
    assert profile.deletion_protection is retain
    assert profile.alarms_enabled is alarms
    assert profile.min_task_count == tasks
    assert profile.multi_az is retain


def test_log_retention_grows_with_the_stage() -> None:
    assert StageProfile.for_stage("dev").log_retention == logs.RetentionDays.ONE_WEEK
    assert StageProfile.for_stage("prod").log_retention == logs.RetentionDays.ONE_YEAR


def test_overrides_replace_single_fields() -> None:
    profile = StageProfile.for_stage("staging", point_in_time_recovery=False, min_task_count=3)
    assert profile.point_in_time_recovery is False
    assert profile.min_task_count == 3
    assert profile.retain_data is True


def test_stage_parse_is_case_insensitive() -> None:
    assert Stage.parse(" PROD ") is Stage.PROD


def test_unknown_stage_names_the_allowed_values() -> None:
    with pytest.raises(PropError, match=r"stage='qa'.*dev, test, staging, prod"):
        Stage.parse("qa")


def test_unknown_override_is_rejected() -> None:
    with pytest.raises(PropError, match=r"invalid pitr=True; allowed fields: .*point_in_time"):
        StageProfile.for_stage("dev", pitr=True)


def test_auto_delete_of_retained_buckets_is_rejected() -> None:
    with pytest.raises(PropError, match=r"auto_delete_objects=True; cannot auto-delete"):
        StageProfile.for_stage("prod", auto_delete_objects=True)


def test_log_retention_must_be_a_cloudwatch_period() -> None:
    with pytest.raises(PropError, match=r"log_retention_days=10; CloudWatch Logs allows"):
        StageProfile.for_stage("dev", log_retention_days=10)


def test_min_task_count_must_be_positive() -> None:
    with pytest.raises(PropError, match=r"min_task_count=0; must be >= 1"):
        StageProfile.for_stage("dev", min_task_count=0)


def test_scope_default_is_inherited_and_explicit_wins() -> None:
    app = App()
    use_stage_profile(app, StageProfile.for_stage("prod", log_retention_days=30))
    stack = Stack(app, "S")
    assert StageProfile.of(stack).stage is Stage.PROD
    assert StageProfile.of(stack).log_retention_days == 30
    explicit = StageProfile.for_stage("dev")
    assert StageProfile.of(stack, explicit) is explicit


def test_a_stack_can_override_the_app_default() -> None:
    app = App()
    use_stage_profile(app, "dev")
    stack = Stack(app, "Prod")
    use_stage_profile(stack, "prod")
    assert StageProfile.of(stack).stage is Stage.PROD
    assert StageProfile.of(Stack(app, "Dev")).stage is Stage.DEV


def test_missing_profile_says_how_to_set_one() -> None:
    with pytest.raises(PropError, match=r"stage_profile=None; no stage profile in scope"):
        StageProfile.of(Stack(App(), "S"))
