"""FifoPipeline: an SQS queue (FIFO by default) with its dead-letter queue and a consumer.

Both queues are encrypted (SSE-SQS or your KMS key), refuse non-TLS requests, keep messages
14 days and long-poll. The dead-letter queue accepts redrives only from its main queue when
both have names, so ``StartMessageMoveTask`` moves failed messages back after a fix.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.compute.serverless_api import ApiFunction
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.names import ResourceKind
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.integration.fifo_pipeline.props import FifoPipelineProps
from petplatform_constructs.integration.fifo_pipeline.validation import (
    PipelinePlan,
    plan_pipeline,
)
from petplatform_constructs.platform.log_encryption import log_key_for
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "CONSUMER_CONSTRUCT_ID",
    "DEAD_LETTER_QUEUE_CONSTRUCT_ID",
    "QUEUE_CONSTRUCT_ID",
    "FifoPipeline",
]

QUEUE_CONSTRUCT_ID = "Queue"
"""Construct id of the main queue. Public contract: never change it."""
DEAD_LETTER_QUEUE_CONSTRUCT_ID = "DeadLetterQueue"
"""Construct id of the created dead-letter queue. Public contract: never change it."""
CONSUMER_CONSTRUCT_ID = "Consumer"
"""Construct id of the Lambda consumer (children ``Handler``, ``Role``, ``LogGroup``)."""

_CONSUME_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
)


class FifoPipeline(Construct):
    """An SQS queue (FIFO by default), its dead-letter queue of the same type, and optionally a
    Lambda consumer with partial batch failures.

    Stable construct ids: ``Queue``, ``DeadLetterQueue`` (unless ``dead_letter_queue`` is
    given), ``Consumer`` (with a consumer); with ``existing_queue`` only ``Consumer``. Outputs
    with ``export_prefix``: ``QueueUrl``, ``QueueArn``, ``DeadLetterQueueArn``.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.

    Attributes:
        queue: the main ``sqs.Queue`` (the ``existing_queue``, if given). dead_letter_queue:
            its dead-letter queue (None for an existing queue without ``dead_letter_queue``).
        imported: whether the queue exists elsewhere (``existing_queue``).
        fifo: whether the queues are FIFO. max_receive_count: receives before dead-lettering.
        consumer: the consumer ``lambda.Function``, if any; ``consumer_role`` its role,
            ``consumer_log_group`` its log group, ``log_encryption_key`` that group's key.
        event_source_mapping_id: the consumer's event source mapping id, if any.
        outputs: CfnOutputs by attribute, with ``export_prefix``.
    """

    def __init__(self, scope: Construct, id: str, **props: Unpack[FifoPipelineProps]) -> None:
        super().__init__(scope, id)
        owner = f"{type(self).__name__} {self.node.path}"
        received = receive(owner, FifoPipelineProps, props)
        problems, valid, rejected = received.problems, received.valid, received.rejected
        plan = plan_pipeline(self, problems, valid, rejected)
        problems.raise_if_any()
        assert plan is not None  # no problems, so the plan exists

        profile = StageProfile.of(self, valid.get("stage_profile"))
        self.fifo = plan.fifo
        self.max_receive_count = plan.max_receive_count
        self.outputs: dict[str, CfnOutput] = {}
        existing = valid.get("existing_queue")
        self.imported = existing is not None
        self.dead_letter_queue: sqs.IQueue | None = valid.get("dead_letter_queue")
        self.queue: sqs.IQueue
        if existing is not None:
            self.queue = existing
        else:
            dead_letter_queue = self.dead_letter_queue or self._queue(
                DEAD_LETTER_QUEUE_CONSTRUCT_ID, plan, valid, profile, plan.dead_letter_queue_name
            )
            self.dead_letter_queue = dead_letter_queue
            self.queue = self._queue(
                QUEUE_CONSTRUCT_ID,
                plan,
                valid,
                profile,
                plan.queue_name,
                dead_letter=sqs.DeadLetterQueue(
                    queue=dead_letter_queue, max_receive_count=plan.max_receive_count
                ),
            )
        self.consumer: lambda_.Function | None = None
        self.consumer_role: iam.Role | None = None
        self.consumer_log_group: logs.LogGroup | None = None
        self.log_encryption_key: kms.IKey | None = None
        self.event_source_mapping_id: str | None = None
        if plan.consumer is not None:
            self._add_consumer(plan, valid, profile)
        export_prefix = valid.get("export_prefix")
        if export_prefix is not None and self.dead_letter_queue is not None:
            self.outputs = add_exports(
                self,
                export_prefix,
                {
                    "QueueUrl": self.queue.queue_url,
                    "QueueArn": self.queue.queue_arn,
                    "DeadLetterQueueArn": self.dead_letter_queue.queue_arn,
                },
            )

    def _queue(
        self,
        id: str,
        plan: PipelinePlan,
        props: FifoPipelineProps,
        profile: StageProfile,
        name: str | None,
        *,
        dead_letter: sqs.DeadLetterQueue | None = None,
    ) -> sqs.Queue:
        key = props.get("encryption_key")
        high_throughput = bool(props.get("high_throughput")) and dead_letter is not None
        return sqs.Queue(
            self,
            id,
            queue_name=name,
            fifo=True if plan.fifo else None,
            content_based_deduplication=plan.content_based_deduplication,
            deduplication_scope=sqs.DeduplicationScope.MESSAGE_GROUP if high_throughput else None,
            fifo_throughput_limit=sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID
            if high_throughput
            else None,
            retention_period=plan.retention_period,
            receive_message_wait_time=props.get("receive_wait_time") or Duration.seconds(20),
            visibility_timeout=plan.visibility_timeout,
            encryption=sqs.QueueEncryption.KMS if key else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=key,
            enforce_ssl=True,
            dead_letter_queue=dead_letter,
            redrive_allow_policy=None if dead_letter else self._redrive_allow(plan),
            removal_policy=profile.removal_policy,
        )

    def _redrive_allow(self, plan: PipelinePlan) -> sqs.RedriveAllowPolicy:
        """Only the main queue may use the dead-letter queue, when its ARN is known up front
        (a generated name would make the two queues refer to each other)."""
        if plan.queue_name is None:
            return sqs.RedriveAllowPolicy(redrive_permission=sqs.RedrivePermission.ALLOW_ALL)
        stack = Stack.of(self)
        arn = stack.format_arn(service="sqs", resource=plan.queue_name)
        source = sqs.Queue.from_queue_attributes(
            self, "MainQueueRef", queue_arn=arn, fifo=plan.fifo or None
        )
        return sqs.RedriveAllowPolicy(
            redrive_permission=sqs.RedrivePermission.BY_QUEUE, source_queues=[source]
        )

    def _add_consumer(
        self, plan: PipelinePlan, props: FifoPipelineProps, profile: StageProfile
    ) -> None:
        spec = plan.consumer
        assert spec is not None
        function_name = None
        if props.get("name") is not None:
            naming = Naming.of(self, props.get("naming"))
            function_name = naming.name(spec.name, ResourceKind.LAMBDA_FUNCTION)
        self.log_encryption_key = log_key_for(self, props.get("log_encryption_key"), profile)
        built = ApiFunction(
            self,
            CONSUMER_CONSTRUCT_ID,
            spec=spec,
            function_name=function_name,
            timeout=plan.consumer_timeout,
            environment={"QUEUE_URL": self.queue.queue_url},
            profile=profile,
            log_encryption_key=self.log_encryption_key,
        )
        report = props.get("report_batch_item_failures")
        source = event_sources.SqsEventSource(
            self.queue,
            batch_size=plan.batch_size,
            max_batching_window=props.get("max_batching_window"),
            max_concurrency=props.get("max_concurrency"),
            report_batch_item_failures=report is not False,
        )
        built.function.add_event_source(source)
        self.consumer, self.consumer_role = built.function, built.role
        self.consumer_log_group = built.log_group
        self.event_source_mapping_id = source.event_source_mapping_id

    # -- public API -------------------------------------------------------------------------
    def grant_send(self, grantee: iam.IGrantable) -> iam.Grant:
        """``sqs:SendMessage`` (and the key, if any) on the main queue."""
        return self.queue.grant_send_messages(grantee)

    def grant_consume(self, grantee: iam.IGrantable) -> iam.Grant:
        """Receive, delete and change visibility of messages of the main queue."""
        return self.queue.grant_consume_messages(grantee)

    def grant_redrive(self, grantee: iam.IGrantable) -> iam.Grant:
        """Move messages from the dead-letter queue back (``StartMessageMoveTask``)."""
        if self.dead_letter_queue is None:
            raise ValueError(f"{self.node.path} knows no dead-letter queue to redrive from")
        self.queue.grant_send_messages(grantee)
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[
                *_CONSUME_ACTIONS,
                "sqs:StartMessageMoveTask",
                "sqs:ListMessageMoveTasks",
                "sqs:CancelMessageMoveTask",
            ],
            resource_arns=[self.dead_letter_queue.queue_arn],
        )

    def register_observability(self, watcher: Watcher) -> None:
        """Age of the oldest message, dead-letter queue depth > 0, consumer errors and
        throttles."""
        if not watcher.is_watched(self.queue):
            watcher.watch_queue(self.queue)
        if self.dead_letter_queue is not None and not watcher.is_watched(self.dead_letter_queue):
            watcher.watch_queue(self.dead_letter_queue, dlq=True)
        if self.consumer is not None:
            watcher.watch_lambda(self.consumer)
