"""DataTable: one DynamoDB table with stage-aware protection, always a ``TableV2``.

Why ``TableV2`` always: it synthesizes ``AWS::DynamoDB::GlobalTable`` even with one region, so
adding a replica region later is an in-place update of the same resource. Starting with a plain
``AWS::DynamoDB::Table`` would make that change a replacement or a data migration.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import require
from petplatform_constructs.core.existing import check_existing
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import Watcher, alarmable_operations
from petplatform_constructs.data.data_table.props import SHARED_ONLY, DataTableProps
from petplatform_constructs.data.data_table.validation import TablePlan, plan_table
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["ALARMABLE_OPERATIONS", "TABLE_CONSTRUCT_ID", "DataTable"]

TABLE_CONSTRUCT_ID = "Table"
"""Construct id of the ``TableV2`` inside every DataTable. Public contract: never change it."""

ALARMABLE_OPERATIONS: tuple[dynamodb.Operation, ...] = tuple(alarmable_operations())
"""The ten item operations the per-operation metrics sum by default (alarmable)."""


class DataTable(Construct):
    """A DynamoDB table (``AWS::DynamoDB::GlobalTable`` via ``TableV2``), or a wrapped one.

    Stage defaults come from the :class:`StageProfile`: prod-like stages retain the table,
    enable point-in-time recovery and deletion protection; dev/test tables are disposable.
    Encryption at rest is always stated in the template (AWS-managed key, or your KMS key).

    The ``TableV2`` child always has the construct id ``"Table"`` (:data:`TABLE_CONSTRUCT_ID`),
    so its logical id stays stable across releases.

    Args:
        scope: parent construct.
        id: construct id of this DataTable.
        existing_table: wrap an existing table instead of creating one (grants, metrics and
            exports still work). Only ``export_prefix``, ``stage_profile`` and ``naming`` may
            come with it. Default: create a table.
        props: see :class:`DataTableProps`; every prop is optional and documents its default.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_table: dynamodb.ITableV2 | None = None,
        **props: Unpack[DataTableProps],
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        self.outputs: dict[str, CfnOutput] = {}
        """CfnOutputs by attribute (``TableName``, ``TableArn``, ``TableStreamArn``)."""
        self.imported = existing_table is not None
        """Whether this construct wraps an existing table instead of creating one."""
        self.created_table: dynamodb.TableV2 | None = None
        """The ``TableV2`` this construct created; ``None`` when wrapping ``existing_table``."""
        self.point_in_time_recovery: bool | None = None
        """Whether PITR is on (``None`` for a wrapped table: not managed here)."""

        received = receive(self._owner, DataTableProps, props)
        problems, valid = received.problems, received.valid
        wraps = check_existing(
            problems,
            "existing_table",
            existing_table,
            {k: v for k, v in props.items() if k not in SHARED_ONLY},
        )
        plan: TablePlan | None = None
        profile = StageProfile.of(self, valid.get("stage_profile"))
        if not wraps:
            plan = plan_table(self, problems, valid, profile, received.rejected)
        problems.raise_if_any()

        if existing_table is not None:
            self.table: dynamodb.ITableV2 = existing_table
            """The table: the created ``TableV2`` or the wrapped ``ITableV2``."""
            self._has_stream = existing_table.table_stream_arn is not None
        else:
            assert plan is not None  # no problems, so the plan exists
            created = self._create(plan, valid, profile)
            self.created_table = created
            self.table = created
            # TableV2 returns a StreamArn token even without a stream; track it ourselves.
            self._has_stream = valid.get("stream") is not None or bool(plan.replica_regions)

        export_prefix = valid.get("export_prefix")
        if export_prefix is not None:
            self._export(export_prefix)

    def _create(
        self, plan: TablePlan, props: DataTableProps, profile: StageProfile
    ) -> dynamodb.TableV2:
        encryption_key = props.get("encryption_key")
        deletion_protection = props.get("deletion_protection")
        self.point_in_time_recovery = plan.point_in_time_recovery.point_in_time_recovery_enabled
        table = dynamodb.TableV2(
            self,
            TABLE_CONSTRUCT_ID,
            table_name=plan.physical_name,
            partition_key=plan.partition_key,
            sort_key=plan.sort_key,
            global_secondary_indexes=plan.global_indexes or None,
            local_secondary_indexes=plan.local_indexes or None,
            billing=plan.billing,
            point_in_time_recovery_specification=plan.point_in_time_recovery,
            dynamo_stream=props.get("stream"),
            time_to_live_attribute=props.get("time_to_live_attribute"),
            encryption=(
                dynamodb.TableEncryptionV2.customer_managed_key(
                    encryption_key, dict(props.get("replica_key_arns") or {}) or None
                )
                if encryption_key is not None
                else dynamodb.TableEncryptionV2.aws_managed_key()
            ),
            replicas=[dynamodb.ReplicaTableProps(region=r) for r in plan.replica_regions] or None,
            contributor_insights_specification=dynamodb.ContributorInsightsSpecification(
                enabled=bool(props.get("contributor_insights"))
            ),
            deletion_protection=(
                profile.deletion_protection if deletion_protection is None else deletion_protection
            ),
            removal_policy=props.get("removal_policy") or profile.removal_policy,
            table_class=props.get("table_class"),
        )
        if not self.point_in_time_recovery:
            why = (
                f"the '{profile.stage}' stage profile turns point-in-time recovery off because "
                "this stage's data is disposable; prod-like stages turn it on"
                if props.get("point_in_time_recovery") is None
                else "the app disabled point-in-time recovery on this table explicitly with "
                "point_in_time_recovery=False"
            )
            acknowledge(table, "AwsSolutions-DDB3", f"PITR is off: {why}.")
        return table

    # -- exports ------------------------------------------------------------------------------
    def _export(self, prefix: str) -> None:
        attributes = {"TableName": self.table.table_name, "TableArn": self.table.table_arn}
        if self.table_stream_arn is not None:
            attributes["TableStreamArn"] = self.table_stream_arn
        self.outputs.update(add_exports(self, prefix, attributes))

    # -- attributes ---------------------------------------------------------------------------
    @property
    def table_name(self) -> str:
        """Physical table name (a token for created tables)."""
        return self.table.table_name

    @property
    def table_arn(self) -> str:
        """Table ARN."""
        return self.table.table_arn

    @property
    def table_stream_arn(self) -> str | None:
        """Stream ARN, or ``None`` when the table has no stream."""
        return self.table.table_stream_arn if self._has_stream else None

    # -- grants (least privilege, delegated to the table) -------------------------------------
    def register_observability(self, watcher: Watcher) -> None:
        """Watched as a table: throttle alarm, capacity and errors on the dashboard."""
        watcher.watch_table(self)

    def grant_read_data(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow reads (Get/BatchGet/Query/Scan...) on the table and its indexes."""
        return self.table.grant_read_data(grantee)

    def grant_write_data(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow writes (Put/Update/Delete/BatchWrite...) on the table and its indexes."""
        return self.table.grant_write_data(grantee)

    def grant_read_write_data(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow reads and writes on the table and its indexes."""
        return self.table.grant_read_write_data(grantee)

    def grant_stream_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow reading the table's stream (for a stream consumer such as a Lambda)."""
        require(
            self._has_stream,
            self._owner,
            "stream",
            None,
            "grant_stream_read needs a table with a stream (set stream=StreamViewType...)",
        )
        return self.table.grant_stream_read(grantee)

    # -- metrics (only those TableV2 implements without deprecation) --------------------------
    def metric_consumed_read_capacity_units(
        self, *, period: Duration | None = None, statistic: str | None = None
    ) -> cloudwatch.Metric:
        """ConsumedReadCapacityUnits of the table (Sum over 5 minutes by default)."""
        return self.table.metric_consumed_read_capacity_units(period=period, statistic=statistic)

    def metric_consumed_write_capacity_units(
        self, *, period: Duration | None = None, statistic: str | None = None
    ) -> cloudwatch.Metric:
        """ConsumedWriteCapacityUnits of the table (Sum over 5 minutes by default)."""
        return self.table.metric_consumed_write_capacity_units(period=period, statistic=statistic)

    def metric_throttled_requests_for_operations(
        self,
        *,
        operations: Sequence[dynamodb.Operation] | None = None,
        period: Duration | None = None,
    ) -> cloudwatch.IMetric:
        """Sum of ThrottledRequests over ``operations``, as a math expression.

        Default: :data:`ALARMABLE_OPERATIONS` (alarmable). This replaces
        ``metric_throttled_requests``, which the CDK deprecated as invalid.
        """
        return self.table.metric_throttled_requests_for_operations(
            operations=list(operations or ALARMABLE_OPERATIONS), period=period
        )

    def metric_system_errors_for_operations(
        self,
        *,
        operations: Sequence[dynamodb.Operation] | None = None,
        period: Duration | None = None,
    ) -> cloudwatch.IMetric:
        """Sum of SystemErrors over ``operations`` (default :data:`ALARMABLE_OPERATIONS`)."""
        return self.table.metric_system_errors_for_operations(
            operations=list(operations or ALARMABLE_OPERATIONS), period=period
        )

    def metric_user_errors(
        self, *, period: Duration | None = None, statistic: str | None = None
    ) -> cloudwatch.Metric:
        """UserErrors. AWS reports it per account and region, not per table."""
        return self.table.metric_user_errors(period=period, statistic=statistic)
