"""DrReplication's AWS Backup: a vault per region, the daily plan with its DR copy, selections,
the backup role, and the rule that matches failed jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import jsii
from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.resilience.dr_replication.props import DrReplicationProps
from petplatform_constructs.resilience.dr_replication.validation import DEFAULT_SCHEDULE, DrPlan

__all__ = [
    "BACKUP_PLAN_CONSTRUCT_ID",
    "BACKUP_VAULT_CONSTRUCT_ID",
    "DR_VAULT_CONSTRUCT_ID",
    "BackupParts",
    "build_backup",
]

BACKUP_VAULT_CONSTRUCT_ID = "BackupVault"
"""Construct id of the primary vault (and ``BackupVaultKey`` of its key). Public contract."""
DR_VAULT_CONSTRUCT_ID = "DrBackupVault"
"""Construct id of the DR vault in the DR stack (and ``DrBackupVaultKey``). Public contract."""
BACKUP_PLAN_CONSTRUCT_ID = "BackupPlan"
"""Construct id of the backup plan. Public contract."""

_BACKUP_MANAGED_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
)
_S3_BACKUP_MANAGED_POLICIES = (
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)


@dataclass(frozen=True)
class BackupParts:
    """What :func:`build_backup` creates."""

    vault: backup.BackupVault
    dr_vault: backup.BackupVault
    plan: backup.BackupPlan
    role: iam.Role
    failures: events.Rule


def _vault(
    scope: Construct, id: str, name: str, plan: DrPlan, region: str, removal: RemovalPolicy
) -> backup.BackupVault:
    key = kms.Key(
        scope,
        f"{id}Key",
        enable_key_rotation=True,
        description=f"AWS Backup vault {name} ({region})",
        removal_policy=removal,
    )
    return backup.BackupVault(
        scope,
        id,
        backup_vault_name=name,
        encryption_key=key,
        removal_policy=removal,
        lock_configuration=backup.LockConfiguration(min_retention=Duration.days(plan.lock_days))
        if plan.lock_days is not None
        else None,
    )


def _allow_key(key: kms.IKey, principal: iam.ServicePrincipal, stack: Stack) -> bool:
    """EventBridge may use the topic's key for this account's rules and this region's topics,
    with the conditions the SNS guide documents for services publishing to encrypted topics
    (not ``kms:ViaService``: absent from a service principal's request, it would deny).
    Patterns, not this rule and topic: the topic depends on its key."""
    return key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[principal],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(service="events", resource="rule/*"),
                    "kms:EncryptionContext:aws:sns:topicArn": stack.format_arn(
                        service="sns", resource="*", arn_format=ArnFormat.NO_RESOURCE_NAME
                    ),
                },
            },
        )
    ).statement_added


@jsii.implements(events.IRuleTarget)
class _TopicTarget:
    """The failed-job rule publishing to the topic, and nothing else: unlike
    ``targets.SnsTopic``, the topic accepts EventBridge only from this rule, and the key serves
    EventBridge only for this account's rules and this region's topics."""

    def __init__(self, topic: sns.ITopic) -> None:
        self.topic = topic

    def bind(self, rule: events.IRule, id: str | None = None) -> events.RuleTargetConfig:
        stack, principal = Stack.of(rule), iam.ServicePrincipal("events.amazonaws.com")
        account = {"aws:SourceAccount": stack.account}
        published = self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": account, "ArnEquals": {"aws:SourceArn": rule.rule_arn}},
            )
        )
        key = getattr(self.topic, "master_key", None)
        keyed = key is None or _allow_key(cast(kms.IKey, key), principal, stack)
        if not (published.statement_added and keyed):
            Annotations.of(rule).add_warning_v2(
                "petplatform:dr-imported-topic",
                "job_failure_topic (or its key) is imported, so its policy cannot be changed "
                "here: allow events.amazonaws.com sns:Publish (aws:SourceArn = this rule) and, "
                "for an encrypted topic, kms:Decrypt and kms:GenerateDataKey, or failed-job "
                "events are dropped.",
            )
        return events.RuleTargetConfig(arn=self.topic.topic_arn)


def build_backup(
    owner: Construct,
    dr_scope: Construct,
    plan: DrPlan,
    props: DrReplicationProps,
    *,
    vault_name: str,
    dr_vault_name: str,
    removal_policy: RemovalPolicy,
) -> BackupParts:
    """The vaults (``owner``'s in the primary region, ``dr_scope``'s in the DR region), the plan,
    its selections and the failed-job rule."""
    vault = _vault(
        owner, BACKUP_VAULT_CONSTRUCT_ID, vault_name, plan, plan.primary_region, removal_policy
    )
    dr_vault = _vault(
        dr_scope, DR_VAULT_CONSTRUCT_ID, dr_vault_name, plan, plan.dr_region, removal_policy
    )
    # By name, not by reference: the DR stack is in another region.
    dr_vault_ref = backup.BackupVault.from_backup_vault_arn(
        owner,
        "DrVaultRef",
        Stack.of(owner).format_arn(
            service="backup",
            region=plan.dr_region,
            resource="backup-vault",
            resource_name=dr_vault_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        ),
    )
    backup_plan = backup.BackupPlan(
        owner,
        BACKUP_PLAN_CONSTRUCT_ID,
        backup_vault=vault,
        backup_plan_rules=[
            backup.BackupPlanRule(
                rule_name="DailyWithDrCopy",
                schedule_expression=events.Schedule.expression(
                    props.get("backup_schedule") or DEFAULT_SCHEDULE
                ),
                delete_after=Duration.days(plan.retention_days),
                enable_continuous_backup=props.get("continuous_backup", True),
                start_window=Duration.hours(1),
                completion_window=Duration.hours(8),
                copy_actions=[
                    backup.BackupPlanCopyActionProps(
                        destination_backup_vault=dr_vault_ref,
                        delete_after=Duration.days(plan.copy_retention_days),
                    )
                ],
            )
        ],
    )
    managed = _BACKUP_MANAGED_POLICIES + (
        _S3_BACKUP_MANAGED_POLICIES if plan.buckets or props.get("selection_tags") else ()
    )
    role = iam.Role(
        owner,
        "BackupRole",
        assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
        description="AWS Backup: back up and restore the DR-protected resources",
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(n) for n in managed],
    )
    for name in managed:
        acknowledge(
            role,
            f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]",
            "AWS Backup's service-role policies are what AWS documents for a backup role: "
            "they follow each resource type's backup and restore actions as AWS Backup "
            "changes them, which a hand-written copy would not.",
        )
    resources = [backup.BackupResource.from_dynamo_db_table(t) for t in plan.tables] + [
        backup.BackupResource.from_arn(b.bucket_arn) for b in plan.buckets
    ]
    if resources:
        backup_plan.add_selection("Resources", resources=resources, role=role, allow_restores=False)
    tags = props.get("selection_tags") or {}
    if tags:
        backup_plan.add_selection(
            "Tagged",
            resources=[backup.BackupResource.from_tag(k, v) for k, v in sorted(tags.items())],
            role=role,
            allow_restores=False,
        )
    topic = props.get("job_failure_topic")
    failures = events.Rule(
        owner,
        "BackupFailures",
        description="Failed AWS Backup backup and copy jobs of the DR plan",
        event_pattern=events.EventPattern(
            source=["aws.backup"],
            detail_type=["Backup Job State Change", "Copy Job State Change"],
            detail={"state": ["FAILED", "ABORTED", "EXPIRED"]},
        ),
        targets=[cast(events.IRuleTarget, _TopicTarget(topic))] if topic is not None else None,
    )
    return BackupParts(vault, dr_vault, backup_plan, role, failures)
