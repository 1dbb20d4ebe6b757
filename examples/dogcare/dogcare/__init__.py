"""Dog Care App MVP (seed 001): one stack per stage; prod in its own account."""

from __future__ import annotations

from aws_cdk import App, Stack

from petplatform_constructs import Naming, ResourceKind, configure_platform

from .config import DogCareConfig
from .stack import DogCareStack

__all__ = ["STAGES", "DogCareConfig", "DogCareStack", "build"]

STAGES = ("dev", "staging", "prod")


def build(app: App, stage: str, config: DogCareConfig | None = None) -> list[Stack]:
    """``DogCareStack-{stage}`` with names ``dogcare-{stage}-{resource}``."""
    naming = Naming.service_stage_resource(
        "dogcare", stage, per_kind={ResourceKind.SECRET: "{service}/{stage}/{resource}"}
    )
    configure_platform(app, project="DogCare", stage=stage, naming=naming)
    cfg = config or DogCareConfig.for_stage(stage)
    return [DogCareStack(app, f"DogCareStack-{stage}", config=cfg)]
