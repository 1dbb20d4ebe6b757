"""SQS: what moto 5.2 gets wrong or lacks for FIFO pipelines.

* An unnamed FIFO queue in CloudFormation: moto used the generated name as is and refused it
  (a FIFO name must end in ``.fifo``); CloudFormation appends the suffix, and so does this.
* Deduplication: moto compared a new message only with those still in the queue, so a message
  sent again after the first was consumed and deleted was delivered twice. Each queue now
  remembers the deduplication ids it accepted for the 5-minute window (per message group with
  ``DeduplicationScope=messageGroup``).
* The Lambda event source mapping: moto invoked the function in Docker. Messages are handed to
  the in-process invoker registered for the function (see
  :mod:`petplatform_localcloud.event_sources`), batch by batch until the queue is drained (a
  ``SendMessageBatch`` is consumed together), with partial batch failures
  (``batchItemFailures``): failed messages become visible again at once (no wait for the
  visibility timeout) and move to the dead-letter queue after ``maxReceiveCount`` receives.
  Without an invoker the messages stay in the queue.
* ``StartMessageMoveTask`` (and ``ListMessageMoveTasks``): missing. A task moves every message
  of a dead-letter queue back to its source queue (or ``DestinationArn``) at once, keeping group
  and deduplication ids, as a redrive does; the task is ``COMPLETED`` when the call returns.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.sqs import models as sqs_models
from moto.sqs import responses as sqs_responses
from moto.sqs.exceptions import InvalidParameterValue, QueueDoesNotExist

from petplatform_localcloud.moto_extensions.patching import Patch, replace, wrap
from petplatform_localcloud.moto_extensions.records import Json

__all__ = ["DEDUPLICATION_WINDOW_SECONDS", "LAMBDA_INVOKERS", "PATCHES"]

DEDUPLICATION_WINDOW_SECONDS = 300
LAMBDA_INVOKERS: dict[str, Callable[[Json], object]] = {}
"""Function ARN -> callable taking an SQS event and returning the handler's result."""
_MAX_ROUNDS = 100  # batches per drain: a handler that never succeeds still ends
_SEEN: dict[int, dict[tuple[str, str], float]] = {}  # id(queue) -> {(scope, dedup id): time}
_MOVE_TASKS: dict[str, list[Json]] = {}  # source ARN -> tasks
_local = threading.local()


def _fifo_named(original: Any) -> Any:
    def create(
        cls: Any,
        /,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = cloudformation_json.get("Properties", {})
        fifo = str(props.get("FifoQueue", "")).lower() == "true"
        name = str(resource_name)
        if fifo and not name.endswith(".fifo"):
            resource_name = name[: 80 - len(".fifo")] + ".fifo"
        return original(resource_name, cloudformation_json, account_id, region_name, **kwargs)

    return classmethod(create)


def _deduplicated(original: Any) -> Any:
    def add_message(self: Any, message: Any) -> None:
        moving = getattr(_local, "bypass", False)  # a redrive: never deduplicated
        fresh = not message.approximate_receive_count  # not a dead letter being moved
        if self.fifo_queue and message.deduplication_id and fresh and not moving:
            by_group = self.attributes.get("DeduplicationScope") == "messageGroup"
            key = (message.group_id if by_group else "", message.deduplication_id)
            seen = _SEEN.setdefault(id(self), {})
            now = time.time()
            for old in [k for k, at in seen.items() if now - at >= DEDUPLICATION_WINDOW_SECONDS]:
                del seen[old]
            if key in seen:
                return
            seen[key] = now
        mappings = self.lambda_event_source_mappings
        if self.fifo_queue:  # deduplicated above (moto's own check ignores the scope)
            with self._messages_lock:
                self._messages.append(message)
                self._messages_lock.notify_all()
        else:
            self.lambda_event_source_mappings = {}
            try:
                original(self, message)
            finally:
                self.lambda_event_source_mappings = mappings
        if moving:
            return
        deferred = getattr(_local, "deferred", None)
        if deferred is not None:
            deferred[id(self)] = (self, mappings)
        else:
            _consume(self, mappings)

    return add_message


def _batched(original: Any) -> Any:
    """``SendMessageBatch``: the consumer sees the batch together, as Lambda's poller would."""

    def send_message_batch(self: Any, queue_name: str, entries: Any) -> Any:
        _local.deferred = {}
        try:
            result = original(self, queue_name, entries)
        finally:
            pending, _local.deferred = _local.deferred, None
        for queue, mappings in pending.values():
            _consume(queue, mappings)
        return result

    return send_message_batch


def _consume(queue: Any, mappings: dict[str, Any]) -> None:
    for function_arn, mapping in list(mappings.items()):
        invoke = LAMBDA_INVOKERS.get(function_arn)
        if mapping.enabled and invoke is not None:
            _drain(queue, mapping, invoke)


def _drain(queue: Any, mapping: Any, invoke: Callable[[Json], object]) -> None:
    """Invoke the consumer with batches until the queue has no visible message."""
    backend = sqs_models.sqs_backends[queue.account_id][queue.region]
    partial = "ReportBatchItemFailures" in (mapping.function_response_types or [])
    for _ in range(_MAX_ROUNDS):
        messages = backend.receive_message(
            queue.name, int(mapping.batch_size or 10), 0, int(queue.visibility_timeout)
        )
        if not messages:
            return
        event = {"Records": [_record(queue, m) for m in messages]}
        try:
            result = invoke(event)
            failed = _failed_ids(result) if partial else set()
        except Exception:  # the whole batch failed
            failed = {m.id for m in messages}
        for message in messages:
            handle = str(message.receipt_handle)
            if message.id in failed:
                backend.change_message_visibility(queue.name, handle, 0)
            else:
                backend.delete_message(queue.name, handle)


def _failed_ids(result: object) -> set[str]:
    if not isinstance(result, dict):
        return set()
    failures = result.get("batchItemFailures") or []
    return {str(f.get("itemIdentifier")) for f in failures if isinstance(f, dict)}


def _record(queue: Any, message: Any) -> Json:
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(message.sent_timestamp),
        "SenderId": str(message.sender_id),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if queue.fifo_queue:
        attributes["MessageGroupId"] = str(message.group_id)
        attributes["MessageDeduplicationId"] = str(message.deduplication_id)
        attributes["SequenceNumber"] = str(message.sequence_number)
    return {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": message.message_attributes or {},
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.queue_arn,
        "awsRegion": queue.region,
    }


def _queue_by_arn(backend: Any, arn: str) -> Any:
    for queue in backend.queues.values():
        if queue.queue_arn == arn:
            return queue
    raise QueueDoesNotExist()


def start_message_move_task(
    backend: Any, source_arn: str, destination_arn: str | None = None
) -> str:
    """Move every message of dead-letter queue ``source_arn`` back; return the task handle."""
    dlq = _queue_by_arn(backend, source_arn)
    if destination_arn:
        destination = _queue_by_arn(backend, destination_arn)
    else:
        sources = backend.list_dead_letter_source_queues(dlq.name)
        if len(sources) != 1:
            raise InvalidParameterValue(
                "Give DestinationArn: the source queue of this dead-letter queue is not unique"
            )
        destination = sources[0]
    with dlq._messages_lock:
        moved, dlq._messages = list(dlq._messages), []
    for message in moved:
        message.approximate_receive_count = 0
        message.visible_at = 0.0
        message.receipt_handle = None
        _local.bypass = True
        try:
            destination.add_message(message)
        finally:
            _local.bypass = False
    handle = uuid.uuid4().hex
    task = {
        "TaskHandle": handle,
        "Status": "COMPLETED",
        "SourceArn": source_arn,
        "DestinationArn": destination.queue_arn,
        "ApproximateNumberOfMessagesMoved": len(moved),
        "ApproximateNumberOfMessagesToMove": len(moved),
        "StartedTimestamp": int(time.time() * 1000),
    }
    _MOVE_TASKS.setdefault(source_arn, []).insert(0, task)
    _consume(destination, destination.lambda_event_source_mappings)
    return json.dumps({"TaskHandle": handle})


def _start_response(self: Any) -> ActionResult:
    result = start_message_move_task(
        self.sqs_backend, self._get_param("SourceArn"), self._get_param("DestinationArn")
    )
    return ActionResult(json.loads(result))


def _list_response(self: Any) -> ActionResult:
    tasks = _MOVE_TASKS.get(self._get_param("SourceArn"), [])
    limit = int(self._get_param("MaxResults") or 1)
    return ActionResult({"Results": tasks[:limit]})


PATCHES: tuple[Patch, ...] = (
    wrap(sqs_models.Queue, "create_from_cloudformation_json", _fifo_named),
    wrap(sqs_models.Queue, "add_message", _deduplicated),
    wrap(sqs_models.SQSBackend, "send_message_batch", _batched),
    replace(sqs_responses.SQSResponse, "start_message_move_task", _start_response),
    replace(sqs_responses.SQSResponse, "list_message_move_tasks", _list_response),
)
