"""FifoPipeline: an SQS queue (FIFO by default), its dead-letter queue and a Lambda consumer."""

from petplatform_constructs.integration.fifo_pipeline.construct import (
    CONSUMER_CONSTRUCT_ID,
    DEAD_LETTER_QUEUE_CONSTRUCT_ID,
    QUEUE_CONSTRUCT_ID,
    FifoPipeline,
)
from petplatform_constructs.integration.fifo_pipeline.props import (
    DEFAULT_MAX_RECEIVE_COUNT,
    DEFAULT_RETENTION,
    LAMBDA_VISIBILITY_FACTOR,
    FifoPipelineProps,
)
from petplatform_constructs.integration.fifo_pipeline.specs import (
    PipelineSpec,
    pipelines_from_specs,
)

__all__ = [
    "CONSUMER_CONSTRUCT_ID",
    "DEAD_LETTER_QUEUE_CONSTRUCT_ID",
    "DEFAULT_MAX_RECEIVE_COUNT",
    "DEFAULT_RETENTION",
    "LAMBDA_VISIBILITY_FACTOR",
    "QUEUE_CONSTRUCT_ID",
    "FifoPipeline",
    "FifoPipelineProps",
    "PipelineSpec",
    "pipelines_from_specs",
]
