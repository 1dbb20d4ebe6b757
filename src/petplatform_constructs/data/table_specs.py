"""Many tables from data: :class:`TableSpec` per table, :func:`tables_from_specs` for the set.

A spec takes the same props as :class:`~petplatform_constructs.DataTable`
(:class:`~petplatform_constructs.data.data_table.DataTableProps`), so every table option is
available per table with no second declaration; ``tables_from_specs`` takes the shared ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.specs import ConstructSpec, planned_props
from petplatform_constructs.data.data_table import DataTable, DataTableProps, TableSettings

__all__ = ["TableSpec", "tables_from_specs"]


class TableSpec(ConstructSpec):
    """One table in :func:`tables_from_specs`: its name, and any :class:`DataTable` props.

    Args:
        name: short name (through the naming strategy, unless ``table_name`` is given) and the
            key of the returned dict. The construct id is its PascalCase form
            (``message-threads`` -> ``MessageThreads``).
        construct_id: explicit construct id (keep it once deployed). Default: from ``name``.
        props: :class:`DataTableProps` of this table; they win over the shared ones.
    """

    __slots__ = ()

    def __init__(
        self, name: str, /, *, construct_id: str | None = None, **props: Unpack[DataTableProps]
    ) -> None:
        super().__init__(name, construct_id, props)


def tables_from_specs(
    scope: Construct, specs: Sequence[TableSpec], **shared: Unpack[TableSettings]
) -> dict[str, DataTable]:
    """Create one :class:`DataTable` per spec under ``scope``, with shared settings.

    ``shared`` are :class:`TableSettings` for every table; a spec's own props win over them.
    With ``export_prefix``, each table exports under ``{export_prefix}-{ConstructId}``.

    Returns:
        The tables by ``spec.name``, in spec order.
    """
    return {
        spec.name: DataTable(scope, construct_id, **props)  # type: ignore[arg-type]
        for spec, construct_id, props in planned_props(
            "tables_from_specs", specs, TableSpec, shared, literal_name_prop="table_name"
        )
    }
