"""FifoPipeline and EventBus on the local cloud: messages and events really flow.

One app (a bus with two rules, a FIFO pipeline with a Python consumer, a second FIFO pipeline as
a rule target) is deployed once for the module; its consumer runs in-process through
``LocalEventSources``. Tests run in order: each leaves the queues empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_logs as logs

from petplatform_constructs import (
    EventBus,
    FifoPipeline,
    FunctionSpec,
    FunctionTarget,
    LogGroupTarget,
    Naming,
    QueueTarget,
    RuleSpec,
    configure_platform,
)
from petplatform_constructs.testing import SynthResult, make_app, synth
from petplatform_localcloud import DeployReport, LocalCloud, deployed
from petplatform_localcloud.event_sources import LocalEventSources
from petplatform_localcloud.lambda_runtime import LocalFunction

pytestmark = pytest.mark.localcloud

ACCOUNT = "123456789012"
CONSUMER = Path(__file__).resolve().parents[1] / "fixtures" / "fifo_consumer"
QUEUE = "flow-orders-dev.fifo"
DLQ = "flow-orders-dlq-dev.fifo"
ROUTED = "flow-routed-dev.fifo"
BUS = "flow-events-dev"
AUDIT = "/flow/audit"


def _build(app: Any) -> None:
    naming = Naming.templated("flow-{resource}-{stage}", stage="dev")
    configure_platform(app, project="flow", stage="dev", naming=naming)
    stack = Stack(app, "Flow", env=Environment(account=ACCOUNT, region="us-east-1"))
    orders = FifoPipeline(
        stack,
        "Orders",
        name="orders",
        consumer=FunctionSpec("orders", CONSUMER, timeout=Duration.seconds(5)),
        max_receive_count=2,
        batch_size=10,
    )
    routed = FifoPipeline(stack, "Routed", name="routed")
    audit = logs.LogGroup(stack, "Audit", log_group_name=AUDIT)
    assert orders.consumer is not None
    EventBus(
        stack,
        "Events",
        name="events",
        rules=[
            RuleSpec(
                "orders",
                {"source": ["flow.orders"], "detail-type": ["OrderPlaced"]},
                [QueueTarget(routed, message_group_id="orders")],
            ),
            RuleSpec(
                "audit",
                {"source": ["flow.audit"]},
                [FunctionTarget(orders.consumer), LogGroupTarget(audit)],
            ),
        ],
    )


@pytest.fixture(scope="module")
def result() -> SynthResult:
    return synth(make_app(), _build)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(account_id=ACCOUNT) as started:
        yield started


@pytest.fixture(scope="module")
def report(cloud: LocalCloud, result: SynthResult) -> Iterator[DeployReport]:
    with deployed(cloud, result) as deployed_report:
        yield deployed_report


@pytest.fixture(scope="module")
def consumer(cloud: LocalCloud, report: DeployReport, result: SynthResult) -> Iterator[Any]:
    with LocalEventSources(cloud, result) as sources:
        function = sources.functions["flow-orders-dev"]
        function.invoke({"Records": []})  # warm: its module exists from here on
        yield _module(function)


def _module(function: LocalFunction) -> Any:
    return function._modules["app"]


@pytest.fixture(scope="module")
def sqs(cloud: LocalCloud) -> Any:
    return cloud.client("sqs")


def _url(sqs: Any, name: str) -> str:
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])


def _send(sqs: Any, n: int, *, group: str = "g", dedup: str | None = None, **body: Any) -> None:
    sqs.send_message(
        QueueUrl=_url(sqs, QUEUE),
        MessageBody=json.dumps({"n": n, **body}),
        MessageGroupId=group,
        MessageDeduplicationId=dedup or f"m{n}",
    )


def _depth(sqs: Any, name: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=_url(sqs, name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def _seen(consumer: Any) -> list[tuple[str, int]]:
    return [item for batch in consumer.BATCHES for item in batch]


@pytest.mark.checklist("002#34", "002#41")
def test_the_app_deploys_with_its_queues_bus_and_archive(
    report: DeployReport, sqs: Any, cloud: LocalCloud
) -> None:
    assert report.resource_count > 0
    for name in (QUEUE, DLQ, ROUTED):
        assert _url(sqs, name).endswith(name)
    archives = cloud.client("events").list_archives()["Archives"]
    assert [a["EventSourceArn"].rsplit("/", 1)[-1] for a in archives] == [BUS]


@pytest.mark.checklist("002#35")
def test_two_sends_with_one_deduplication_id_deliver_once(consumer: Any, sqs: Any) -> None:
    consumer.BATCHES.clear()
    _send(sqs, 1, dedup="same")
    _send(sqs, 1, dedup="same")  # the first was consumed and deleted already
    assert _seen(consumer) == [("g", 1)]


@pytest.mark.checklist("002#35", "002#39")
def test_order_holds_within_a_message_group(consumer: Any, sqs: Any) -> None:
    consumer.BATCHES.clear()
    for n in range(10, 16):
        _send(sqs, n, group="a" if n % 2 else "b")
    by_group: dict[str, list[int]] = {}
    for group, n in _seen(consumer):
        by_group.setdefault(group, []).append(n)
    assert by_group == {"a": [11, 13, 15], "b": [10, 12, 14]}
    assert _depth(sqs, QUEUE) == 0


@pytest.mark.checklist("002#36", "002#39")
def test_a_failed_item_comes_back_alone_then_lands_in_the_dead_letter_queue(
    consumer: Any, sqs: Any
) -> None:
    consumer.BATCHES.clear()
    sqs.send_message_batch(
        QueueUrl=_url(sqs, QUEUE),
        Entries=[
            {
                "Id": str(n),
                "MessageBody": json.dumps({"n": n, "fail": n == 21}),
                "MessageGroupId": f"p{n}",
                "MessageDeduplicationId": f"p{n}",
            }
            for n in (20, 21, 22)
        ],
    )
    first, *retries = consumer.BATCHES
    assert sorted(n for _, n in first) == [20, 21, 22]  # one batch, one item failed
    assert retries == [[("p21", 21)]]  # only that item came back; max_receive_count is 2
    assert _depth(sqs, QUEUE) == 0
    assert _depth(sqs, DLQ) == 1


@pytest.mark.checklist("002#36")
def test_a_redrive_moves_the_dead_letter_back_and_it_is_consumed(consumer: Any, sqs: Any) -> None:
    consumer.BATCHES.clear()
    consumer.FIXED = True
    dlq_arn = sqs.get_queue_attributes(QueueUrl=_url(sqs, DLQ), AttributeNames=["QueueArn"])
    source = dlq_arn["Attributes"]["QueueArn"]
    handle = sqs.start_message_move_task(SourceArn=source)["TaskHandle"]
    (task,) = sqs.list_message_move_tasks(SourceArn=source)["Results"]
    assert task["TaskHandle"] == handle and task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    assert _seen(consumer) == [("p21", 21)]
    assert _depth(sqs, DLQ) == 0 and _depth(sqs, QUEUE) == 0


def _receive_all(sqs: Any, name: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(
        QueueUrl=_url(sqs, name),
        MaxNumberOfMessages=10,
        AttributeNames=["MessageGroupId"],
        WaitTimeSeconds=0,
    ).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=_url(sqs, name), ReceiptHandle=message["ReceiptHandle"])
    return list(messages)


@pytest.mark.checklist("003#46", "002#42")
def test_an_event_reaches_the_fifo_queue_with_its_group_and_replays(
    cloud: LocalCloud, sqs: Any
) -> None:
    events = cloud.client("events")
    put = events.put_events(
        Entries=[
            {
                "Source": "flow.orders",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps({"order": "o-1"}),
                "EventBusName": BUS,
            },
            {
                "Source": "flow.other",
                "DetailType": "OrderPlaced",
                "Detail": "{}",
                "EventBusName": BUS,
            },
        ]
    )
    assert put["FailedEntryCount"] == 0
    (message,) = _receive_all(sqs, ROUTED)
    assert message["Attributes"]["MessageGroupId"] == "orders"
    assert json.loads(message["Body"])["detail"] == {"order": "o-1"}

    (archive,) = events.list_archives()["Archives"]
    assert archive["EventCount"] >= 1
    bus_arn = events.describe_event_bus(Name=BUS)["Arn"]
    described = events.describe_archive(ArchiveName=archive["ArchiveName"])
    events.start_replay(
        ReplayName="orders-again",
        EventSourceArn=described["ArchiveArn"],
        EventStartTime=described["CreationTime"],
        EventEndTime="2100-01-01T00:00:00Z",
        Destination={"Arn": bus_arn},
    )
    assert events.describe_replay(ReplayName="orders-again")["State"] == "COMPLETED"
    (again,) = _receive_all(sqs, ROUTED)
    assert json.loads(again["Body"])["detail"] == {"order": "o-1"}


def test_lambda_and_log_group_targets_receive_their_event(consumer: Any, cloud: LocalCloud) -> None:
    consumer.EVENTS.clear()
    put = cloud.client("events").put_events(
        Entries=[
            {
                "Source": "flow.audit",
                "DetailType": "Audited",
                "Detail": json.dumps({"who": "ops"}),
                "EventBusName": BUS,
            }
        ]
    )
    assert put["FailedEntryCount"] == 0
    (event,) = consumer.EVENTS
    assert event["detail"] == {"who": "ops"} and event["source"] == "flow.audit"
    logged = cloud.client("logs").filter_log_events(logGroupName=AUDIT)["events"]
    assert [json.loads(e["message"])["detail"] for e in logged] == [{"who": "ops"}]
