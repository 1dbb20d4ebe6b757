"""Every rule a DataTable's props must meet, checked together before anything is created.

:func:`plan_table` turns the props into the arguments of ``TableV2`` and records every problem
in one :class:`~petplatform_constructs.core.errors.Problems`, so a user sees all their mistakes
in one synth.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.names import ResourceKind, physical_name
from petplatform_constructs.data.data_table.props import (
    DataTableProps,
    IndexSpec,
    ProvisionedCapacity,
    key_attribute,
)
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "MAX_GLOBAL_INDEXES",
    "MAX_LOCAL_INDEXES",
    "MAX_PROJECTED_ATTRIBUTES",
    "TablePlan",
    "plan_table",
]

MAX_GLOBAL_INDEXES = 20  # DynamoDB default quota; TableV2 enforces the same number.
MAX_LOCAL_INDEXES = 5  # DynamoDB hard limit.
MAX_PROJECTED_ATTRIBUTES = 100  # non-key attributes projected across all indexes of a table.
_INDEX_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")


@dataclass(frozen=True)
class TablePlan:
    """The checked arguments of the ``TableV2`` to create."""

    physical_name: str | None
    partition_key: dynamodb.Attribute
    sort_key: dynamodb.Attribute | None
    global_indexes: list[dynamodb.GlobalSecondaryIndexPropsV2]
    local_indexes: list[dynamodb.LocalSecondaryIndexProps]
    billing: dynamodb.Billing
    point_in_time_recovery: dynamodb.PointInTimeRecoverySpecification
    replica_regions: tuple[str, ...]


def plan_table(
    scope: IConstruct,
    problems: Problems,
    props: DataTableProps,
    profile: StageProfile,
    rejected: frozenset[str] = frozenset(),
) -> TablePlan | None:
    """Check ``props`` and resolve them; ``None`` when a problem was recorded.

    ``rejected`` names props already reported (wrong type), so no rule reports them missing.
    """
    checker = _TableChecks(scope, problems, rejected)
    name = physical_name(
        scope,
        problems,
        ResourceKind.DYNAMODB_TABLE,
        name=props.get("name"),
        literal=props.get("table_name"),
        literal_prop="table_name",
        strategy=lambda: Naming.of(scope, props.get("naming")),
    )
    pk, sk = checker.table_keys(props)
    global_specs = tuple(props.get("global_indexes") or ())
    local_specs = tuple(props.get("local_indexes") or ())
    gsis = [checker.global_index(i, spec) for i, spec in enumerate(global_specs)]
    lsis = [checker.local_index(i, spec, sk) for i, spec in enumerate(local_specs)]
    checker.index_set(global_specs, local_specs)
    checker.attribute_types(
        [pk, sk]
        + [k for g in gsis if g for k in (g.partition_key, g.sort_key)]
        + [lsi.sort_key for lsi in lsis if lsi]
    )
    pitr = checker.pitr(
        props.get("point_in_time_recovery"), props.get("recovery_period_days"), profile
    )
    replica_regions = tuple(props.get("replica_regions") or ())
    checker.replicas(
        replica_regions,
        props.get("stream"),
        props.get("encryption_key"),
        props.get("replica_key_arns"),
    )
    ttl = props.get("time_to_live_attribute")
    if ttl is not None:
        problems.check(
            1 <= len(ttl) <= 255,
            "time_to_live_attribute",
            ttl,
            "an attribute name of 1-255 characters",
        )
    billing = checker.billing(props.get("provisioned"))
    if problems or pk is None:
        return None
    return TablePlan(
        physical_name=name,
        partition_key=pk,
        sort_key=sk,
        global_indexes=[g for g in gsis if g],
        local_indexes=[lsi for lsi in lsis if lsi],
        billing=billing,
        point_in_time_recovery=pitr,
        replica_regions=replica_regions,
    )


class _TableChecks:
    """The rules of one table, each recording its problems instead of raising."""

    def __init__(self, scope: IConstruct, problems: Problems, rejected: frozenset[str]) -> None:
        self.scope = scope
        self.problems = problems
        self.rejected = rejected

    def table_keys(
        self, props: DataTableProps
    ) -> tuple[dynamodb.Attribute | None, dynamodb.Attribute | None]:
        partition_key, sort_key = props.get("partition_key"), props.get("sort_key")
        if props.get("single_table"):
            given = [p for p, v in (("partition_key", partition_key), ("sort_key", sort_key)) if v]
            self.problems.check(
                not given,
                "single_table",
                True,
                f"single_table defines the keys pk/sk itself; remove {', '.join(given)}",
            )
            return key_attribute("pk"), key_attribute("sk")
        if partition_key is None:
            self.problems.check(
                "partition_key" in self.rejected,
                "partition_key",
                None,
                "a partition key is required (e.g. partition_key='id'), or single_table=True",
            )
            pk = None
        else:
            pk = key_attribute(partition_key, problems=self.problems, prop="partition_key")
        sk = (
            key_attribute(sort_key, problems=self.problems, prop="sort_key")
            if sort_key is not None
            else None
        )
        return pk, sk

    def _index_name(self, prop: str, spec: IndexSpec) -> None:
        self.problems.check(
            isinstance(spec.name, str) and bool(_INDEX_NAME.fullmatch(spec.name)),
            f"{prop}.name",
            spec.name,
            "3-255 characters of A-Za-z0-9, '_', '.' and '-'",
        )

    def _projection(self, prop: str, spec: IndexSpec) -> list[str] | None:
        attributes = list(spec.non_key_attributes)
        if spec.projection is dynamodb.ProjectionType.INCLUDE:
            self.problems.check(
                bool(attributes) and all(attributes),
                f"{prop}.non_key_attributes",
                attributes,
                f"projection INCLUDE of index {spec.name!r} needs the attributes to project",
            )
            return attributes
        self.problems.check(
            not attributes,
            f"{prop}.non_key_attributes",
            attributes,
            f"only projection INCLUDE takes non_key_attributes (index {spec.name!r} uses "
            f"{spec.projection.value})",
        )
        return None

    def global_index(self, i: int, spec: IndexSpec) -> dynamodb.GlobalSecondaryIndexPropsV2 | None:
        prop = f"global_indexes[{i}]"
        if not self.problems.check_type(prop, spec, IndexSpec, "an IndexSpec"):
            return None
        self._index_name(prop, spec)
        projection = self._projection(prop, spec)
        if spec.partition_key is None:
            self.problems.add(
                f"{prop}.partition_key", None, f"global index {spec.name!r} needs a partition key"
            )
            return None
        pk = key_attribute(spec.partition_key, problems=self.problems, prop=f"{prop}.partition_key")
        sk = (
            key_attribute(spec.sort_key, problems=self.problems, prop=f"{prop}.sort_key")
            if spec.sort_key
            else None
        )
        if pk is None:
            return None
        return dynamodb.GlobalSecondaryIndexPropsV2(
            index_name=spec.name,
            partition_key=pk,
            sort_key=sk,
            projection_type=spec.projection,
            non_key_attributes=projection,
        )

    def local_index(
        self, i: int, spec: IndexSpec, table_sort_key: dynamodb.Attribute | None
    ) -> dynamodb.LocalSecondaryIndexProps | None:
        prop = f"local_indexes[{i}]"
        if not self.problems.check_type(prop, spec, IndexSpec, "an IndexSpec"):
            return None
        self._index_name(prop, spec)
        projection = self._projection(prop, spec)
        self.problems.check(
            table_sort_key is not None,
            "local_indexes",
            spec.name,
            "local secondary indexes need a table sort_key (or single_table=True)",
        )
        self.problems.check(
            spec.partition_key is None,
            f"{prop}.partition_key",
            spec.partition_key,
            "a local index always uses the table's partition key; leave it unset",
        )
        if spec.sort_key is None:
            self.problems.add(
                f"{prop}.sort_key", None, f"local index {spec.name!r} needs a sort key"
            )
            return None
        sk = key_attribute(spec.sort_key, problems=self.problems, prop=f"{prop}.sort_key")
        if sk is None:
            return None
        return dynamodb.LocalSecondaryIndexProps(
            index_name=spec.name,
            sort_key=sk,
            projection_type=spec.projection,
            non_key_attributes=projection,
        )

    def index_set(
        self, global_indexes: Sequence[IndexSpec], local_indexes: Sequence[IndexSpec]
    ) -> None:
        self.problems.check(
            len(global_indexes) <= MAX_GLOBAL_INDEXES,
            "global_indexes",
            f"{len(global_indexes)} indexes",
            f"at most {MAX_GLOBAL_INDEXES} global secondary indexes per table",
        )
        self.problems.check(
            len(local_indexes) <= MAX_LOCAL_INDEXES,
            "local_indexes",
            f"{len(local_indexes)} indexes",
            f"at most {MAX_LOCAL_INDEXES} local secondary indexes per table",
        )
        specs = [s for s in (*global_indexes, *local_indexes) if isinstance(s, IndexSpec)]
        names = [spec.name for spec in specs]
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            self.problems.add(
                "global_indexes/local_indexes",
                duplicate,
                "index names must be unique within a table",
            )
        projected = {a for spec in specs for a in spec.non_key_attributes}
        self.problems.check(
            len(projected) <= MAX_PROJECTED_ATTRIBUTES,
            "non_key_attributes",
            f"{len(projected)} distinct attributes",
            f"DynamoDB projects at most {MAX_PROJECTED_ATTRIBUTES} non-key attributes across "
            "all indexes of a table",
        )

    def attribute_types(self, keys: Iterable[dynamodb.Attribute | None]) -> None:
        types: dict[str, dynamodb.AttributeType] = {}
        for key in keys:
            if key is None:
                continue
            known = types.setdefault(key.name, key.type)
            self.problems.check(
                known == key.type,
                "key attributes",
                key.name,
                f"one attribute, one type: {key.name!r} is declared as both {known.value} "
                f"and {key.type.value}",
            )

    def billing(self, provisioned: ProvisionedCapacity | None) -> dynamodb.Billing:
        if provisioned is None:
            return dynamodb.Billing.on_demand()
        before = len(self.problems.errors)
        for direction, scaling in (("read", provisioned.read), ("write", provisioned.write)):
            prop = f"provisioned.{direction}"
            self.problems.check(
                scaling.min_capacity >= 1,
                f"{prop}.min_capacity",
                scaling.min_capacity,
                "at least 1 capacity unit",
            )
            self.problems.check(
                scaling.min_capacity <= scaling.max_capacity,
                f"{prop}.max_capacity",
                scaling.max_capacity,
                f"must be >= min_capacity ({scaling.min_capacity})",
            )
            self.problems.check(
                20 <= scaling.target_utilization_percent <= 90,
                f"{prop}.target_utilization_percent",
                scaling.target_utilization_percent,
                "20-90 (DynamoDB target tracking)",
            )
        if len(self.problems.errors) > before:
            return dynamodb.Billing.on_demand()  # never used: the construct raises
        capacities = [
            dynamodb.Capacity.autoscaled(
                min_capacity=scaling.min_capacity,
                max_capacity=scaling.max_capacity,
                target_utilization_percent=scaling.target_utilization_percent,
            )
            for scaling in (provisioned.read, provisioned.write)
        ]
        return dynamodb.Billing.provisioned(
            read_capacity=capacities[0], write_capacity=capacities[1]
        )

    def pitr(
        self, enabled: bool | None, recovery_period_days: int | None, profile: StageProfile
    ) -> dynamodb.PointInTimeRecoverySpecification:
        if recovery_period_days is not None:
            self.problems.check(
                1 <= recovery_period_days <= 35,
                "recovery_period_days",
                recovery_period_days,
                "1-35 days",
            )
            self.problems.check(
                enabled is not False,
                "recovery_period_days",
                recovery_period_days,
                "needs point-in-time recovery; remove point_in_time_recovery=False",
            )
        on = profile.point_in_time_recovery if enabled is None else enabled
        return dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=on,
            recovery_period_in_days=recovery_period_days if on else None,
        )

    def replicas(
        self,
        regions: tuple[str, ...],
        stream: dynamodb.StreamViewType | None,
        encryption_key: kms.IKey | None,
        replica_key_arns: Mapping[str, str] | None,
    ) -> None:
        check = self.problems.check
        if replica_key_arns is not None:
            check(
                encryption_key is not None,
                "replica_key_arns",
                dict(replica_key_arns),
                "replica keys only apply with a customer-managed encryption_key",
            )
        if not regions:
            check(
                not replica_key_arns,
                "replica_key_arns",
                dict(replica_key_arns or {}),
                "no replica_regions are set",
            )
            return
        stack_region = Stack.of(self.scope).region
        check(
            not Token.is_unresolved(stack_region),
            "replica_regions",
            list(regions),
            "replicas need a concrete stack region: give the stack env=Environment(region=...)",
        )
        for region in regions:
            if not check(
                bool(_REGION.fullmatch(region)),
                "replica_regions",
                region,
                "AWS region names such as 'us-west-2'",
            ):
                continue
            check(
                region != stack_region,
                "replica_regions",
                region,
                f"the stack region {stack_region} is the primary replica already; list only "
                "the other regions",
            )
        check(
            len(set(regions)) == len(regions), "replica_regions", list(regions), "each region once"
        )
        check(
            stream in (None, dynamodb.StreamViewType.NEW_AND_OLD_IMAGES),
            "stream",
            stream.value if stream else None,
            "global tables with replicas replicate through a NEW_AND_OLD_IMAGES stream",
        )
        if encryption_key is not None:
            given = dict(replica_key_arns or {})
            missing = sorted(set(regions) - set(given))
            extra = sorted(set(given) - set(regions))
            check(
                not missing and not extra,
                "replica_key_arns",
                given,
                f"one KMS key ARN per replica region (missing: {missing}, not a replica: "
                f"{extra}); KMS keys are regional",
            )
            for region, arn in given.items():
                check(
                    Token.is_unresolved(arn) or f":kms:{region}:" in arn,
                    "replica_key_arns",
                    {region: arn},
                    f"a KMS key ARN in {region}",
                )
