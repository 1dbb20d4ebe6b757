"""DataTable: one DynamoDB table with stage-aware protection, always a ``TableV2``.

The props describe a table the way platform apps declare theirs: keys, indexes, billing,
backups, stream, TTL, encryption and replicas. :class:`TableSpec` and :func:`tables_from_specs`
declare N tables compactly with shared settings.

Why ``TableV2`` always: it synthesizes ``AWS::DynamoDB::GlobalTable`` even with one region, so
adding a replica region later is an in-place update of the same resource. Starting with a plain
``AWS::DynamoDB::Table`` would make that change a replacement or a data migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from petplatform_constructs.core.errors import PropError, require
from petplatform_constructs.core.exports import add_exports, check_export_prefix
from petplatform_constructs.core.watch import Watcher, alarmable_operations
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.naming import Naming, ResourceKind, validate_name
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "ALARMABLE_OPERATIONS",
    "TABLE_CONSTRUCT_ID",
    "AutoscaledCapacity",
    "DataTable",
    "IndexSpec",
    "KeySpec",
    "ProvisionedCapacity",
    "TableSpec",
    "key_attribute",
    "tables_from_specs",
]

TABLE_CONSTRUCT_ID = "Table"
"""Construct id of the ``TableV2`` inside every DataTable. Public contract: never change it."""

KeySpec: TypeAlias = str | dynamodb.Attribute
"""A key attribute: a ``dynamodb.Attribute``, or ``"name"`` (STRING) / ``"name:S|N|B"``."""

ALARMABLE_OPERATIONS: tuple[dynamodb.Operation, ...] = tuple(alarmable_operations())
"""The ten item operations the per-operation metrics sum by default (alarmable)."""

MAX_GLOBAL_INDEXES = 20  # DynamoDB default quota; TableV2 enforces the same number.
MAX_LOCAL_INDEXES = 5  # DynamoDB hard limit.
MAX_PROJECTED_ATTRIBUTES = 100  # non-key attributes projected across all indexes of a table.
_KEY_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_INDEX_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")


def key_attribute(spec: KeySpec, *, owner: str = "key", prop: str = "key") -> dynamodb.Attribute:
    """Return ``spec`` as a ``dynamodb.Attribute``; ``"id"`` means STRING, ``"age:N"`` NUMBER."""
    if isinstance(spec, dynamodb.Attribute):
        return spec
    name, _, type_code = spec.partition(":")
    require(
        bool(name) and 1 <= len(name) <= 255 and not name.isspace(),
        owner,
        prop,
        spec,
        "an attribute name of 1-255 characters, optionally ':S', ':N' or ':B'",
    )
    attribute_type = _KEY_TYPES.get(type_code.upper() or "S")
    if attribute_type is None:
        raise PropError(owner, prop, spec, "type suffix must be ':S', ':N' or ':B'")
    return dynamodb.Attribute(name=name, type=attribute_type)


@dataclass(frozen=True)
class AutoscaledCapacity:
    """Target-tracking autoscaling range for provisioned read or write capacity.

    Args:
        max_capacity: upper bound of capacity units.
        min_capacity: lower bound of capacity units. Default 1.
        target_utilization_percent: consumed/provisioned ratio to track, 20-90. Default 70.
    """

    max_capacity: int
    min_capacity: int = 1
    target_utilization_percent: int = 70


@dataclass(frozen=True)
class ProvisionedCapacity:
    """Provisioned billing with autoscaled read and write capacity.

    TableV2 cannot fix write capacity, so both directions autoscale; GSIs and replicas inherit
    these settings.
    """

    read: AutoscaledCapacity
    write: AutoscaledCapacity


@dataclass(frozen=True)
class IndexSpec:
    """A global or local secondary index.

    Args:
        name: index name (3-255 of ``A-Za-z0-9_.-``), unique within the table.
        partition_key: required for a global index; a local index uses the table's.
        sort_key: optional for a global index; required for a local one.
        projection: ALL (default), KEYS_ONLY or INCLUDE.
        non_key_attributes: attributes to project; required with INCLUDE, forbidden otherwise.
    """

    name: str
    partition_key: KeySpec | None = None
    sort_key: KeySpec | None = None
    projection: dynamodb.ProjectionType = dynamodb.ProjectionType.ALL
    non_key_attributes: Sequence[str] = ()


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
            exports still work). No creation prop may be given with it. Default: create.
        name: short name passed through the :class:`Naming` strategy in scope
            (``ResourceKind.DYNAMODB_TABLE``). Default: CloudFormation generates a name.
        table_name: literal physical name, validated; excludes ``name``. Default: none.
        partition_key: partition key (``Attribute`` or ``"name[:S|N|B]"``). Required unless
            ``single_table``.
        sort_key: sort key. Default: none.
        single_table: use the generic single-table keys ``pk`` (S) / ``sk`` (S); excludes
            ``partition_key``/``sort_key``. Default False.
        global_indexes: up to 20 GSIs. Default none.
        local_indexes: up to 5 LSIs; need a table sort key. Default none.
        provisioned: provisioned billing with autoscaling. Default: on-demand (PAY_PER_REQUEST).
        point_in_time_recovery: PITR on/off. Default: ``StageProfile.point_in_time_recovery``.
        recovery_period_days: PITR window, 1-35 days, applied when PITR is on. Default 35.
        stream: stream view type. Default: no stream; NEW_AND_OLD_IMAGES with replicas.
        time_to_live_attribute: TTL attribute name. Default: TTL off.
        encryption_key: customer-managed KMS key. Default: AWS-managed key (``aws/dynamodb``).
        replica_key_arns: KMS key ARN per replica region; required with ``encryption_key`` and
            ``replica_regions``. Default none.
        replica_regions: extra regions (the stack region is always the primary replica and
            must be concrete). Default none.
        contributor_insights: CloudWatch Contributor Insights. Default False.
        deletion_protection: Default: ``StageProfile.deletion_protection`` (all replicas).
        removal_policy: Default: ``StageProfile.removal_policy`` (RETAIN in prod-like stages).
        table_class: STANDARD or STANDARD_INFREQUENT_ACCESS. Default STANDARD.
        export_prefix: create CfnOutputs exported as ``{prefix}-TableName``, ``-TableArn`` and,
            with a stream, ``-TableStreamArn``. Default: no outputs.
        stage_profile: profile to use instead of the scope default.
        naming: naming strategy to use instead of the scope default.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_table: dynamodb.ITableV2 | None = None,
        name: str | None = None,
        table_name: str | None = None,
        partition_key: KeySpec | None = None,
        sort_key: KeySpec | None = None,
        single_table: bool = False,
        global_indexes: Sequence[IndexSpec] = (),
        local_indexes: Sequence[IndexSpec] = (),
        provisioned: ProvisionedCapacity | None = None,
        point_in_time_recovery: bool | None = None,
        recovery_period_days: int | None = None,
        stream: dynamodb.StreamViewType | None = None,
        time_to_live_attribute: str | None = None,
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
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        self.outputs: dict[str, CfnOutput] = {}
        """CfnOutputs by attribute (``TableName``, ``TableArn``, ``TableStreamArn``)."""
        self.created_table: dynamodb.TableV2 | None = None
        """The ``TableV2`` this construct created; ``None`` when wrapping ``existing_table``."""
        self.point_in_time_recovery: bool | None = None
        """Whether PITR is on (``None`` for a wrapped table: not managed here)."""

        creation_props: dict[str, object] = {
            "name": name,
            "table_name": table_name,
            "partition_key": partition_key,
            "sort_key": sort_key,
            "single_table": single_table or None,
            "global_indexes": tuple(global_indexes) or None,
            "local_indexes": tuple(local_indexes) or None,
            "provisioned": provisioned,
            "point_in_time_recovery": point_in_time_recovery,
            "recovery_period_days": recovery_period_days,
            "stream": stream,
            "time_to_live_attribute": time_to_live_attribute,
            "encryption_key": encryption_key,
            "replica_key_arns": replica_key_arns,
            "replica_regions": tuple(replica_regions) or None,
            "contributor_insights": contributor_insights or None,
            "deletion_protection": deletion_protection,
            "removal_policy": removal_policy,
            "table_class": table_class,
        }
        check_export_prefix(self._owner, export_prefix)

        if existing_table is not None:
            conflicting = sorted(k for k, v in creation_props.items() if v is not None)
            require(
                not conflicting,
                self._owner,
                "existing_table",
                existing_table.node.path,
                f"a wrapped table takes no creation props; remove {', '.join(conflicting)}",
            )
            self.table: dynamodb.ITableV2 = existing_table
            """The table: the created ``TableV2`` or the wrapped ``ITableV2``."""
            self._has_stream = existing_table.table_stream_arn is not None
        else:
            created = self._create(
                name=name,
                table_name=table_name,
                partition_key=partition_key,
                sort_key=sort_key,
                single_table=single_table,
                global_indexes=tuple(global_indexes),
                local_indexes=tuple(local_indexes),
                provisioned=provisioned,
                point_in_time_recovery=point_in_time_recovery,
                recovery_period_days=recovery_period_days,
                stream=stream,
                time_to_live_attribute=time_to_live_attribute,
                encryption_key=encryption_key,
                replica_key_arns=replica_key_arns,
                replica_regions=tuple(replica_regions),
                contributor_insights=contributor_insights,
                deletion_protection=deletion_protection,
                removal_policy=removal_policy,
                table_class=table_class,
                profile=StageProfile.of(self, stage_profile),
                naming=naming,
            )
            self.created_table = created
            self.table = created
            # TableV2 returns a StreamArn token even without a stream; track it ourselves.
            self._has_stream = stream is not None or bool(replica_regions)

        if export_prefix is not None:
            self._export(export_prefix)

    # -- creation -----------------------------------------------------------------------------
    def _create(
        self,
        *,
        name: str | None,
        table_name: str | None,
        partition_key: KeySpec | None,
        sort_key: KeySpec | None,
        single_table: bool,
        global_indexes: tuple[IndexSpec, ...],
        local_indexes: tuple[IndexSpec, ...],
        provisioned: ProvisionedCapacity | None,
        point_in_time_recovery: bool | None,
        recovery_period_days: int | None,
        stream: dynamodb.StreamViewType | None,
        time_to_live_attribute: str | None,
        encryption_key: kms.IKey | None,
        replica_key_arns: Mapping[str, str] | None,
        replica_regions: tuple[str, ...],
        contributor_insights: bool,
        deletion_protection: bool | None,
        removal_policy: RemovalPolicy | None,
        table_class: dynamodb.TableClass | None,
        profile: StageProfile,
        naming: Naming | None,
    ) -> dynamodb.TableV2:
        physical_name = self._physical_name(name, table_name, naming)
        table_pk, table_sk = self._table_keys(partition_key, sort_key, single_table)
        gsis = [self._global_index(i, spec) for i, spec in enumerate(global_indexes)]
        lsis = [self._local_index(i, spec, table_sk) for i, spec in enumerate(local_indexes)]
        self._check_index_set(global_indexes, local_indexes)
        self._check_attribute_types(
            [table_pk, table_sk]
            + [k for g in gsis for k in (g.partition_key, g.sort_key)]
            + [lsi.sort_key for lsi in lsis]
        )
        pitr = self._pitr(point_in_time_recovery, recovery_period_days, profile)
        self._check_replicas(replica_regions, stream, encryption_key, replica_key_arns)
        if time_to_live_attribute is not None:
            require(
                1 <= len(time_to_live_attribute) <= 255,
                self._owner,
                "time_to_live_attribute",
                time_to_live_attribute,
                "an attribute name of 1-255 characters",
            )

        self.point_in_time_recovery = pitr.point_in_time_recovery_enabled
        table = dynamodb.TableV2(
            self,
            TABLE_CONSTRUCT_ID,
            table_name=physical_name,
            partition_key=table_pk,
            sort_key=table_sk,
            global_secondary_indexes=gsis or None,
            local_secondary_indexes=lsis or None,
            billing=self._billing(provisioned),
            point_in_time_recovery_specification=pitr,
            dynamo_stream=stream,
            time_to_live_attribute=time_to_live_attribute,
            encryption=(
                dynamodb.TableEncryptionV2.customer_managed_key(
                    encryption_key, dict(replica_key_arns or {}) or None
                )
                if encryption_key is not None
                else dynamodb.TableEncryptionV2.aws_managed_key()
            ),
            replicas=[dynamodb.ReplicaTableProps(region=r) for r in replica_regions] or None,
            contributor_insights_specification=dynamodb.ContributorInsightsSpecification(
                enabled=contributor_insights
            ),
            deletion_protection=(
                profile.deletion_protection if deletion_protection is None else deletion_protection
            ),
            removal_policy=removal_policy or profile.removal_policy,
            table_class=table_class,
        )
        if not pitr.point_in_time_recovery_enabled:
            why = (
                f"the '{profile.stage}' stage profile turns point-in-time recovery off because "
                "this stage's data is disposable; prod-like stages turn it on"
                if point_in_time_recovery is None
                else "the app disabled point-in-time recovery on this table explicitly with "
                "point_in_time_recovery=False"
            )
            acknowledge(table, "AwsSolutions-DDB3", f"PITR is off: {why}.")
        return table

    def _physical_name(
        self, name: str | None, table_name: str | None, naming: Naming | None
    ) -> str | None:
        if name is not None and table_name is not None:
            raise PropError(
                self._owner,
                "table_name",
                table_name,
                f"give either name ({name!r}, through the naming strategy) or a literal "
                "table_name, not both",
            )
        if table_name is not None:
            try:
                return validate_name(ResourceKind.DYNAMODB_TABLE, table_name)
            except PropError as err:
                raise PropError(self._owner, "table_name", table_name, err.allowed) from None
        if name is not None:
            require(bool(name.strip()), self._owner, "name", name, "a non-empty short name")
            try:
                return Naming.of(self, naming).name(name, ResourceKind.DYNAMODB_TABLE)
            except PropError as err:
                if err.prop == "naming":
                    raise
                raise PropError(
                    self._owner,
                    "name",
                    name,
                    f"the naming strategy produced {err.value!r}: {err.allowed}",
                ) from None
        return None

    def _table_keys(
        self, partition_key: KeySpec | None, sort_key: KeySpec | None, single_table: bool
    ) -> tuple[dynamodb.Attribute, dynamodb.Attribute | None]:
        if single_table:
            given = [p for p, v in (("partition_key", partition_key), ("sort_key", sort_key)) if v]
            require(
                not given,
                self._owner,
                "single_table",
                True,
                f"single_table defines the keys pk/sk itself; remove {', '.join(given)}",
            )
            return key_attribute("pk"), key_attribute("sk")
        if partition_key is None:
            raise PropError(
                self._owner,
                "partition_key",
                None,
                "a partition key is required (e.g. partition_key='id'), or single_table=True",
            )
        table_pk = key_attribute(partition_key, owner=self._owner, prop="partition_key")
        table_sk = key_attribute(sort_key, owner=self._owner, prop="sort_key") if sort_key else None
        return table_pk, table_sk

    def _check_index_name(self, prop: str, spec: IndexSpec) -> None:
        require(
            bool(_INDEX_NAME.fullmatch(spec.name)),
            self._owner,
            f"{prop}.name",
            spec.name,
            "3-255 characters of A-Za-z0-9, '_', '.' and '-'",
        )

    def _projection(self, prop: str, spec: IndexSpec) -> list[str] | None:
        attributes = list(spec.non_key_attributes)
        if spec.projection is dynamodb.ProjectionType.INCLUDE:
            require(
                bool(attributes) and all(attributes),
                self._owner,
                f"{prop}.non_key_attributes",
                attributes,
                f"projection INCLUDE of index {spec.name!r} needs the attributes to project",
            )
            return attributes
        require(
            not attributes,
            self._owner,
            f"{prop}.non_key_attributes",
            attributes,
            f"only projection INCLUDE takes non_key_attributes (index {spec.name!r} uses "
            f"{spec.projection.value})",
        )
        return None

    def _global_index(self, i: int, spec: IndexSpec) -> dynamodb.GlobalSecondaryIndexPropsV2:
        prop = f"global_indexes[{i}]"
        self._check_index_name(prop, spec)
        if spec.partition_key is None:
            raise PropError(
                self._owner,
                f"{prop}.partition_key",
                None,
                f"global index {spec.name!r} needs a partition key",
            )
        return dynamodb.GlobalSecondaryIndexPropsV2(
            index_name=spec.name,
            partition_key=key_attribute(
                spec.partition_key, owner=self._owner, prop=f"{prop}.partition_key"
            ),
            sort_key=(
                key_attribute(spec.sort_key, owner=self._owner, prop=f"{prop}.sort_key")
                if spec.sort_key
                else None
            ),
            projection_type=spec.projection,
            non_key_attributes=self._projection(prop, spec),
        )

    def _local_index(
        self, i: int, spec: IndexSpec, table_sort_key: dynamodb.Attribute | None
    ) -> dynamodb.LocalSecondaryIndexProps:
        prop = f"local_indexes[{i}]"
        self._check_index_name(prop, spec)
        require(
            table_sort_key is not None,
            self._owner,
            "local_indexes",
            spec.name,
            "local secondary indexes need a table sort_key (or single_table=True)",
        )
        require(
            spec.partition_key is None,
            self._owner,
            f"{prop}.partition_key",
            spec.partition_key,
            "a local index always uses the table's partition key; leave it unset",
        )
        if spec.sort_key is None:
            raise PropError(
                self._owner,
                f"{prop}.sort_key",
                None,
                f"local index {spec.name!r} needs a sort key",
            )
        return dynamodb.LocalSecondaryIndexProps(
            index_name=spec.name,
            sort_key=key_attribute(spec.sort_key, owner=self._owner, prop=f"{prop}.sort_key"),
            projection_type=spec.projection,
            non_key_attributes=self._projection(prop, spec),
        )

    def _check_index_set(
        self, global_indexes: Sequence[IndexSpec], local_indexes: Sequence[IndexSpec]
    ) -> None:
        require(
            len(global_indexes) <= MAX_GLOBAL_INDEXES,
            self._owner,
            "global_indexes",
            f"{len(global_indexes)} indexes",
            f"at most {MAX_GLOBAL_INDEXES} global secondary indexes per table",
        )
        require(
            len(local_indexes) <= MAX_LOCAL_INDEXES,
            self._owner,
            "local_indexes",
            f"{len(local_indexes)} indexes",
            f"at most {MAX_LOCAL_INDEXES} local secondary indexes per table",
        )
        seen: set[str] = set()
        for spec in (*global_indexes, *local_indexes):
            require(
                spec.name not in seen,
                self._owner,
                "global_indexes/local_indexes",
                spec.name,
                "index names must be unique within a table",
            )
            seen.add(spec.name)
        projected = {
            a for spec in (*global_indexes, *local_indexes) for a in spec.non_key_attributes
        }
        require(
            len(projected) <= MAX_PROJECTED_ATTRIBUTES,
            self._owner,
            "non_key_attributes",
            f"{len(projected)} distinct attributes",
            f"DynamoDB projects at most {MAX_PROJECTED_ATTRIBUTES} non-key attributes across "
            "all indexes of a table",
        )

    def _check_attribute_types(self, keys: Iterable[dynamodb.Attribute | None]) -> None:
        types: dict[str, dynamodb.AttributeType] = {}
        for key in keys:
            if key is None:
                continue
            known = types.setdefault(key.name, key.type)
            require(
                known == key.type,
                self._owner,
                "key attributes",
                key.name,
                f"one attribute, one type: {key.name!r} is declared as both {known.value} "
                f"and {key.type.value}",
            )

    def _billing(self, provisioned: ProvisionedCapacity | None) -> dynamodb.Billing:
        if provisioned is None:
            return dynamodb.Billing.on_demand()
        capacities = []
        for direction, scaling in (("read", provisioned.read), ("write", provisioned.write)):
            prop = f"provisioned.{direction}"
            require(
                scaling.min_capacity >= 1,
                self._owner,
                f"{prop}.min_capacity",
                scaling.min_capacity,
                "at least 1 capacity unit",
            )
            require(
                scaling.min_capacity <= scaling.max_capacity,
                self._owner,
                f"{prop}.max_capacity",
                scaling.max_capacity,
                f"must be >= min_capacity ({scaling.min_capacity})",
            )
            require(
                20 <= scaling.target_utilization_percent <= 90,
                self._owner,
                f"{prop}.target_utilization_percent",
                scaling.target_utilization_percent,
                "20-90 (DynamoDB target tracking)",
            )
            capacities.append(
                dynamodb.Capacity.autoscaled(
                    min_capacity=scaling.min_capacity,
                    max_capacity=scaling.max_capacity,
                    target_utilization_percent=scaling.target_utilization_percent,
                )
            )
        return dynamodb.Billing.provisioned(
            read_capacity=capacities[0], write_capacity=capacities[1]
        )

    def _pitr(
        self, enabled: bool | None, recovery_period_days: int | None, profile: StageProfile
    ) -> dynamodb.PointInTimeRecoverySpecification:
        if recovery_period_days is not None:
            require(
                1 <= recovery_period_days <= 35,
                self._owner,
                "recovery_period_days",
                recovery_period_days,
                "1-35 days",
            )
            require(
                enabled is not False,
                self._owner,
                "recovery_period_days",
                recovery_period_days,
                "needs point-in-time recovery; remove point_in_time_recovery=False",
            )
        on = profile.point_in_time_recovery if enabled is None else enabled
        return dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=on,
            recovery_period_in_days=recovery_period_days if on else None,
        )

    def _check_replicas(
        self,
        regions: tuple[str, ...],
        stream: dynamodb.StreamViewType | None,
        encryption_key: kms.IKey | None,
        replica_key_arns: Mapping[str, str] | None,
    ) -> None:
        if replica_key_arns is not None:
            require(
                encryption_key is not None,
                self._owner,
                "replica_key_arns",
                dict(replica_key_arns),
                "replica keys only apply with a customer-managed encryption_key",
            )
        if not regions:
            require(
                not replica_key_arns,
                self._owner,
                "replica_key_arns",
                dict(replica_key_arns or {}),
                "no replica_regions are set",
            )
            return
        stack_region = Stack.of(self).region
        require(
            not Token.is_unresolved(stack_region),
            self._owner,
            "replica_regions",
            list(regions),
            "replicas need a concrete stack region: give the stack env=Environment(region=...)",
        )
        for region in regions:
            require(
                bool(_REGION.fullmatch(region)),
                self._owner,
                "replica_regions",
                region,
                "AWS region names such as 'us-west-2'",
            )
            require(
                region != stack_region,
                self._owner,
                "replica_regions",
                region,
                f"the stack region {stack_region} is the primary replica already; list only "
                "the other regions",
            )
        require(
            len(set(regions)) == len(regions),
            self._owner,
            "replica_regions",
            list(regions),
            "each region once",
        )
        require(
            stream in (None, dynamodb.StreamViewType.NEW_AND_OLD_IMAGES),
            self._owner,
            "stream",
            stream.value if stream else None,
            "global tables with replicas replicate through a NEW_AND_OLD_IMAGES stream",
        )
        if encryption_key is not None:
            given = dict(replica_key_arns or {})
            missing = sorted(set(regions) - set(given))
            extra = sorted(set(given) - set(regions))
            require(
                not missing and not extra,
                self._owner,
                "replica_key_arns",
                given,
                f"one KMS key ARN per replica region (missing: {missing}, not a replica: "
                f"{extra}); KMS keys are regional",
            )
            for region, arn in given.items():
                require(
                    Token.is_unresolved(arn) or f":kms:{region}:" in arn,
                    self._owner,
                    "replica_key_arns",
                    {region: arn},
                    f"a KMS key ARN in {region}",
                )

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


@dataclass(frozen=True)
class TableSpec:
    """One table in :func:`tables_from_specs`: its shape, plus optional per-table overrides.

    Args:
        name: short name (through the naming strategy) and the key of the returned dict. The
            construct id is its PascalCase form (``message-threads`` -> ``MessageThreads``).
        partition_key: ``"id"``, ``"createdAt:N"`` or an ``Attribute``.
        sort_key: optional sort key.
        single_table: generic ``pk``/``sk`` keys instead of ``partition_key``/``sort_key``.
        global_indexes: GSIs.
        local_indexes: LSIs.
        stream: stream view type. Default none.
        time_to_live_attribute: TTL attribute. Default none.
        point_in_time_recovery: overrides the shared setting / stage profile.
        contributor_insights: overrides the shared setting.
        provisioned: overrides the shared billing.
        table_name: literal physical name instead of ``name`` through the naming strategy.
        construct_id: explicit construct id (keep it once deployed).
    """

    name: str
    partition_key: KeySpec | None = None
    sort_key: KeySpec | None = None
    single_table: bool = False
    global_indexes: Sequence[IndexSpec] = ()
    local_indexes: Sequence[IndexSpec] = ()
    stream: dynamodb.StreamViewType | None = None
    time_to_live_attribute: str | None = None
    point_in_time_recovery: bool | None = None
    contributor_insights: bool | None = None
    provisioned: ProvisionedCapacity | None = None
    table_name: str | None = None
    construct_id: str | None = None

    @property
    def resolved_construct_id(self) -> str:
        """``construct_id``, else the PascalCase form of ``name``."""
        if self.construct_id:
            return self.construct_id
        return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", self.name) if p)


def tables_from_specs(
    scope: Construct,
    specs: Sequence[TableSpec],
    *,
    point_in_time_recovery: bool | None = None,
    recovery_period_days: int | None = None,
    provisioned: ProvisionedCapacity | None = None,
    encryption_key: kms.IKey | None = None,
    replica_regions: Sequence[str] = (),
    replica_key_arns: Mapping[str, str] | None = None,
    contributor_insights: bool = False,
    deletion_protection: bool | None = None,
    removal_policy: RemovalPolicy | None = None,
    table_class: dynamodb.TableClass | None = None,
    export_prefix: str | None = None,
    stage_profile: StageProfile | None = None,
    naming: Naming | None = None,
) -> dict[str, DataTable]:
    """Create one :class:`DataTable` per spec under ``scope``, with shared settings.

    The keyword arguments are the shared props of every table (see :class:`DataTable`); a spec's
    own ``point_in_time_recovery``, ``contributor_insights`` and ``provisioned`` win over them.
    With ``export_prefix``, each table exports under ``{export_prefix}-{ConstructId}``.

    Returns:
        The tables by ``spec.name``, in spec order.
    """
    names = [spec.name for spec in specs]
    ids = [spec.resolved_construct_id for spec in specs]
    for prop, values in (("specs[].name", names), ("specs[] construct id", ids)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        require(
            not duplicates,
            "tables_from_specs",
            prop,
            duplicates,
            "table names and their PascalCase construct ids must be unique",
        )
    require(
        all(ids),
        "tables_from_specs",
        "specs[].name",
        names,
        "names need at least one letter or digit",
    )
    tables: dict[str, DataTable] = {}
    for spec, construct_id in zip(specs, ids, strict=True):
        tables[spec.name] = DataTable(
            scope,
            construct_id,
            name=None if spec.table_name else spec.name,
            table_name=spec.table_name,
            partition_key=spec.partition_key,
            sort_key=spec.sort_key,
            single_table=spec.single_table,
            global_indexes=spec.global_indexes,
            local_indexes=spec.local_indexes,
            stream=spec.stream,
            time_to_live_attribute=spec.time_to_live_attribute,
            point_in_time_recovery=(
                point_in_time_recovery
                if spec.point_in_time_recovery is None
                else spec.point_in_time_recovery
            ),
            recovery_period_days=recovery_period_days,
            provisioned=spec.provisioned or provisioned,
            encryption_key=encryption_key,
            replica_regions=replica_regions,
            replica_key_arns=replica_key_arns,
            contributor_insights=(
                contributor_insights
                if spec.contributor_insights is None
                else spec.contributor_insights
            ),
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
            table_class=table_class,
            export_prefix=f"{export_prefix}-{construct_id}" if export_prefix else None,
            stage_profile=stage_profile,
            naming=naming,
        )
    return tables
