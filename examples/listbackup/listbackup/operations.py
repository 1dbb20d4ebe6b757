"""The stacks the seed's diagrams add: DR (us-east-1), monitoring and CI/CD (002#61-79, #86)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from petplatform_constructs import (
    DeployRole,
    GithubOidc,
    GithubSubject,
    ObservabilityPack,
    SlackChannel,
    Watchable,
)
from petplatform_constructs.core.watch import AlarmRule, Panel, WatchPlan
from petplatform_constructs.observability.pack import ObservabilityPackProps

from .base import ServiceStack
from .config import ListBackupConfig

GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD


class DrStack(ServiceStack):
    """us-east-1: the data bucket's replica and the backup copies' vault (DrReplication fills
    it from the s3 service); the regional stacks can be synthesized for us-east-1 too for a
    cold standby (002#64)."""

    def __init__(self, scope: Construct, config: ListBackupConfig) -> None:
        super().__init__(scope, "dr", config, description="disaster recovery (us-east-1)",
                         env=config.dr)  # fmt: skip


class MonitoringStack(ServiceStack):
    """One dashboard and the alarms of every service, to SNS with email, Slack and PagerDuty."""

    def __init__(
        self,
        scope: Construct,
        config: ListBackupConfig,
        *,
        watch: Sequence[Watchable],
        sync_queue_depth: cloudwatch.IMetric,
    ) -> None:
        super().__init__(scope, "monitoring", config, description="monitoring")
        slack = (
            SlackChannel(config.slack_workspace_id, config.slack_channel_id,
                         f"listbackup-{config.stage}-alerts")
            if config.slack_workspace_id and config.slack_channel_id
            else None
        )  # fmt: skip
        props: ObservabilityPackProps = {
            "topic_name": f"listbackup-{config.stage}-alerts",  # 002#72
            "dashboard_name": f"listbackup-{config.stage}",  # 002#71
            "alarm_email_addresses": config.alarm_emails,  # 002#73
            "alarm_https_endpoints": [config.pagerduty_url] if config.pagerduty_url else [],
            "watch": watch,
        }
        if slack is not None:
            props["slack_channel"] = slack  # 002#74; PagerDuty above (002#75)
        self.pack = ObservabilityPack(self, "Pack", **props)
        self.export("AlertTopicArn", self.pack.alert_topic.topic_arn)
        # Scaling signals (002#79, conflict 18): Lambda scales on requests and queue depth, not
        # CPU, so DevOps hears about concurrency near the quota and a growing backlog.
        concurrency = cloudwatch.Metric(
            namespace="AWS/Lambda", metric_name="ConcurrentExecutions", statistic="Maximum",
            period=Duration.minutes(1),
        )  # fmt: skip
        jobs = cloudwatch.Metric(
            namespace=f"ListBackup/{config.stage}", metric_name="JobsCompleted",
            statistic="Sum", period=Duration.minutes(5),
        )  # fmt: skip
        self.pack.add_plan(
            self,
            WatchPlan(
                "Scaling",
                "Scaling and application metrics",
                [
                    Panel("Concurrent executions (account)", [concurrency], AlarmRule(
                        "ConcurrencyNearQuota", concurrency, 800, GT,
                        "Lambda runs over 80% of the account's 1,000 concurrent executions.",
                        "Check which functions scale (Throttles per function); raise the "
                        "quota or cap the noisy one with reserved concurrency.",
                    )),
                    Panel("Sync queue depth", [sync_queue_depth], AlarmRule(
                        "SyncBacklog", sync_queue_depth, 1000, GT,
                        "More than 1,000 sync jobs wait in the queue.",
                        "Check the sync processor's errors and throttles, and its maximum "
                        "concurrency on the event source mapping.",
                    )),
                    Panel("Jobs completed (application metric)", [jobs]),  # 002#69
                ],
            ),
        )  # fmt: skip


class CicdStack(ServiceStack):
    """GitHub Actions deploys the stage with a role it assumes through OIDC (002#86)."""

    def __init__(self, scope: Construct, config: ListBackupConfig) -> None:
        super().__init__(scope, "cicd", config, description="CI/CD (GitHub OIDC)")
        repository = config.github_repository
        # IAM allows one provider per URL per account: dev creates it, the others trust it.
        existing = None if config.stage == "dev" else GithubOidc.provider_arn_of(self)
        self.oidc = GithubOidc(
            self,
            "Github",
            existing_provider_arn=existing,
            roles=[
                DeployRole(
                    f"deploy-{config.stage}",
                    # prod deploys from the protected `prod` environment; the others from main
                    subjects=[
                        GithubSubject.environment(repository, config.stage)
                        if config.stage == "prod"
                        else GithubSubject.branch(repository, "main")
                    ],
                    regions=[config.primary_region, config.dr_region],
                )
            ],
        )
        role = self.oidc.roles[f"deploy-{config.stage}"]
        self.export("DeployRoleArn", role.role_arn)
