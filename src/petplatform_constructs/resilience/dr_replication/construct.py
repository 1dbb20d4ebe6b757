"""DrReplication: the primary region's tables and buckets, held again in a DR region.

* S3: each bucket replicates to a replica bucket that DrReplication creates in the DR stack
  (versioned, SSE-S3, TLS only, Block Public Access, access logs), through one least-privilege
  replication role.
* DynamoDB: each ``TableV2`` gains a replica in the DR region, an in-place update of its
  ``AWS::DynamoDB::GlobalTable``.
* AWS Backup: a KMS-encrypted vault in each region, and a daily plan (continuous backup for
  point-in-time restore, 30-day retention by default) that copies every recovery point to the
  DR vault; selections by resource and by tag.
* Route 53 (optional): failover records between the two regions, optionally behind latency
  records, each record in the stack of the region it points to.

Names are deterministic (the naming strategy), so the primary stack refers to the DR side by
name and needs no cross-region reference; the primary stack depends on the DR stack, which
deploys first.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import CfnOutput, Duration, Environment, Stack, Token
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.iam import wildcard_findings
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import Watcher, WatchPlan
from petplatform_constructs.platform.compliance import acknowledge_after_resolution
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.resilience.dr_replication.alarms import dr_panels
from petplatform_constructs.resilience.dr_replication.backup import (
    BACKUP_PLAN_CONSTRUCT_ID,
    BACKUP_VAULT_CONSTRUCT_ID,
    DR_VAULT_CONSTRUCT_ID,
    build_backup,
)
from petplatform_constructs.resilience.dr_replication.props import DrReplicationProps
from petplatform_constructs.resilience.dr_replication.routing import RoutingParts, build_routing
from petplatform_constructs.resilience.dr_replication.validation import (
    DrPlan,
    plan_dr,
)
from petplatform_constructs.storage.secure_bucket import SecureBucket

__all__ = [
    "BACKUP_PLAN_CONSTRUCT_ID",
    "BACKUP_VAULT_CONSTRUCT_ID",
    "DR_STACK_SUFFIX",
    "DR_VAULT_CONSTRUCT_ID",
    "DrReplication",
]

DR_STACK_SUFFIX = "Dr"
"""A DR stack that DrReplication creates is ``{primary stack id}Dr``."""


class DrReplication(Construct):
    """S3 cross-region replication, DynamoDB replicas and AWS Backup copies to a DR region.

    Construct ids (a public contract): in this construct ``ReplicationRole``, ``BackupVaultKey``,
    ``BackupVault``, ``BackupPlan``, ``BackupRole``, ``BackupFailures``; in the DR stack, under
    a scope named like this construct, ``ReplicaAccessLogs``, ``Replica{n}`` (one per bucket, in
    order), ``DrBackupVaultKey`` and ``DrBackupVault``. With ``dns_failover``:
    ``FailoverPrimary`` (and its ``FailoverPrimaryHealthCheck``) here, ``FailoverSecondary`` in
    the DR scope; with latency, ``FailoverPrimary{Region}``/``FailoverSecondary{Region}`` per
    pair (``UsWest2``) in the stack of each endpoint, and ``Latency{Region}`` here.

    Args:
        scope: parent construct, in the primary stack (which needs an explicit region).
        id: construct id.
        props: see :class:`DrReplicationProps`; ``dr_region`` is required.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(self, scope: Construct, id: str, **props: Unpack[DrReplicationProps]) -> None:
        super().__init__(scope, id)
        received = receive(f"{type(self).__name__} {self.node.path}", DrReplicationProps, props)
        problems, rejected = received.problems, set(received.rejected)
        dr_stack = props.get("dr_stack") if "dr_stack" not in rejected else None
        plan = plan_dr(self, problems, props, rejected, dr_stack)
        base = props.get("name") or id.lower()
        naming = props.get("naming") if "naming" not in rejected else None
        if plan is not None and (plan.buckets or props.get("backup", True)):
            with problems.collecting():  # replica and vault names need a naming strategy
                Naming.of(self, naming)
        problems.raise_if_any()
        assert plan is not None

        self.plan = plan
        self.primary_stack = Stack.of(self)
        self.profile = StageProfile.of(
            self, props.get("stage_profile") if "stage_profile" not in rejected else None
        )
        self.dr_stack: Stack = dr_stack or self._create_dr_stack(plan)
        """The stack holding the DR side."""
        self.primary_stack.add_stack_dependency(self.dr_stack, "DR replicas and vault deploy first")
        self._dr_scope = Construct(self.dr_stack, id)
        self.outputs: dict[str, CfnOutput] = {}
        """Exported CfnOutputs by attribute (with ``export_prefix``)."""

        self.tables = plan.tables
        """The replicated tables."""
        for table in plan.tables:
            table.add_replica(region=plan.dr_region)

        self.source_buckets = plan.buckets
        """The replicated buckets, in order."""
        self.replica_buckets: list[s3.IBucket] = []
        """The replica of each source bucket, in the DR stack."""
        self.replica_bucket_names: list[str] = []
        """The physical name of each replica bucket."""
        self.replication_role: iam.Role | None = None
        """The S3 replication role (with ``buckets``), else None."""
        self._rtc = bool(props.get("replication_time_control", False))
        self._replication_metrics = self._rtc or props.get("replication_metrics") is not False
        if plan.buckets:
            self._replicate_buckets(plan, base, props)

        self.backup_vault: backup.BackupVault | None = None
        self.dr_backup_vault: backup.BackupVault | None = None
        self.backup_plan: backup.BackupPlan | None = None
        self.backup_failures: events.Rule | None = None
        """The EventBridge rule matching failed backup and copy jobs (with ``backup``)."""
        if props.get("backup", True):
            self._backup(plan, base, naming, props)
        self.routing: RoutingParts | None = None
        """The Route 53 failover (and latency) records and health checks (``dns_failover``)."""
        routing = props.get("dns_failover")
        if routing is not None:
            self.routing = build_routing(
                self, self._dr_scope, routing, primary_region=plan.primary_region,
                dr_region=plan.dr_region,
            )  # fmt: skip
        self._add_outputs(plan, props)

    # -- DR stack ---------------------------------------------------------------------------------
    def _create_dr_stack(self, plan: DrPlan) -> Stack:
        primary = self.primary_stack
        account = None if Token.is_unresolved(primary.account) else primary.account
        parent = primary.node.scope
        assert parent is not None
        return Stack(
            cast(Construct, parent),
            f"{primary.node.id}{DR_STACK_SUFFIX}",
            env=Environment(account=account, region=plan.dr_region),
            description=f"DR side of {primary.stack_name} in {plan.dr_region}",
        )

    # -- S3 replication ---------------------------------------------------------------------------
    def _replicate_buckets(self, plan: DrPlan, base: str, props: DrReplicationProps) -> None:
        naming = props.get("naming")
        logs = SecureBucket(
            self._dr_scope,
            "ReplicaAccessLogs",
            access_log_destination=True,
            naming=Naming.of(self, naming),
            stage_profile=self.profile,
        )
        role = iam.Role(
            self,
            "ReplicationRole",
            assumed_by=iam.ServicePrincipal("s3.amazonaws.com"),
            description="S3 cross-region replication to the DR replica buckets",
        )
        self.replication_role = role
        replicate_deletes = props.get("replicate_deletes", True)
        rtc, metrics = self._rtc, self._replication_metrics
        object_statements: list[iam.PolicyStatement] = []
        for index, source in enumerate(plan.buckets):
            replica = SecureBucket(
                self._dr_scope,
                f"Replica{index}",
                name=f"{base}-replica-{index}",
                naming=Naming.of(self, naming),
                stage_profile=self.profile,
                versioned=True,
                server_access_logs_bucket=logs,
            ).bucket
            name = cast(s3.CfnBucket, replica.node.default_child).bucket_name
            assert isinstance(name, str)  # a physical name from the naming strategy
            self.replica_buckets.append(replica)
            self.replica_bucket_names.append(name)
            replica_arn = f"arn:{self.primary_stack.partition}:s3:::{name}"
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:GetReplicationConfiguration", "s3:ListBucket"],
                    resources=[source.bucket_arn],
                )
            )
            statements = [
                iam.PolicyStatement(
                    actions=[
                        "s3:GetObjectVersionForReplication",
                        "s3:GetObjectVersionAcl",
                        "s3:GetObjectVersionTagging",
                    ],
                    resources=[source.arn_for_objects("*")],
                ),
                iam.PolicyStatement(
                    actions=["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                    resources=[f"{replica_arn}/*"],
                ),
            ]
            for statement in statements:
                role.add_to_policy(statement)
            object_statements.extend(statements)
            cfn = cast(s3.CfnBucket, source.node.default_child)
            cfn.replication_configuration = s3.CfnBucket.ReplicationConfigurationProperty(
                role=role.role_arn,
                rules=[
                    s3.CfnBucket.ReplicationRuleProperty(
                        id="DrReplication",
                        status="Enabled",
                        priority=0,
                        filter=s3.CfnBucket.ReplicationRuleFilterProperty(prefix=""),
                        delete_marker_replication=s3.CfnBucket.DeleteMarkerReplicationProperty(
                            status="Enabled" if replicate_deletes else "Disabled"
                        ),
                        destination=s3.CfnBucket.ReplicationDestinationProperty(
                            bucket=replica_arn,
                            replication_time=s3.CfnBucket.ReplicationTimeProperty(
                                status="Enabled",
                                time=s3.CfnBucket.ReplicationTimeValueProperty(minutes=15),
                            )
                            if rtc
                            else None,
                            # Replication metrics need no RTC; RTC adds the 15-minute events.
                            metrics=s3.CfnBucket.MetricsProperty(
                                status="Enabled",
                                event_threshold=s3.CfnBucket.ReplicationTimeValueProperty(
                                    minutes=15
                                )
                                if rtc
                                else None,
                            )
                            if metrics
                            else None,
                        ),
                    )
                ],
            )
        policy = role.node.find_child("DefaultPolicy").node.default_child
        assert policy is not None
        reason = (
            "S3 replication reads every object version of the source bucket and writes every "
            "key of its replica bucket: each object wildcard is scoped to one of those buckets."
        )
        stack = self.primary_stack
        acknowledge_after_resolution(
            self,
            lambda: [
                (policy, f"AwsSolutions-IAM5[{finding}]", reason)
                for finding in wildcard_findings(stack, object_statements)
            ],
        )

    def _backup(
        self, plan: DrPlan, base: str, naming: Naming | None, props: DrReplicationProps
    ) -> None:
        strategy = Naming.of(self, naming)
        parts = build_backup(
            self,
            self._dr_scope,
            plan,
            props,
            vault_name=_vault_name(strategy.name(f"{base}-vault")),
            dr_vault_name=_vault_name(strategy.name(f"{base}-dr-vault")),
            removal_policy=self.profile.removal_policy,
        )
        self.backup_vault = parts.vault
        self.dr_backup_vault = parts.dr_vault
        self.backup_plan = parts.plan
        self.backup_failures = parts.failures

    # -- outputs, observability -------------------------------------------------------------------
    def _add_outputs(self, plan: DrPlan, props: DrReplicationProps) -> None:
        CfnOutput(self, "DrRegion", value=plan.dr_region, description="The DR region")
        objectives = (
            ("Rpo", props.get("rpo") or Duration.hours(24), "Recovery point objective"),
            ("Rto", props.get("rto") or Duration.hours(1), "Recovery time objective"),
        )
        for output, value, label in objectives:
            CfnOutput(self, output, value=value.to_human_string(), description=label)
        for index, name in enumerate(self.replica_bucket_names):
            CfnOutput(
                self,
                f"Replica{index}BucketName",
                value=name,
                description=f"DR replica of bucket {index} in {plan.dr_region}",
            )
        prefix = props.get("export_prefix")
        if prefix is not None and self.backup_vault is not None and self.backup_plan is not None:
            self.outputs.update(
                add_exports(
                    self,
                    prefix,
                    {
                        "BackupVaultArn": self.backup_vault.backup_vault_arn,
                        "BackupPlanId": self.backup_plan.backup_plan_id,
                    },
                )
            )

    def register_observability(self, watcher: Watcher) -> None:
        """Alarms on replication failures and latency, and on failed backup and copy jobs."""
        panels = dr_panels(
            [b.bucket_name for b in self.source_buckets],
            self.replica_bucket_names,
            self.backup_vault.backup_vault_name if self.backup_vault is not None else None,
            metrics=self._replication_metrics,
            rtc=self._rtc,
        )
        if panels:
            watcher.add_plan(self, WatchPlan("DrReplication", "Disaster recovery", panels))


def _vault_name(name: str) -> str:
    """A naming-strategy name made a valid vault name (letters, digits, '-' and '_')."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:50]
