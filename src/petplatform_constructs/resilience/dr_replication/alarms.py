"""What DrReplication alarms on: replication failures and latency, failed backup and copy jobs."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from petplatform_constructs.core.watch import AlarmRule, Panel

__all__ = ["dr_panels"]


def dr_panels(
    sources: Sequence[str],
    replicas: Sequence[str],
    vault_name: str | None,
    *,
    metrics: bool = True,
    rtc: bool = False,
) -> list[Panel]:
    """One failure and one latency panel per replicated bucket (S3 publishes both only with
    replication ``metrics``), and failed-job panels for the vault (``None``: no backup).

    Failed operations always alarm; latency alarms only with ``rtc``, whose 15 minutes are a
    target S3 commits to (without RTC, replication has no time objective to alarm on)."""
    panels: list[Panel] = []
    pairs = zip(sources, replicas, strict=True) if metrics else iter(())
    for index, (source, name) in enumerate(pairs):
        dims = {"SourceBucket": source, "DestinationBucket": name, "RuleId": "DrReplication"}
        failed = cloudwatch.Metric(
            namespace="AWS/S3",
            metric_name="OperationsFailedReplication",
            dimensions_map=dims,
            statistic="Sum",
            period=Duration.minutes(5),
        )
        latency = cloudwatch.Metric(
            namespace="AWS/S3",
            metric_name="ReplicationLatency",
            dimensions_map=dims,
            statistic="Maximum",
            period=Duration.minutes(5),
        )
        panels.append(
            Panel(
                f"Replication failures, bucket {index}",
                [failed],
                AlarmRule(
                    f"ReplicationFailed{index}",
                    failed,
                    0,
                    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    "Objects failed to replicate to the DR region.",
                    "Check the replication role's policy and the replica bucket; S3 Batch "
                    "Replication re-sends failed objects.",
                ),
            )
        )
        panels.append(
            Panel(
                f"Replication latency, bucket {index}",
                [latency],
                AlarmRule(
                    f"ReplicationLatency{index}",
                    latency,
                    900,
                    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    "Replication to the DR region lags more than the 15 minutes of RTC.",
                    "Check the S3 service health of both regions and the replication "
                    "backlog (BytesPendingReplication).",
                )
                if rtc
                else None,
            )
        )
    if vault_name is not None:
        for metric_name, label in (
            ("NumberOfBackupJobsFailed", "backup"),
            ("NumberOfCopyJobsFailed", "copy"),
        ):
            metric = cloudwatch.Metric(
                namespace="AWS/Backup",
                metric_name=metric_name,
                dimensions_map={"BackupVaultName": vault_name},
                statistic="Sum",
                period=Duration.hours(1),
            )
            panels.append(
                Panel(
                    f"Failed {label} jobs",
                    [metric],
                    AlarmRule(
                        f"Failed{label.title()}Jobs",
                        metric,
                        0,
                        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        f"An AWS Backup {label} job of the DR plan failed.",
                        "Open AWS Backup > Jobs, read the failure reason, and run the job "
                        "again on demand; the RPO is at risk until a job succeeds.",
                    ),
                )
            )
    return panels
