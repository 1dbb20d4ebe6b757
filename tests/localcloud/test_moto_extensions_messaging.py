"""The SQS and EventBridge fixes of ``moto_extensions`` (``sqs``, ``events``), one by one, on a
hand-written template (no synthesis) deployed once for the module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from botocore.exceptions import ClientError
from localcloud_templates import ACCOUNT, LAMBDA_ROLE, Json, write_assembly

from petplatform_localcloud import LocalCloud, deploy, destroy
from petplatform_localcloud.event_sources import LocalEventSources

pytestmark = pytest.mark.localcloud
STACK = "Messaging"
CONSUMER = """
import json

SEEN = []


def handler(event, context):
    SEEN.extend(json.loads(r["body"])["n"] for r in event["Records"])
    return {"batchItemFailures": []}
"""


def _template() -> Json:
    bus = {"Ref": "Bus"}
    resources: Json = {
        "Unnamed": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
        "Consumed": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "consumed"}},
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "ext-bus"}},
        "Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventBusName": bus,
                "EventPattern": {"source": ["ext.lambda"]},
                "Targets": [{"Id": "Fn", "Arn": {"Fn::GetAtt": ["Consumer", "Arn"]}}],
            },
        },
        "Archive": {
            "Type": "AWS::Events::Archive",
            "Properties": {
                "SourceArn": {"Fn::GetAtt": ["Bus", "Arn"]},
                "EventPattern": {"account": [ACCOUNT]},
                "RetentionDays": 3,
            },
        },
        "Discoverer": {
            "Type": "AWS::EventSchemas::Discoverer",
            "Properties": {"SourceArn": {"Fn::GetAtt": ["Bus", "Arn"]}, "CrossAccount": False},
        },
        "Role": LAMBDA_ROLE,
        "Consumer": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "FunctionName": "ext-consumer",
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": CONSUMER},
            },
        },
        "Mapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "FunctionName": {"Ref": "Consumer"},
                "EventSourceArn": {"Fn::GetAtt": ["Consumed", "Arn"]},
                "BatchSize": 10,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        },
    }
    outputs = {
        "UnnamedName": {"Value": {"Fn::GetAtt": ["Unnamed", "QueueName"]}},
        "DiscovererArn": {"Value": {"Ref": "Discoverer"}},
    }
    return {"Resources": resources, "Outputs": outputs}


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_assembly(tmp_path_factory.mktemp("messaging"), STACK, _template())


@pytest.fixture(scope="module")
def cloud(assembly: Path) -> Iterator[LocalCloud]:
    with LocalCloud(account_id=ACCOUNT) as started:
        deploy(started, assembly)
        yield started
        destroy(started, assembly)


@pytest.fixture(scope="module")
def outputs(cloud: LocalCloud) -> dict[str, str]:
    stack = cloud.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _fifo(cloud: LocalCloud, name: str, **attributes: str) -> str:
    created = cloud.client("sqs").create_queue(
        QueueName=name, Attributes={"FifoQueue": "true", **attributes}
    )
    return str(created["QueueUrl"])


def _drain(sqs: Any, url: str) -> list[str]:
    bodies = []
    while True:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not received:
            return bodies
        for message in received:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_an_unnamed_fifo_queue_gets_the_fifo_suffix(outputs: dict[str, str]) -> None:
    assert outputs["UnnamedName"].startswith(f"{STACK}-Unnamed-")
    assert outputs["UnnamedName"].endswith(".fifo")


def test_a_rule_on_a_bus_given_by_ref(cloud: LocalCloud) -> None:
    rules = cloud.client("events").list_rules(EventBusName="ext-bus")["Rules"]
    ours = [r for r in rules if r.get("ManagedBy") != "prod.vhs.events.aws.internal"]
    ours = [r for r in ours if not r["Name"].startswith("Events-Archive-")]  # the archive's
    assert [(r["EventBusName"], r["EventPattern"]) for r in ours] == [
        ("ext-bus", json.dumps({"source": ["ext.lambda"]}))
    ]


def test_an_archive_with_an_object_pattern(cloud: LocalCloud) -> None:
    (archive,) = cloud.client("events").list_archives()["Archives"]
    described = cloud.client("events").describe_archive(ArchiveName=archive["ArchiveName"])
    assert json.loads(described["EventPattern"]) == {"account": [ACCOUNT]}
    assert described["RetentionDays"] == 3


def test_a_schema_discoverer_record(outputs: dict[str, str]) -> None:
    assert outputs["DiscovererArn"].startswith(f"arn:aws:schemas:us-east-1:{ACCOUNT}:discoverer/")


def test_deduplication_remembers_deleted_messages(cloud: LocalCloud) -> None:
    sqs = cloud.client("sqs")
    url = _fifo(cloud, "dedup.fifo")
    sent = {"QueueUrl": url, "MessageBody": "a", "MessageGroupId": "g"}
    sqs.send_message(**sent, MessageDeduplicationId="one")
    assert _drain(sqs, url) == ["a"]
    sqs.send_message(**sent, MessageDeduplicationId="one")  # within 5 minutes
    assert _drain(sqs, url) == []
    sqs.send_message(**sent, MessageDeduplicationId="two")
    assert _drain(sqs, url) == ["a"]


def test_deduplication_per_message_group_in_high_throughput_mode(cloud: LocalCloud) -> None:
    sqs = cloud.client("sqs")
    url = _fifo(cloud, "ht.fifo", DeduplicationScope="messageGroup")
    for group in ("a", "b", "a"):
        sqs.send_message(
            QueueUrl=url, MessageBody=group, MessageGroupId=group, MessageDeduplicationId="x"
        )
    assert sorted(_drain(sqs, url)) == ["a", "b"]


def test_start_message_move_task(cloud: LocalCloud) -> None:
    sqs = cloud.client("sqs")
    dlq = _fifo(cloud, "moves-dlq.fifo")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
    dlq_arn = dlq_arn["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    source = _fifo(cloud, "moves.fifo", RedrivePolicy=redrive)
    sqs.send_message(
        QueueUrl=source, MessageBody="m", MessageGroupId="g", MessageDeduplicationId="m"
    )
    first = sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]
    assert [m["Body"] for m in first] == ["m"]
    assert sqs.receive_message(QueueUrl=source).get("Messages", []) == []  # moved to the DLQ
    task = sqs.start_message_move_task(SourceArn=dlq_arn)
    listed = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert listed[0]["TaskHandle"] == task["TaskHandle"]
    assert listed[0]["ApproximateNumberOfMessagesMoved"] == 1
    assert _drain(sqs, source) == ["m"]  # not deduplicated: a redrive is not a new send


def test_a_move_task_needs_a_destination_when_the_source_is_unknown(cloud: LocalCloud) -> None:
    sqs = cloud.client("sqs")
    orphan = _fifo(cloud, "orphan.fifo")
    arn = sqs.get_queue_attributes(QueueUrl=orphan, AttributeNames=["QueueArn"])
    with pytest.raises(ClientError, match="DestinationArn"):
        sqs.start_message_move_task(SourceArn=arn["Attributes"]["QueueArn"])


def test_without_an_in_process_invoker_nothing_calls_docker(cloud: LocalCloud) -> None:
    sqs, events = cloud.client("sqs"), cloud.client("events")
    url = sqs.get_queue_url(QueueName="consumed")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 1}))
    assert [json.loads(b)["n"] for b in _drain(sqs, url)] == [1]  # left in the queue
    entry = {"Source": "ext.lambda", "DetailType": "t", "Detail": "{}", "EventBusName": "ext-bus"}
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0  # moto answered 500


def test_the_event_source_mapping_runs_the_function_in_process(
    cloud: LocalCloud, assembly: Path
) -> None:
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="consumed")["QueueUrl"]
    with LocalEventSources(cloud, assembly) as sources:
        function = sources.functions["ext-consumer"]
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(n), "MessageBody": json.dumps({"n": n})} for n in (1, 2, 3)],
        )
        assert sorted(function._modules["index"].SEEN) == [1, 2, 3]
    assert _drain(sqs, url) == []


def test_a_generated_archive_name_fits_in_48_characters() -> None:
    from petplatform_localcloud.moto_extensions.events import fit_archive_name

    long = "listbackup-dev-infrastructure-eventbridge-BusArchiveD76499E2-LYNHXW7DHTIZ"
    fitted = fit_archive_name(long)
    assert len(fitted) == 48 and fitted.endswith("-LYNHXW7DHTIZ")
    assert fitted.startswith("listbackup-dev-infrastructure-")
    assert fit_archive_name("Stack-Archive-ABC") == "Stack-Archive-ABC"
