"""Constructs declared as data: one spec per construct, and the rules a set of specs meets.

``TableSpec``/``tables_from_specs`` and ``PipelineSpec``/``pipelines_from_specs`` are the same
idea for two constructs: a name, an optional construct id, and the construct's own props, built
into a dict by name with shared props underneath. This module holds what they share.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence

from petplatform_constructs.core.errors import Problems

__all__ = ["ConstructSpec", "planned_props"]


class ConstructSpec:
    """One construct of a set: its short name, its construct id, and its own props.

    The construct id defaults to the PascalCase form of ``name`` (``message-threads`` ->
    ``MessageThreads``); give ``construct_id`` to keep a deployed id when renaming.
    """

    __slots__ = ("construct_id", "name", "props")

    def __init__(self, name: str, construct_id: str | None, props: Mapping[str, object]) -> None:
        self.name = name
        self.construct_id = construct_id
        self.props: Mapping[str, object] = dict(props)
        """The construct's own props; they win over the shared ones."""

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.props.items())
        return f"{type(self).__name__}({self.name!r}{', ' + given if given else ''})"

    @property
    def resolved_construct_id(self) -> str:
        """``construct_id``, else the PascalCase form of ``name``."""
        if self.construct_id:
            return self.construct_id
        return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", self.name) if p)


def planned_props(
    owner: str,
    specs: object,
    spec_type: type[ConstructSpec],
    shared: Mapping[str, object],
    *,
    literal_name_prop: str,
    per_construct: Collection[str] = (),
) -> Iterator[tuple[ConstructSpec, str, dict[str, object]]]:
    """Check a set of specs and yield ``(spec, construct id, props)`` for each, in order.

    Refuses (all at once) a non-list, per-construct props among the shared ones (``name``,
    ``literal_name_prop`` and ``per_construct``), and duplicate names or construct ids. Each
    construct's props are the shared ones, then its own, then ``name`` from the spec unless it
    has a literal name, and ``export_prefix`` extended with its construct id.
    """
    problems = Problems(owner)
    kind = spec_type.__name__
    if problems.check_sequence("specs", specs, spec_type, kind):
        checked: Sequence[ConstructSpec] = specs  # type: ignore[assignment]
    else:
        checked = ()
    for prop in sorted({"name", literal_name_prop, *per_construct} & set(shared)):
        problems.add(prop, shared.get(prop), f"a per-construct prop: set it on the {kind}")
    names = [spec.name for spec in checked]
    ids = [spec.resolved_construct_id for spec in checked]
    for prop, values in (("specs[].name", names), ("specs[] construct id", ids)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        problems.check(
            not duplicates, prop, duplicates, "names and their construct ids must be unique"
        )
    problems.check(all(ids), "specs[].name", names, "names need at least one letter or digit")
    problems.raise_if_any()
    export_prefix = shared.get("export_prefix")
    for spec, construct_id in zip(checked, ids, strict=True):
        props = {**shared, **spec.props}
        if literal_name_prop not in props:
            props.setdefault("name", spec.name)
        if export_prefix:
            props["export_prefix"] = f"{export_prefix}-{construct_id}"
        yield spec, construct_id, props
