"""What to watch on an SQS queue: the backlog of a work queue, the depth of a dead-letter one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from petplatform_constructs.core.watch import Panel, WatchPlan
from petplatform_constructs.observability.plans.common import AT_LEAST, alarm_panel

if TYPE_CHECKING:
    from aws_cdk import Duration
    from aws_cdk import aws_sqs as sqs

__all__ = ["queue_plan"]


def queue_plan(
    queue: sqs.IQueue,
    *,
    label: str,
    dead_letter_queue: bool,
    oldest_message_age_seconds: float,
    dlq_messages: float,
    period: Duration,
) -> WatchPlan:
    """Backlog age of a work queue, or the depth of a dead-letter queue."""
    visible = queue.metric_approximate_number_of_messages_visible(
        statistic="Maximum", period=period
    )
    if dead_letter_queue:
        return WatchPlan(
            kind="DeadLetterQueue",
            title=f"SQS dead-letter queue {label}",
            panels=[
                alarm_panel(
                    "Messages visible",
                    visible,
                    id="Messages",
                    threshold=dlq_messages,
                    comparison=AT_LEAST,
                    summary=f"Dead-letter queue {label} holds at least {dlq_messages:g} "
                    "message(s).",
                    runbook="messages failed processing repeatedly: inspect them in the "
                    "console, fix the consumer, then redrive them to the source queue.",
                    # Any dead letter is a failure already: alarm on the first datapoint.
                    evaluation_periods=1,
                    datapoints_to_alarm=1,
                )
            ],
        )
    return WatchPlan(
        kind="Queue",
        title=f"SQS queue {label}",
        panels=[
            alarm_panel(
                "Age of oldest message (s)",
                queue.metric_approximate_age_of_oldest_message(statistic="Maximum", period=period),
                id="OldestMessageAge",
                threshold=oldest_message_age_seconds,
                comparison=AT_LEAST,
                summary=f"SQS queue {label}: a message has waited at least "
                f"{oldest_message_age_seconds:g} s.",
                runbook="consumers fail or lag: check the consumer's errors and throttles, "
                "its concurrency and batch size, and poison messages.",
            ),
            Panel(
                "Messages",
                [
                    visible,
                    queue.metric_approximate_number_of_messages_not_visible(
                        statistic="Maximum", period=period
                    ),
                    queue.metric_number_of_messages_sent(statistic="Sum", period=period),
                ],
            ),
        ],
    )
