"""One call that configures a scope: stage profile, naming, tags and compliance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import App, Stack
from aws_cdk import Stage as CdkStage

from petplatform_constructs.platform.compliance import NagPack, enable_compliance
from petplatform_constructs.platform.naming import Naming, use_naming
from petplatform_constructs.platform.stage import Stage, StageProfile, use_stage_profile
from petplatform_constructs.platform.tagging import apply_standard_tags

__all__ = ["PlatformConfig", "configure_platform"]

_REFERENCE_STRENGTH = "@aws-cdk/core:defaultCrossStackReferences"


@dataclass(frozen=True)
class PlatformConfig:
    """What :func:`configure_platform` set on the scope."""

    project: str
    profile: StageProfile
    naming: Naming

    @property
    def stage(self) -> Stage:
        return self.profile.stage


def configure_platform(
    scope: App | CdkStage | Stack,
    *,
    project: str,
    stage: Stage | str | StageProfile,
    naming: Naming | None = None,
    compliance: Sequence[NagPack] | None = (NagPack.AWS_SOLUTIONS,),
    data_protection: bool | None = None,
) -> PlatformConfig:
    """Configure ``scope`` before adding children to it.

    Args:
        project: the ``Project`` tag, and the ``service`` of the default naming.
        stage: a stage name, :class:`Stage`, or a full :class:`StageProfile` with overrides.
        naming: default ``{service}-{stage}-{resource}`` with ``service`` = lowercased project.
        compliance: cdk-nag packs to run; ``None`` runs none. Default: AwsSolutions.
        data_protection: default on for prod-like stages (see :func:`enable_compliance`).
    """
    if scope.node.try_get_context(_REFERENCE_STRENGTH) is None:
        # Strong references keep an export alive while another stack imports it: nothing that
        # a stack depends on can be deleted from under it. Stated explicitly, so the CDK does
        # not warn about an implicit default.
        scope.node.set_context(_REFERENCE_STRENGTH, "strong")
    profile = use_stage_profile(
        scope, stage if isinstance(stage, StageProfile) else Stage.parse(stage)
    )
    resolved_naming = use_naming(
        scope, naming or Naming.service_stage_resource(project.lower(), profile.stage)
    )
    apply_standard_tags(scope, project=project, environment=profile.stage.value)
    enable_compliance(scope, packs=compliance or (), data_protection=data_protection)
    return PlatformConfig(project=project, profile=profile, naming=resolved_naming)
