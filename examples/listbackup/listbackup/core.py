"""Phase 3 core service (conflict 46): the queue consumers, secrets, KMS key and event rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IConstruct

from petplatform_constructs import (
    EventBus,
    FifoPipeline,
    FunctionSpec,
    Naming,
    QueueTarget,
    ResourceKind,
    RuleSpec,
    StageProfile,
    acknowledge,
)
from petplatform_constructs.core.iam import flatten_cfn_reference
from petplatform_constructs.platform.compliance import acknowledge_after_resolution

from .base import ServiceStack
from .config import ListBackupConfig
from .infrastructure import DynamoDBStack, EventBridgeStack, S3Stack, SqsStack

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
JOB_COMPLETED = {"source": ["listbackup.sync"], "detail-type": ["Job Completed"]}


def go_function(name: str, command: str, **props: object) -> FunctionSpec:
    """A Go processing function: provided.al2023 on arm64 (002#7, #11), 1 GB (002#9)."""
    return FunctionSpec(
        name,
        HANDLERS / "go" / "cmd" / command,
        runtime=lambda_.Runtime.PROVIDED_AL2023,
        architecture=lambda_.Architecture.ARM_64,
        memory_mb=1024,
        **props,  # type: ignore[arg-type]
    )


_PUT_REASON = (
    "The sync processor writes one backup object per job under backups/{accountId}/{sourceId}/: "
    "object keys are only known at run time, so it may put (not read or delete) objects under "
    "that prefix."
)


def put_backups(role: iam.IRole, objects: str) -> None:
    """``s3:PutObject`` on the backups prefix of the data bucket, and nothing else."""
    iam.Grant.add_to_principal(grantee=role, actions=["s3:PutObject"], resource_arns=[objects])

    def findings() -> Iterator[tuple[IConstruct, str, str]]:
        for policy in role.node.find_all():
            if not isinstance(policy, iam.CfnPolicy):
                continue
            for statement in Stack.of(policy).resolve(policy.policy_document)["Statement"]:
                if statement["Action"] == "s3:PutObject":
                    resource = flatten_cfn_reference(statement["Resource"])
                    yield policy, f"AwsSolutions-IAM5[Resource::{resource}]", _PUT_REASON

    acknowledge_after_resolution(role, findings)


class CoreStack(ServiceStack):
    """Depends on the dynamodb, sqs, s3 and eventbridge services (002#83)."""

    def __init__(
        self,
        scope: Construct,
        config: ListBackupConfig,
        *,
        dynamodb: DynamoDBStack,
        sqs: SqsStack,
        s3: S3Stack,
        eventbridge: EventBridgeStack,
    ) -> None:
        super().__init__(scope, "core", config, description="core: consumers, secrets, rules")
        self.key = kms.Key(self, "Key", description="ListBackup secrets", enable_key_rotation=True,
                           removal_policy=StageProfile.of(self).removal_policy)  # fmt: skip
        # Third-party platform API keys (002#46), read by the functions that call them.
        self.api_keys = secretsmanager.Secret(
            self,
            "ApiKeys",
            secret_name=Naming.of(self).name("api-keys", ResourceKind.SECRET),
            description="Third-party platform API keys, as JSON {platform: key}",
            encryption_key=self.key,
            removal_policy=StageProfile.of(self).removal_policy,
        )
        acknowledge(
            self.api_keys,
            "AwsSolutions-SMG4",
            "The platforms issue these keys; rotating one is a platform-side operation followed "
            "by put-secret-value (README 'Rotating platform keys'), not a Lambda rotation.",
        )
        # The sync queue's consumer (002#39): 5 minutes (002#10), 10 at most at once (002#76).
        sync = sqs.pipelines["sync-queue"]
        assert sync.dead_letter_queue is not None
        self.sync = FifoPipeline(
            self,
            "SyncConsumer",
            name="sync",
            naming=Naming.service_stage_resource(
                "listbackup",
                config.stage,
                per_kind={ResourceKind.LAMBDA_FUNCTION: "{service}-core-{stage}-{resource}"},
            ),
            existing_queue=sync.queue,
            dead_letter_queue=sync.dead_letter_queue,
            max_concurrency=10,
            consumer=go_function(
                "syncProcessor",
                "sync-processor",
                timeout=Duration.minutes(5),
                tables={"JOBS_TABLE": dynamodb.tables["jobs"]},
                secrets={"API_KEYS_SECRET_ARN": self.api_keys},  # platform keys (002#92)
                reserved_concurrency=config.function_concurrency,
                environment={
                    "DATA_BUCKET": s3.data.bucket.bucket_name,
                    "EVENT_BUS_NAME": eventbridge.events.event_bus_name,
                    "METRICS_NAMESPACE": f"ListBackup/{config.stage}",  # 002#69
                },
            ),
        )
        assert self.sync.consumer_role is not None
        put_backups(self.sync.consumer_role, s3.data.bucket.arn_for_objects("backups/*"))  # 002#89
        eventbridge.events.grant_put_events(self.sync.consumer_role)  # 002#93
        # Completed jobs go on to analytics, in order per account (002#42, conflict 46).
        self.rules = EventBus(
            self,
            "Rules",
            existing_event_bus=eventbridge.events.bus,
            rules=[
                RuleSpec(
                    "job-completed",
                    JOB_COMPLETED,
                    [QueueTarget(sqs.pipelines["analytics-queue"], message_group_id="jobs")],
                    description="Completed sync jobs, on to the analytics queue",
                )
            ],
        )
        self.export("ApiKeysSecretArn", self.api_keys.secret_arn)
