"""DataTable's props, declared once, and the value types they use.

:class:`TableSettings` holds what every table of an app may share (protection, billing,
encryption, replicas, exports); :class:`DataTableProps` adds the table's shape (keys, indexes,
stream). Presets reuse them: ``ProfilesTable`` takes ``TableSettings`` and fixes the shape,
``TableSpec`` and ``tables_from_specs`` take ``DataTableProps``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias, TypedDict

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "AutoscaledCapacity",
    "DataTableProps",
    "IndexSpec",
    "KeySpec",
    "ProvisionedCapacity",
    "TableSettings",
    "key_attribute",
]

KeySpec: TypeAlias = str | dynamodb.Attribute
"""A key attribute: a ``dynamodb.Attribute``, or ``"name"`` (STRING) / ``"name:S|N|B"``."""

_KEY_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_KEY_RULE = "an attribute name of 1-255 characters, optionally ':S', ':N' or ':B'"


def key_attribute(
    spec: KeySpec, *, problems: Problems | None = None, prop: str = "key"
) -> dynamodb.Attribute | None:
    """``spec`` as a ``dynamodb.Attribute``: ``"id"`` means STRING, ``"age:N"`` NUMBER.

    A bad spec is recorded in ``problems`` (and ``None`` returned); without ``problems`` it
    raises a :class:`~petplatform_constructs.PropError`.
    """
    report = problems if problems is not None else Problems("key")
    if isinstance(spec, dynamodb.Attribute):
        return spec
    if not isinstance(spec, str):
        report.add(prop, spec, f"{_KEY_RULE}, or a dynamodb.Attribute")
    else:
        name, _, type_code = spec.partition(":")
        attribute_type = _KEY_TYPES.get(type_code.upper() or "S")
        if not (name and len(name) <= 255 and not name.isspace()):
            report.add(prop, spec, _KEY_RULE)
        elif attribute_type is None:
            report.add(prop, spec, "type suffix must be ':S', ':N' or ':B'")
        else:
            return dynamodb.Attribute(name=name, type=attribute_type)
    if problems is None:
        report.raise_if_any()
    return None


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


class TableSettings(TypedDict, total=False):
    """The props a table shares with the other tables of an app. All optional."""

    name: str
    """Short name, passed through the :class:`Naming` strategy in scope
    (``ResourceKind.DYNAMODB_TABLE``). Default: CloudFormation generates a name."""
    table_name: str
    """Literal physical name, validated; excludes ``name``. Default: none."""
    point_in_time_recovery: bool
    """PITR on or off. Default: ``StageProfile.point_in_time_recovery`` (on in prod-like
    stages)."""
    recovery_period_days: int
    """PITR window, 1-35 days, applied when PITR is on. Default 35."""
    time_to_live_attribute: str
    """TTL attribute name. Default: TTL off."""
    provisioned: ProvisionedCapacity
    """Provisioned billing with autoscaling. Default: on-demand (PAY_PER_REQUEST)."""
    encryption_key: kms.IKey
    """Customer-managed KMS key. Default: the AWS-managed key (``aws/dynamodb``)."""
    replica_key_arns: Mapping[str, str]
    """KMS key ARN per replica region; required with ``encryption_key`` and
    ``replica_regions`` (keys are regional). Default none."""
    replica_regions: Sequence[str]
    """Extra regions; the stack region is always the primary replica and must be concrete.
    Adding one later is an in-place update. Default none."""
    contributor_insights: bool
    """CloudWatch Contributor Insights (hot keys). Default False."""
    deletion_protection: bool
    """Default: ``StageProfile.deletion_protection`` (all replicas)."""
    removal_policy: RemovalPolicy
    """Default: ``StageProfile.removal_policy`` (RETAIN in prod-like stages)."""
    table_class: dynamodb.TableClass
    """STANDARD or STANDARD_INFREQUENT_ACCESS. Default STANDARD."""
    export_prefix: str
    """Export ``{prefix}-TableName``, ``-TableArn`` and, with a stream, ``-TableStreamArn``.
    Default: no outputs."""
    stage_profile: StageProfile
    """Profile to use instead of the scope default."""
    naming: Naming
    """Naming strategy to use instead of the scope default."""


class DataTableProps(TableSettings, total=False):
    """Every prop of :class:`~petplatform_constructs.DataTable`: shared settings plus shape."""

    partition_key: KeySpec
    """Partition key (``Attribute`` or ``"name[:S|N|B]"``). Required unless ``single_table``."""
    sort_key: KeySpec
    """Sort key. Default: none."""
    single_table: bool
    """Use the generic single-table keys ``pk`` (S) / ``sk`` (S); excludes ``partition_key``
    and ``sort_key``. Default False."""
    global_indexes: Sequence[IndexSpec]
    """Up to 20 global secondary indexes. Default none."""
    local_indexes: Sequence[IndexSpec]
    """Up to 5 local secondary indexes; they need a table sort key. Default none."""
    stream: dynamodb.StreamViewType
    """Stream view type. Default: no stream; NEW_AND_OLD_IMAGES with replicas."""


SHARED_ONLY: frozenset[str] = frozenset({"export_prefix", "stage_profile", "naming"})
"""Props that apply to a wrapped (existing) table too: they create nothing."""
