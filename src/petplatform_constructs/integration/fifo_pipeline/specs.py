"""Many pipelines from data: :class:`PipelineSpec` per queue, :func:`pipelines_from_specs`.

A spec takes the same props as :class:`FifoPipeline` (:class:`FifoPipelineProps`), so every
option is available per pipeline with no second declaration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.integration.fifo_pipeline.construct import FifoPipeline
from petplatform_constructs.integration.fifo_pipeline.props import FifoPipelineProps

__all__ = ["PER_PIPELINE", "PipelineSpec", "pipelines_from_specs"]

PER_PIPELINE = frozenset(
    {"name", "queue_name", "dead_letter_queue_name", "dead_letter_queue", "consumer"}
)
"""Props that name or belong to one pipeline: refused as shared props."""


class PipelineSpec:
    """One pipeline of :func:`pipelines_from_specs`: its name, and any FifoPipeline props.

    Args:
        name: short name (through the naming strategy, unless ``queue_name`` is given) and the
            key of the returned dict. The construct id is its PascalCase form
            (``sync-queue`` -> ``SyncQueue``).
        construct_id: explicit construct id (keep it once deployed). Default: from ``name``.
        props: :class:`FifoPipelineProps` of this pipeline; they win over the shared ones.
    """

    __slots__ = ("construct_id", "name", "props")

    def __init__(
        self,
        name: str,
        /,
        *,
        construct_id: str | None = None,
        **props: Unpack[FifoPipelineProps],
    ) -> None:
        self.name = name
        self.construct_id = construct_id
        self.props: Mapping[str, object] = dict(props)

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.props.items())
        return f"PipelineSpec({self.name!r}{', ' + given if given else ''})"

    @property
    def resolved_construct_id(self) -> str:
        """``construct_id``, else the PascalCase form of ``name``."""
        if self.construct_id:
            return self.construct_id
        return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", self.name) if p)


def pipelines_from_specs(
    scope: Construct, specs: Sequence[PipelineSpec], **shared: Unpack[FifoPipelineProps]
) -> dict[str, FifoPipeline]:
    """Create one :class:`FifoPipeline` per spec under ``scope``, with shared props.

    With ``export_prefix``, each pipeline exports under ``{export_prefix}-{ConstructId}``.

    Returns:
        The pipelines by ``spec.name``, in spec order.
    """
    problems = Problems("pipelines_from_specs")
    problems.check_sequence("specs", specs, PipelineSpec, "PipelineSpec")
    for prop in sorted(PER_PIPELINE & set(shared)):
        problems.add(prop, shared.get(prop), "a per-pipeline prop: set it on the PipelineSpec")
    problems.raise_if_any()
    names = [spec.name for spec in specs]
    ids = [spec.resolved_construct_id for spec in specs]
    for prop, values in (("specs[].name", names), ("specs[] construct id", ids)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        problems.check(
            not duplicates, prop, duplicates, "pipeline names and construct ids must be unique"
        )
    problems.check(all(ids), "specs[].name", names, "names need at least one letter or digit")
    problems.raise_if_any()
    export_prefix = shared.get("export_prefix")
    pipelines: dict[str, FifoPipeline] = {}
    for spec, construct_id in zip(specs, ids, strict=True):
        props: FifoPipelineProps = {**shared, **spec.props}  # type: ignore[typeddict-item]
        if "queue_name" not in props:
            props.setdefault("name", spec.name)
        if export_prefix:
            props["export_prefix"] = f"{export_prefix}-{construct_id}"
        pipelines[spec.name] = FifoPipeline(scope, construct_id, **props)
    return pipelines
