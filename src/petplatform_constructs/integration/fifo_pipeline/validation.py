"""Every rule a FifoPipeline's props must meet, checked together before anything is created."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Token
from constructs import IConstruct

from petplatform_constructs.compute.serverless_api import FunctionSpec, check_function_spec
from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import check_existing
from petplatform_constructs.core.names import ResourceKind, physical_name, validate_name
from petplatform_constructs.integration.fifo_pipeline.props import (
    DEFAULT_MAX_RECEIVE_COUNT,
    DEFAULT_RETENTION,
    LAMBDA_VISIBILITY_FACTOR,
    FifoPipelineProps,
)
from petplatform_constructs.platform.naming import Naming

__all__ = ["PipelinePlan", "plan_pipeline"]

_MIN_RETENTION_S = 60
_MAX_RETENTION_S = 14 * 24 * 3600
_MAX_VISIBILITY_S = 12 * 3600
_DEFAULT_VISIBILITY_S = 30
_DEFAULT_LAMBDA_TIMEOUT_S = 30
_FIFO_SUFFIX = ".fifo"


@dataclass(frozen=True)
class PipelinePlan:
    """The checked settings of the queues and the consumer."""

    fifo: bool
    queue_name: str | None
    dead_letter_queue_name: str | None
    content_based_deduplication: bool | None
    retention_period: Duration
    visibility_timeout: Duration
    max_receive_count: int
    consumer: FunctionSpec | None
    consumer_timeout: Duration
    batch_size: int


class _FifoNaming:
    """A naming strategy's queue name with ``.fifo`` appended (unless its FIFO pattern has it)."""

    def __init__(self, base: Naming) -> None:
        self.base = base

    def name(self, resource: str, kind: ResourceKind = ResourceKind.SQS_FIFO_QUEUE) -> str:
        if kind.name in self.base.per_kind:
            return self.base.name(resource, kind)
        plain = self.base.pattern.format(resource=resource, **self.base.variables)
        return validate_name(kind, plain + _FIFO_SUFFIX)


def _seconds(value: Duration | None) -> float | None:
    return None if value is None else value.to_seconds()


def plan_pipeline(
    scope: IConstruct, problems: Problems, props: FifoPipelineProps, rejected: frozenset[str]
) -> PipelinePlan | None:
    """Check ``props`` and resolve them; ``None`` when a problem was recorded."""
    if props.get("existing_queue") is not None:
        return _plan_attached(problems, props, rejected)
    fifo = props.get("fifo", True) is not False
    names = _names(scope, problems, props, fifo)
    dedup = props.get("content_based_deduplication")
    if not fifo:
        problems.check(
            not dedup,
            "content_based_deduplication",
            dedup,
            "FIFO queues only: a standard queue never deduplicates (drop the prop or set "
            "fifo=True)",
        )
        problems.check(
            not props.get("high_throughput"),
            "high_throughput",
            props.get("high_throughput"),
            "FIFO queues only: standard queues are high-throughput already",
        )
    retention = props.get("retention_period") or DEFAULT_RETENTION
    _check_range(
        problems, "retention_period", retention, _MIN_RETENTION_S, _MAX_RETENTION_S, "60 s-14 d"
    )
    wait = props.get("receive_wait_time")
    if wait is not None:
        _check_range(problems, "receive_wait_time", wait, 0, 20, "0-20 s")
    max_receive = props.get("max_receive_count", DEFAULT_MAX_RECEIVE_COUNT)
    if "max_receive_count" not in rejected and max_receive is not None:
        problems.check(
            1 <= max_receive <= 1000, "max_receive_count", max_receive, "1 to 1000 receives"
        )
    dlq = props.get("dead_letter_queue")
    if dlq is not None and "dead_letter_queue" not in rejected:
        dlq_fifo = bool(dlq.fifo)
        problems.check(
            dlq_fifo == fifo,
            "dead_letter_queue",
            dlq.node.path,
            f"a {'FIFO' if fifo else 'standard'} queue like the main queue (SQS refuses a "
            "dead-letter queue of the other type)",
        )
    consumer = props.get("consumer")
    consumer_timeout = _consumer(problems, props, consumer, fifo, rejected)
    visibility = props.get("visibility_timeout")
    if visibility is None:
        if consumer is not None:
            visibility = Duration.seconds(
                min(_MAX_VISIBILITY_S, LAMBDA_VISIBILITY_FACTOR * consumer_timeout.to_seconds())
            )
        else:
            visibility = props.get("consumer_timeout") or Duration.seconds(_DEFAULT_VISIBILITY_S)
    else:
        _check_range(problems, "visibility_timeout", visibility, 0, _MAX_VISIBILITY_S, "0-12 h")
        problems.check(
            visibility.to_seconds() >= consumer_timeout.to_seconds(),
            "visibility_timeout",
            f"{visibility.to_seconds():g} s",
            f"at least the consumer's timeout ({consumer_timeout.to_seconds():g} s), else a "
            f"message reappears while it is being processed; {LAMBDA_VISIBILITY_FACTOR}x that "
            "is advised for Lambda",
        )
    batch_size = props.get("batch_size") or 10
    if problems:
        return None
    return PipelinePlan(
        fifo=fifo,
        queue_name=names[0],
        dead_letter_queue_name=names[1],
        content_based_deduplication=(dedup if dedup is not None else True) if fifo else None,
        retention_period=retention,
        visibility_timeout=visibility,
        max_receive_count=max_receive if max_receive is not None else DEFAULT_MAX_RECEIVE_COUNT,
        consumer=consumer,
        consumer_timeout=consumer_timeout,
        batch_size=batch_size,
    )


_QUEUE_PROPS = (
    "fifo", "queue_name", "dead_letter_queue_name", "content_based_deduplication",
    "high_throughput", "retention_period", "receive_wait_time", "visibility_timeout",
    "max_receive_count", "encryption_key", "consumer_timeout", "export_prefix",
)  # fmt: skip


def _plan_attached(
    problems: Problems, props: FifoPipelineProps, rejected: frozenset[str]
) -> PipelinePlan | None:
    """A consumer for ``existing_queue``: no queue prop, and a consumer is required."""
    queue = props.get("existing_queue")
    assert queue is not None
    check_existing(
        problems, "existing_queue", queue, {prop: props.get(prop) for prop in _QUEUE_PROPS}
    )
    consumer = props.get("consumer")
    problems.check(
        consumer is not None or "consumer" in rejected,
        "consumer",
        None,
        "a FunctionSpec: with existing_queue, the consumer is all this construct builds",
    )
    fifo = bool(queue.fifo)
    timeout = _consumer(problems, props, consumer, fifo, rejected)
    if problems:
        return None
    return PipelinePlan(
        fifo=fifo,
        queue_name=None,
        dead_letter_queue_name=None,
        content_based_deduplication=None,
        retention_period=DEFAULT_RETENTION,
        visibility_timeout=Duration.seconds(LAMBDA_VISIBILITY_FACTOR * timeout.to_seconds()),
        max_receive_count=DEFAULT_MAX_RECEIVE_COUNT,
        consumer=consumer,
        consumer_timeout=timeout,
        batch_size=props.get("batch_size") or 10,
    )


def _check_range(
    problems: Problems, prop: str, value: Duration, low: float, high: float, allowed: str
) -> None:
    seconds = value.to_seconds()
    problems.check(low <= seconds <= high, prop, f"{seconds:g} s", allowed)


def _names(
    scope: IConstruct, problems: Problems, props: FifoPipelineProps, fifo: bool
) -> tuple[str | None, str | None]:
    kind = ResourceKind.SQS_FIFO_QUEUE if fifo else ResourceKind.SQS_QUEUE

    def strategy() -> _FifoNaming | Naming:
        base = Naming.of(scope, props.get("naming"))
        return _FifoNaming(base) if fifo else base

    literal = props.get("queue_name")
    if literal is not None and fifo and not Token.is_unresolved(literal):
        problems.check(
            literal.endswith(_FIFO_SUFFIX),
            "queue_name",
            literal,
            "a FIFO queue's name ends in '.fifo' (or set fifo=False for a standard queue)",
        )
    if literal is not None and not fifo and literal.endswith(_FIFO_SUFFIX):
        problems.add("queue_name", literal, "a standard queue's name must not end in '.fifo'")
        return None, None
    if problems:
        return None, None
    name = props.get("name")
    main = physical_name(
        scope,
        problems,
        kind,
        name=name,
        literal=literal,
        literal_prop="queue_name",
        strategy=strategy,
    )
    dlq_literal = props.get("dead_letter_queue_name")
    if dlq_literal is None and literal is not None and not Token.is_unresolved(literal):
        stem = literal.removesuffix(_FIFO_SUFFIX)
        dlq_literal = f"{stem}-dlq{_FIFO_SUFFIX if fifo else ''}"
    if props.get("dead_letter_queue") is not None:
        return main, None
    dlq = physical_name(
        scope,
        problems,
        kind,
        name=f"{name}-dlq" if name is not None and dlq_literal is None else None,
        literal=dlq_literal,
        literal_prop="dead_letter_queue_name",
        strategy=strategy,
    )
    return main, dlq


def _consumer(
    problems: Problems,
    props: FifoPipelineProps,
    consumer: FunctionSpec | None,
    fifo: bool,
    rejected: frozenset[str],
) -> Duration:
    external = props.get("consumer_timeout")
    batch_size = props.get("batch_size")
    if consumer is None:
        for prop in ("batch_size", "max_batching_window", "max_concurrency", "log_encryption_key"):
            problems.check(
                props.get(prop) is None, prop, props.get(prop), "only with a Lambda consumer"
            )
        return external or Duration.seconds(0)
    problems.check(
        external is None,
        "consumer_timeout",
        _seconds(external),
        "for a consumer outside this construct; the Lambda consumer's own timeout is used",
    )
    if "consumer" not in rejected:
        check_function_spec(problems, consumer, "consumer", ())
    if batch_size is not None and "batch_size" not in rejected:
        high = 10 if fifo else 10000
        problems.check(
            1 <= batch_size <= high,
            "batch_size",
            batch_size,
            f"1 to {high} messages" + (" for a FIFO queue" if fifo else ""),
        )
    window = props.get("max_batching_window")
    if window is not None:
        if fifo:
            problems.add(
                "max_batching_window",
                f"{window.to_seconds():g} s",
                "standard queues only: Lambda does not batch FIFO messages over time",
            )
        else:
            _check_range(problems, "max_batching_window", window, 0, 300, "0-300 s")
    concurrency = props.get("max_concurrency")
    if concurrency is not None and "max_concurrency" not in rejected:
        problems.check(
            2 <= concurrency <= 1000, "max_concurrency", concurrency, "2 to 1000 invocations"
        )
    timeout = consumer.timeout if isinstance(consumer, FunctionSpec) else None
    return timeout or Duration.seconds(_DEFAULT_LAMBDA_TIMEOUT_S)
