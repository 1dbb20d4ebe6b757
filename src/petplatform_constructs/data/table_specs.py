"""Many tables from data: :class:`TableSpec` per table, :func:`tables_from_specs` for the set.

A spec takes the same props as :class:`~petplatform_constructs.DataTable`
(:class:`~petplatform_constructs.data.data_table.DataTableProps`), so every table option is
available per table with no second declaration; ``tables_from_specs`` takes the shared ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.data.data_table import DataTable, DataTableProps, TableSettings

__all__ = ["TableSpec", "tables_from_specs"]


class TableSpec:
    """One table in :func:`tables_from_specs`: its name, and any :class:`DataTable` props.

    Args:
        name: short name (through the naming strategy, unless ``table_name`` is given) and the
            key of the returned dict. The construct id is its PascalCase form
            (``message-threads`` -> ``MessageThreads``).
        construct_id: explicit construct id (keep it once deployed). Default: from ``name``.
        props: :class:`DataTableProps` of this table; they win over the shared ones.
    """

    __slots__ = ("construct_id", "name", "props")

    def __init__(
        self, name: str, /, *, construct_id: str | None = None, **props: Unpack[DataTableProps]
    ) -> None:
        self.name = name
        self.construct_id = construct_id
        self.props: Mapping[str, object] = dict(props)
        """The table's own props."""

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.props.items())
        return f"TableSpec({self.name!r}{', ' + given if given else ''})"

    @property
    def resolved_construct_id(self) -> str:
        """``construct_id``, else the PascalCase form of ``name``."""
        if self.construct_id:
            return self.construct_id
        return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", self.name) if p)


def tables_from_specs(
    scope: Construct, specs: Sequence[TableSpec], **shared: Unpack[TableSettings]
) -> dict[str, DataTable]:
    """Create one :class:`DataTable` per spec under ``scope``, with shared settings.

    ``shared`` are :class:`TableSettings` for every table; a spec's own props win over them.
    With ``export_prefix``, each table exports under ``{export_prefix}-{ConstructId}``.

    Returns:
        The tables by ``spec.name``, in spec order.
    """
    problems = Problems("tables_from_specs")
    problems.check_sequence("specs", specs, TableSpec, "TableSpec")
    for prop in ("name", "table_name"):
        problems.check(
            prop not in shared, prop, shared.get(prop), "a per-table prop: set it on the TableSpec"
        )
    problems.raise_if_any()
    names = [spec.name for spec in specs]
    ids = [spec.resolved_construct_id for spec in specs]
    for prop, values in (("specs[].name", names), ("specs[] construct id", ids)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        problems.check(
            not duplicates,
            prop,
            duplicates,
            "table names and their PascalCase construct ids must be unique",
        )
    problems.check(all(ids), "specs[].name", names, "names need at least one letter or digit")
    problems.raise_if_any()
    export_prefix = shared.get("export_prefix")
    tables: dict[str, DataTable] = {}
    for spec, construct_id in zip(specs, ids, strict=True):
        props: DataTableProps = {**shared, **spec.props}  # type: ignore[typeddict-item]
        if "table_name" not in props:
            props.setdefault("name", spec.name)
        if export_prefix:
            props["export_prefix"] = f"{export_prefix}-{construct_id}"
        tables[spec.name] = DataTable(scope, construct_id, **props)
    return tables
