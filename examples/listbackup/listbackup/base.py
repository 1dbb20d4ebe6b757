"""What every ListBackup stack shares: its name, region, tags and named exports."""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, Stack
from constructs import Construct

from petplatform_constructs.platform.tagging import apply_standard_tags

from .config import ListBackupConfig


class ServiceStack(Stack):
    """``listbackup-{stage}-{service}`` (002#81-82), tagged with its service for cost reports."""

    def __init__(
        self,
        scope: Construct,
        service: str,
        config: ListBackupConfig,
        *,
        description: str,
        env: Environment | None = None,
        cross_region_references: bool = False,
    ) -> None:
        super().__init__(
            scope,
            f"listbackup-{config.stage}-{service}",
            env=env or config.primary,
            description=f"ListBackup.ai {description}",
            cross_region_references=cross_region_references,
        )
        apply_standard_tags(self, service=service)
        self.config = config

    def export(self, resource_attr: str, value: str, description: str = "") -> CfnOutput:
        """An output exported as ``listbackup-{stage}-{Resource}{Attr}`` (002#83, #87)."""
        return CfnOutput(
            self,
            resource_attr,
            value=value,
            export_name=self.config.export(resource_attr),
            description=description or None,
        )
