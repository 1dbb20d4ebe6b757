"""Cost-allocation tags: Project, Environment and Service on every taggable resource."""

from __future__ import annotations

from aws_cdk import Tags
from constructs import IConstruct

__all__ = ["TAG_ENVIRONMENT", "TAG_PROJECT", "TAG_SERVICE", "apply_standard_tags"]

TAG_PROJECT = "Project"
TAG_ENVIRONMENT = "Environment"
TAG_SERVICE = "Service"


def apply_standard_tags(
    scope: IConstruct,
    *,
    project: str | None = None,
    environment: str | None = None,
    service: str | None = None,
) -> None:
    """Tag every taggable resource below ``scope``; ``None`` leaves a tag untouched."""
    for key, value in (
        (TAG_PROJECT, project),
        (TAG_ENVIRONMENT, environment),
        (TAG_SERVICE, service),
    ):
        if value:
            Tags.of(scope).add(key, value)
