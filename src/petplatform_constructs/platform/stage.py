"""Stages and stage profiles: the one switch that decides retention, backups and protection.

A :class:`StageProfile` is attached once to a scope (an ``App``, ``Stage`` or ``Stack``) with
:func:`use_stage_profile`; every construct below it reads it with :meth:`StageProfile.of`, so
nobody passes ``stage`` to forty constructs by hand. Constructs also take an explicit
``stage_profile`` prop that wins over the scope default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import IConstruct

from petplatform_constructs.core.errors import PropError
from petplatform_constructs.platform.context import scope_default

__all__ = ["Stage", "StageProfile", "use_stage_profile"]

_CONTEXT_KEY = "petplatform:stage-profile"


class Stage(str, Enum):
    """Deployment stages used by the reference architectures (all four exist)."""

    DEV = "dev"
    TEST = "test"
    STAGING = "staging"
    PROD = "prod"

    @classmethod
    def parse(cls, value: str | Stage) -> Stage:
        """Return the stage named by ``value``, failing with the allowed names."""
        if isinstance(value, Stage):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise PropError("Stage", "stage", value, f"allowed: {allowed}") from None

    def __str__(self) -> str:
        return self.value


_PROD_LIKE = frozenset({Stage.STAGING, Stage.PROD})
_RETENTION_BY_STAGE = {Stage.DEV: 7, Stage.TEST: 7, Stage.STAGING: 30, Stage.PROD: 365}
# CloudWatch Logs accepts only these retention periods (days).
_RETENTION_DAYS = {
    1: logs.RetentionDays.ONE_DAY, 3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS, 7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS, 30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS, 90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS, 150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS, 365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS, 545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS, 1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS, 2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS, 2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS, 3653: logs.RetentionDays.TEN_YEARS,
}  # fmt: skip


@dataclass(frozen=True)
class StageProfile:
    """What a stage means for every construct. Build one with :meth:`for_stage`.

    Defaults: staging and prod are *prod-like* (RETAIN, PITR, versioning, deletion protection,
    alarms, two tasks across AZs); dev and test are disposable (DESTROY), and only dev
    auto-deletes bucket objects. Any field can be overridden.
    """

    stage: Stage
    prod_like: bool
    retain_data: bool
    auto_delete_objects: bool
    point_in_time_recovery: bool
    bucket_versioning: bool
    deletion_protection: bool
    log_retention_days: int
    alarms_enabled: bool
    min_task_count: int
    multi_az: bool

    @classmethod
    def for_stage(cls, stage: Stage | str, **overrides: bool | int) -> StageProfile:
        """The default profile of ``stage``, with ``overrides`` applied field by field."""
        parsed = Stage.parse(stage)
        prod_like = parsed in _PROD_LIKE
        profile = cls(
            stage=parsed,
            prod_like=prod_like,
            retain_data=prod_like,
            auto_delete_objects=parsed is Stage.DEV,
            point_in_time_recovery=prod_like,
            bucket_versioning=prod_like,
            deletion_protection=prod_like,
            log_retention_days=_RETENTION_BY_STAGE[parsed],
            alarms_enabled=parsed is not Stage.DEV,
            min_task_count=2 if prod_like else 1,
            multi_az=prod_like,
        )
        return profile.with_overrides(**overrides)

    def with_overrides(self, **overrides: bool | int) -> StageProfile:
        """A copy with the named fields replaced; unknown names fail with the allowed list."""
        known = {f.name for f in dataclasses.fields(self)} - {"stage"}
        for key, value in overrides.items():
            if key not in known:
                raise PropError("StageProfile", key, value, f"allowed fields: {sorted(known)}")
        profile = dataclasses.replace(self, **overrides)  # type: ignore[arg-type]
        if profile.auto_delete_objects and profile.retain_data:
            raise PropError(
                "StageProfile",
                "auto_delete_objects",
                True,
                "cannot auto-delete objects of retained buckets; set retain_data=False first",
            )
        if profile.log_retention_days not in _RETENTION_DAYS:
            raise PropError(
                "StageProfile",
                "log_retention_days",
                profile.log_retention_days,
                f"CloudWatch Logs allows {sorted(_RETENTION_DAYS)}",
            )
        if profile.min_task_count < 1:
            raise PropError(
                "StageProfile", "min_task_count", profile.min_task_count, "must be >= 1"
            )
        return profile

    @property
    def removal_policy(self) -> RemovalPolicy:
        """RETAIN for stateful resources of prod-like stages, DESTROY otherwise."""
        return RemovalPolicy.RETAIN if self.retain_data else RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> logs.RetentionDays:
        """Log retention as the CDK enum."""
        return _RETENTION_DAYS[self.log_retention_days]

    def to_context(self) -> dict[str, str | bool | int]:
        """A JSON-safe form, stored in construct context."""
        data: dict[str, str | bool | int] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            data[field.name] = value.value if isinstance(value, Stage) else value
        return data

    @classmethod
    def from_context(cls, data: Mapping[str, str | bool | int]) -> StageProfile:
        """Inverse of :meth:`to_context`."""
        values = dict(data)
        stage = Stage.parse(str(values.pop("stage")))
        return cls(stage=stage, **values)  # type: ignore[arg-type]

    @classmethod
    def of(cls, scope: IConstruct, explicit: StageProfile | None = None) -> StageProfile:
        """The profile in force at ``scope``: ``explicit`` if given, else the scope default."""
        if explicit is not None:
            return explicit
        data = scope_default(
            scope,
            _CONTEXT_KEY,
            "stage_profile",
            "no stage profile in scope: call use_stage_profile(app_or_stack, "
            "StageProfile.for_stage('dev')) or pass stage_profile= to the construct",
        )
        return cls.from_context(data)


def use_stage_profile(scope: IConstruct, profile: StageProfile | Stage | str) -> StageProfile:
    """Make ``profile`` the default for every construct created below ``scope``.

    Call it before adding children to ``scope`` (a CDK rule for context).
    """
    resolved = profile if isinstance(profile, StageProfile) else StageProfile.for_stage(profile)
    scope.node.set_context(_CONTEXT_KEY, resolved.to_context())
    return resolved
