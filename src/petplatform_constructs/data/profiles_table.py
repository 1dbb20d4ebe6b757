"""ProfilesTable: the user-profile table preset (HomeForPup's ``profiles``) on DataTable.

A profile is one item per user, read by user id and looked up by email at sign-in, and other
services react to profile changes through its stream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from petplatform_constructs.core.errors import PropError
from petplatform_constructs.data.data_table import DataTable, IndexSpec, ProvisionedCapacity
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["ProfilesTable"]


class ProfilesTable(DataTable):
    """User profiles: partition key ``userId`` (S), GSI ``email-index`` on ``email`` (ALL),
    stream NEW_AND_OLD_IMAGES, short name ``profiles``. Everything else is :class:`DataTable`.

    The ``TableV2`` child has the construct id ``"Table"``, as in every DataTable.

    Args:
        scope: parent construct.
        id: construct id.
        existing_table: wrap an existing profiles table (no creation props allowed with it).
        name: short name through the naming strategy. Default ``"profiles"`` (unless
            ``table_name`` or ``existing_table`` is given).
        table_name: literal physical name instead of ``name``.
        extra_global_indexes: GSIs added after ``email-index``. Default none.
        point_in_time_recovery: Default: ``StageProfile.point_in_time_recovery``.
        recovery_period_days: PITR window, 1-35. Default 35.
        time_to_live_attribute: TTL attribute. Default none.
        provisioned: provisioned billing with autoscaling. Default on-demand.
        encryption_key: customer-managed KMS key. Default AWS-managed key.
        replica_key_arns: KMS key ARN per replica region (with ``encryption_key``).
        replica_regions: replica regions. Default none.
        contributor_insights: Default False.
        deletion_protection: Default: ``StageProfile.deletion_protection``.
        removal_policy: Default: ``StageProfile.removal_policy``.
        table_class: Default STANDARD.
        export_prefix: export name, ARN and stream ARN as ``{prefix}-TableName`` etc.
        stage_profile: profile instead of the scope default.
        naming: naming strategy instead of the scope default.
    """

    DEFAULT_NAME = "profiles"
    PARTITION_KEY = "userId"
    EMAIL_INDEX = "email-index"
    EMAIL_ATTRIBUTE = "email"
    STREAM = dynamodb.StreamViewType.NEW_AND_OLD_IMAGES

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_table: dynamodb.ITableV2 | None = None,
        name: str | None = None,
        table_name: str | None = None,
        extra_global_indexes: Sequence[IndexSpec] = (),
        point_in_time_recovery: bool | None = None,
        recovery_period_days: int | None = None,
        time_to_live_attribute: str | None = None,
        provisioned: ProvisionedCapacity | None = None,
        encryption_key: kms.IKey | None = None,
        replica_key_arns: Mapping[str, str] | None = None,
        replica_regions: Sequence[str] = (),
        contributor_insights: bool = False,
        deletion_protection: bool | None = None,
        removal_policy: RemovalPolicy | None = None,
        table_class: dynamodb.TableClass | None = None,
        export_prefix: str | None = None,
        stage_profile: StageProfile | None = None,
        naming: Naming | None = None,
    ) -> None:
        creating = existing_table is None
        if existing_table is not None and extra_global_indexes:
            raise PropError(
                f"ProfilesTable {scope.node.path}/{id}",
                "existing_table",
                existing_table.node.path,
                "a wrapped table takes no creation props; remove extra_global_indexes",
            )
        if creating and name is None and table_name is None:
            name = self.DEFAULT_NAME
        email_index = IndexSpec(self.EMAIL_INDEX, partition_key=self.EMAIL_ATTRIBUTE)
        super().__init__(
            scope,
            id,
            existing_table=existing_table,
            name=name,
            table_name=table_name,
            partition_key=self.PARTITION_KEY if creating else None,
            global_indexes=(email_index, *extra_global_indexes) if creating else (),
            stream=self.STREAM if creating else None,
            point_in_time_recovery=point_in_time_recovery,
            recovery_period_days=recovery_period_days,
            time_to_live_attribute=time_to_live_attribute,
            provisioned=provisioned,
            encryption_key=encryption_key,
            replica_key_arns=replica_key_arns,
            replica_regions=replica_regions,
            contributor_insights=contributor_insights,
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
            table_class=table_class,
            export_prefix=export_prefix,
            stage_profile=stage_profile,
            naming=naming,
        )
