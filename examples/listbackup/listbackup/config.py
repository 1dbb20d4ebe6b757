"""Per-stage settings of ListBackup.ai that are not stage-profile decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import App, Environment

PRIMARY_REGION = "us-west-2"  # 002#5
DR_REGION = "us-east-1"  # 002#61; CloudFront's certificate and WAF live there too (conflict 14)
DOMAIN = "listbackup.ai"
DEFAULT_ACCOUNT = "123456789012"  # a placeholder: pass -c account=<id>
DEFAULT_ZONE_ID = "Z0000000LISTBACKUP"  # the existing listbackup.ai zone (002#1): -c hosted_zone_id


@dataclass(frozen=True)
class ListBackupConfig:
    """Where a stage deploys and who hears about it.

    Args:
        stage: dev, staging or prod.
        account: the AWS account of every stack of the stage.
        primary_region / dr_region: us-west-2 and us-east-1; swapped to fail over (002#64).
        hosted_zone_id: the existing public zone of ``listbackup.ai`` (imported, never created).
        alarm_emails / pagerduty_url / slack_workspace_id / slack_channel_id: where alarms go
            (002#72-75); Slack and PagerDuty in prod-like stages only.
        github_repository: ``owner/name`` of the repository whose workflows deploy (002#86).
        provisioned_concurrency: environments kept warm for the critical functions (002#12):
            prod only, because every one is billed while idle and new accounts have a small
            concurrency quota (conflict 50).
        function_concurrency: executions reserved for (and capping) each function in prod, so
            a runaway one cannot starve the others (6 x 25 of the default 1,000).
    """

    stage: str
    account: str = DEFAULT_ACCOUNT
    hosted_zone_id: str = DEFAULT_ZONE_ID
    alarm_emails: Sequence[str] = ("oncall@listbackup.ai",)
    pagerduty_url: str | None = None
    slack_workspace_id: str | None = None
    slack_channel_id: str | None = None
    github_repository: str = "listbackup/listbackup.ai"
    provisioned_concurrency: int | None = None
    function_concurrency: int | None = None
    primary_region: str = PRIMARY_REGION
    dr_region: str = DR_REGION

    @classmethod
    def for_stage(cls, stage: str, **overrides: object) -> ListBackupConfig:
        prod_like = stage in ("staging", "prod")
        values: dict[str, object] = {
            "stage": stage,
            "pagerduty_url": (
                "https://events.pagerduty.com/integration/LISTBACKUPKEY/enqueue"
                if prod_like
                else None
            ),
            "slack_workspace_id": "T0LISTBACK" if prod_like else None,
            "slack_channel_id": "C0ALERTS" if prod_like else None,
            "provisioned_concurrency": 2 if stage == "prod" else None,
            "function_concurrency": 25 if stage == "prod" else None,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def from_context(cls, app: App, stage: str) -> ListBackupConfig:
        """Read ``-c account=``, ``hosted_zone_id``, ``alarm_email``, ``github_repository``,
        ``primary_region``, ``dr_region``."""
        given: dict[str, object] = {}
        for key in ("account", "hosted_zone_id", "github_repository", "primary_region",
                    "dr_region"):  # fmt: skip
            if value := app.node.try_get_context(key):
                given[key] = str(value)
        if email := app.node.try_get_context("alarm_email"):
            given["alarm_emails"] = (str(email),)
        return cls.for_stage(stage, **given)

    @property
    def primary(self) -> Environment:
        return Environment(account=self.account, region=self.primary_region)

    @property
    def edge(self) -> Environment:
        """CloudFront's certificates and WAF are us-east-1 resources, whatever the primary."""
        return Environment(account=self.account, region=DR_REGION)

    @property
    def dr(self) -> Environment:
        return Environment(account=self.account, region=self.dr_region)

    @property
    def api_domain(self) -> str:
        """The public API name, CloudFront's alias (002#54, conflict 13)."""
        return f"api.{DOMAIN}" if self.stage == "prod" else f"{self.stage}.api.{DOMAIN}"

    @property
    def origin_domain(self) -> str:
        """The HTTP API's own regional custom domain, CloudFront's origin name (conflict 13)."""
        return f"origin-{self.api_domain}"

    @property
    def web_origin(self) -> str:
        return (
            "https://app.listbackup.ai"
            if self.stage == "prod"
            else f"https://{self.stage}.app.listbackup.ai"
        )

    def export(self, resource_attr: str) -> str:
        """``listbackup-{stage}-{Resource}{Attr}`` (002#83)."""
        return f"listbackup-{self.stage}-{resource_attr}"
