"""Many pipelines from data: :class:`PipelineSpec` per queue, :func:`pipelines_from_specs`.

A spec takes the same props as :class:`FifoPipeline` (:class:`FifoPipelineProps`), so every
option is available per pipeline with no second declaration.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.specs import ConstructSpec, planned_props
from petplatform_constructs.integration.fifo_pipeline.construct import FifoPipeline
from petplatform_constructs.integration.fifo_pipeline.props import FifoPipelineProps

__all__ = ["PER_PIPELINE", "PipelineSpec", "pipelines_from_specs"]

PER_PIPELINE = frozenset(
    {"name", "queue_name", "dead_letter_queue_name", "dead_letter_queue", "consumer"}
)
"""Props that name or belong to one pipeline: refused as shared props."""


class PipelineSpec(ConstructSpec):
    """One pipeline of :func:`pipelines_from_specs`: its name, and any FifoPipeline props.

    Args:
        name: short name (through the naming strategy, unless ``queue_name`` is given) and the
            key of the returned dict. The construct id is its PascalCase form
            (``sync-queue`` -> ``SyncQueue``).
        construct_id: explicit construct id (keep it once deployed). Default: from ``name``.
        props: :class:`FifoPipelineProps` of this pipeline; they win over the shared ones.
    """

    __slots__ = ()

    def __init__(
        self,
        name: str,
        /,
        *,
        construct_id: str | None = None,
        **props: Unpack[FifoPipelineProps],
    ) -> None:
        super().__init__(name, construct_id, props)


def pipelines_from_specs(
    scope: Construct, specs: Sequence[PipelineSpec], **shared: Unpack[FifoPipelineProps]
) -> dict[str, FifoPipeline]:
    """Create one :class:`FifoPipeline` per spec under ``scope``, with shared props.

    With ``export_prefix``, each pipeline exports under ``{export_prefix}-{ConstructId}``.

    Returns:
        The pipelines by ``spec.name``, in spec order.
    """
    return {
        spec.name: FifoPipeline(scope, construct_id, **props)  # type: ignore[arg-type]
        for spec, construct_id, props in planned_props(
            "pipelines_from_specs",
            specs,
            PipelineSpec,
            shared,
            literal_name_prop="queue_name",
            per_construct=PER_PIPELINE,
        )
    }
