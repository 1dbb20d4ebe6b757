"""FifoPipeline, PipelineSpec and pipelines_from_specs: template, alarms, grants, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from petplatform_constructs import (
    FifoPipeline,
    FunctionSpec,
    Naming,
    ObservabilityPack,
    PipelineSpec,
    PropError,
    Stage,
    pipelines_from_specs,
    use_naming,
    use_stage_profile,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.testing import SynthResult, make_app, resource_named

Synth = Callable[..., SynthResult]
CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
QUEUE = "AWS::SQS::Queue"
LISTBACKUP = Naming.templated("listbackup-{resource}-{stage}", stage="dev")
SEED_002_QUEUES = ("sync-queue", "backup-queue", "export-queue", "analytics-queue")
SEED_002_QUEUES += ("maintenance-queue", "alert-queue")


def build(stack: Stack) -> None:
    use_naming(stack, LISTBACKUP)
    pipelines = pipelines_from_specs(
        stack,
        [
            PipelineSpec(
                "sync-queue",
                consumer=FunctionSpec("sync", CODE, timeout=Duration.seconds(300)),
                max_concurrency=5,
            ),
            PipelineSpec("backup-queue", high_throughput=True),
            *(PipelineSpec(name) for name in SEED_002_QUEUES[2:]),
        ],
        export_prefix="ListBackup",
    )
    producer = iam.Role(stack, "Producer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    pipelines["sync-queue"].grant_send(producer)
    worker = iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    main = FifoPipeline(
        stack, "Main", fifo=False, name="main-queue", consumer_timeout=Duration.minutes(2)
    )
    main.grant_consume(worker)
    main.grant_send(worker)
    operator = iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    main.grant_redrive(operator)
    key = kms.Key(stack, "QueueKey", enable_key_rotation=True)
    FifoPipeline(
        stack,
        "Keyed",
        queue_name="keyed.fifo",
        encryption_key=key,
        content_based_deduplication=False,
        retention_period=Duration.days(4),
        max_receive_count=5,
    )
    ObservabilityPack(stack, "Ops", watch=[*pipelines.values(), main], alarms_enabled=True)


@pytest.fixture(scope="module")
def result(stack_synth: Synth) -> SynthResult:
    return stack_synth("fifo-pipelines", build)


@pytest.fixture(scope="module")
def template(result: SynthResult) -> dict[str, Any]:
    return result.template_json("Test")


def _queue(template: dict[str, Any], name: str) -> dict[str, Any]:
    return resource_named(template, QUEUE, name)[1]["Properties"]


def _queues(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == QUEUE]


@pytest.mark.checklist("002#34", "002#35")
def test_six_fifo_queues_and_six_fifo_dead_letter_queues_from_data(
    template: dict[str, Any],
) -> None:
    names = {q.get("QueueName") for q in _queues(template) if q.get("FifoQueue")}
    expected = {f"listbackup-{n}-dev.fifo" for n in SEED_002_QUEUES}
    expected |= {f"listbackup-{n}-dlq-dev.fifo" for n in SEED_002_QUEUES}
    assert expected <= names
    sync = _queue(template, "listbackup-sync-queue-dev.fifo")
    assert sync["ContentBasedDeduplication"] is True
    assert "DeduplicationScope" not in sync


@pytest.mark.checklist("002#35")
def test_high_throughput_mode(template: dict[str, Any]) -> None:
    backup = _queue(template, "listbackup-backup-queue-dev.fifo")
    assert backup["DeduplicationScope"] == "messageGroup"
    assert backup["FifoThroughputLimit"] == "perMessageGroupId"


@pytest.mark.checklist("002#36", "003#51")
def test_each_queue_dead_letters_to_its_own_queue_of_the_same_type(
    template: dict[str, Any],
) -> None:
    ids = {q.get("QueueName"): lid for lid, q in _logical(template)}
    for name in ("listbackup-sync-queue-dev.fifo", "listbackup-main-queue-dev"):
        redrive = _queue(template, name)["RedrivePolicy"]
        dlq_name = name.replace("-dev", "-dlq-dev")
        assert redrive == {
            "deadLetterTargetArn": {"Fn::GetAtt": [ids[dlq_name], "Arn"]},
            "maxReceiveCount": 3,
        }
        allow = _queue(template, dlq_name)["RedriveAllowPolicy"]
        assert allow["redrivePermission"] == "byQueue"
        assert name in str(allow["sourceQueueArns"])
    main = _queue(template, "listbackup-main-queue-dev")
    assert "FifoQueue" not in main
    assert "FifoQueue" not in _queue(template, "listbackup-main-queue-dlq-dev")


def _logical(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (lid, r["Properties"]) for lid, r in template["Resources"].items() if r["Type"] == QUEUE
    ]


@pytest.mark.checklist("002#37", "002#38", "002#40", "003#51", "004#68")
def test_every_queue_long_polls_keeps_14_days_and_is_encrypted(template: dict[str, Any]) -> None:
    for queue in _queues(template):
        assert queue["ReceiveMessageWaitTimeSeconds"] == 20
        if queue.get("QueueName", "").startswith("listbackup-"):
            assert queue["MessageRetentionPeriod"] == 1209600
        assert queue.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in queue
    keyed = _queue(template, "keyed.fifo")
    assert keyed["MessageRetentionPeriod"] == 4 * 86400
    assert keyed["ContentBasedDeduplication"] is False
    assert "KmsMasterKeyId" in keyed
    assert _queue(template, "keyed-dlq.fifo")["FifoQueue"] is True


def test_queues_refuse_requests_without_tls(template: dict[str, Any]) -> None:
    policies = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::SQS::QueuePolicy"
    ]
    assert len(policies) == len(_queues(template))
    for statements in policies:
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )


@pytest.mark.checklist("002#39")
def test_the_lambda_consumer_reports_batch_item_failures(template: dict[str, Any]) -> None:
    mappings = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert len(mappings) == 1
    mapping = mappings[0]
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 5}
    sync = _queue(template, "listbackup-sync-queue-dev.fifo")
    assert sync["VisibilityTimeout"] == 1800  # 6 x 300 s
    _, function = resource_named(template, "AWS::Lambda::Function", "listbackup-sync-dev")
    assert function["Properties"]["Timeout"] == 300


def test_an_external_consumer_timeout_sets_the_visibility_timeout(
    template: dict[str, Any],
) -> None:
    assert _queue(template, "listbackup-main-queue-dev")["VisibilityTimeout"] == 120


@pytest.mark.checklist("002#39", "004#69")
def test_grants(template: dict[str, Any]) -> None:
    statements = {
        lid: r["Properties"]["PolicyDocument"]["Statement"]
        for lid, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy"
    }
    producer = next(v for k, v in statements.items() if k.startswith("ProducerDefaultPolicy"))
    assert [s["Action"] for s in producer] == [
        ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
    ]
    worker = next(v for k, v in statements.items() if k.startswith("WorkerDefaultPolicy"))
    actions = {a for s in worker for a in s["Action"]}
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} <= actions
    assert "sqs:SendMessage" in actions
    operator = next(v for k, v in statements.items() if k.startswith("OperatorDefaultPolicy"))
    redrive = [s for s in operator if "sqs:StartMessageMoveTask" in s["Action"]]
    dlq_id = resource_named(template, QUEUE, "listbackup-main-queue-dlq-dev")[0]
    assert [r["Resource"] for r in redrive] == [{"Fn::GetAtt": [dlq_id, "Arn"]}]


@pytest.mark.checklist("002#36")
def test_alarms_on_age_dead_letters_and_consumer(template: dict[str, Any]) -> None:
    alarms = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]
    metric_names = [a.get("MetricName") for a in alarms]
    assert metric_names.count("ApproximateAgeOfOldestMessage") == 7
    assert metric_names.count("ApproximateNumberOfMessagesVisible") == 7
    consumer = [a for a in alarms if "SyncQueueConsumerHandler" in str(a)]
    assert "Throttles" in [a.get("MetricName") for a in consumer]
    assert "Errors" in str(consumer)  # the error-rate expression


def test_outputs_per_pipeline(template: dict[str, Any]) -> None:
    exports = {o["Export"]["Name"] for o in template["Outputs"].values() if "Export" in o}
    assert {
        "ListBackup-SyncQueue-QueueUrl",
        "ListBackup-SyncQueue-QueueArn",
        "ListBackup-SyncQueue-DeadLetterQueueArn",
    } <= exports


def test_no_unacknowledged_findings(result: SynthResult) -> None:
    assert result.findings == []


# -- bad input ---------------------------------------------------------------------------------


def _stack() -> Stack:
    stack = Stack(make_app(), "Bad", env=Environment(account="123456789012", region="us-east-1"))
    use_naming(stack, LISTBACKUP)
    return stack


@pytest.mark.parametrize(
    ("props", "prop", "fragment"),
    [
        ({"queue_name": "orders"}, "queue_name", "ends in '.fifo'"),
        ({"fifo": False, "queue_name": "x.fifo"}, "queue_name", "must not end"),
        (
            {"fifo": False, "content_based_deduplication": True},
            "content_based_deduplication",
            "FIFO",
        ),
        ({"fifo": False, "high_throughput": True}, "high_throughput", "FIFO"),
        ({"consumer": FunctionSpec("c", CODE), "batch_size": 11}, "batch_size", "1 to 10"),
        (
            {
                "consumer": FunctionSpec("c", CODE, timeout=Duration.seconds(60)),
                "visibility_timeout": Duration.seconds(30),
            },
            "visibility_timeout",
            "consumer's timeout",
        ),
        ({"retention_period": Duration.seconds(30)}, "retention_period", "60 s-14 d"),
        ({"retention_period": Duration.days(15)}, "retention_period", "60 s-14 d"),
        ({"max_receive_count": 0}, "max_receive_count", "1 to 1000"),
        ({"batch_size": 5}, "batch_size", "only with a Lambda consumer"),
        (
            {"consumer": FunctionSpec("c", CODE), "max_batching_window": Duration.seconds(5)},
            "max_batching_window",
            "standard queues only",
        ),
        ({"max_receive_count": "3"}, "max_receive_count", "int"),
        ({"fifo_queue": True}, "fifo_queue", "not a prop"),
        ({"consumer": FunctionSpec("c", CODE, memory_mb=64)}, "consumer.memory_mb", "128"),
    ],
)
def test_bad_input_fails_at_synth(props: dict[str, Any], prop: str, fragment: str) -> None:
    with pytest.raises(PropError) as raised:
        FifoPipeline(_stack(), "Bad", name="bad", **props)
    errors = getattr(raised.value, "errors", [raised.value])
    assert any(e.prop == prop and fragment in e.allowed for e in errors), errors


def test_a_dead_letter_queue_of_the_other_type_is_refused() -> None:
    stack = _stack()
    standard = sqs.Queue(stack, "Standard")
    with pytest.raises(PropError, match="dead_letter_queue"):
        FifoPipeline(stack, "Bad", name="bad", dead_letter_queue=standard)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PropErrors) as raised:
        FifoPipeline(
            _stack(),
            "Bad",
            fifo=False,
            queue_name="x.fifo",
            content_based_deduplication=True,
            retention_period=Duration.days(30),
        )
    assert {e.prop for e in raised.value.errors} >= {
        "queue_name",
        "content_based_deduplication",
        "retention_period",
    }


def test_specs_refuse_shared_names_and_duplicates() -> None:
    with pytest.raises(PropError, match="per-construct prop: set it on the PipelineSpec"):
        pipelines_from_specs(_stack(), [PipelineSpec("a")], name="x")
    with pytest.raises(PropError, match="unique"):
        pipelines_from_specs(_stack(), [PipelineSpec("a"), PipelineSpec("a")])


def test_a_consumer_in_another_stack_attaches_to_an_existing_queue() -> None:
    app = make_app()
    use_stage_profile(app, Stage.DEV)
    env = Environment(account="123456789012", region="us-west-2")
    queues = Stack(app, "Queues", env=env)
    use_naming(queues, LISTBACKUP)
    pipeline = FifoPipeline(queues, "Sync", name="sync-queue")
    core = Stack(app, "Core", env=env)
    use_naming(core, LISTBACKUP)
    consumer = FifoPipeline(
        core,
        "SyncConsumer",
        name="sync",
        existing_queue=pipeline.queue,
        dead_letter_queue=pipeline.dead_letter_queue,
        consumer=FunctionSpec("syncProcessor", CODE, timeout=Duration.minutes(5)),
        max_concurrency=10,
    )
    assert consumer.imported and consumer.queue is pipeline.queue
    template = Template.from_stack(core)
    template.resource_count_is("AWS::SQS::Queue", 0)
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 10},
        },
    )
    template.has_resource_properties("AWS::Lambda::Function", {"Timeout": 300})
    assert [d.node.id for d in core.dependencies] == ["Queues"]


def test_an_existing_queue_takes_no_queue_props_and_needs_a_consumer() -> None:
    stack = _stack()
    queue = sqs.Queue(stack, "Queue", fifo=True)
    with pytest.raises(PropErrors) as raised:
        FifoPipeline(stack, "Bad", existing_queue=queue, visibility_timeout=Duration.minutes(1))
    messages = "\n".join(str(e) for e in raised.value.errors)
    assert "remove visibility_timeout or drop existing_queue" in messages
    assert "consumer=None; a FunctionSpec: with existing_queue" in messages
