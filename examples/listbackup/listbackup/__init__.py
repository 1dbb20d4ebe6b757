"""ListBackup.ai (seed 002): the seed's 11 services as stacks, plus DR, monitoring and CI/CD."""

from __future__ import annotations

from aws_cdk import App, Stack

from petplatform_constructs import Naming, ResourceKind, configure_platform

from .api import AccountsStack, AuthStack, GatewayStack, UsersStack
from .config import ListBackupConfig
from .core import CoreStack
from .infrastructure import (
    CertificatesStack,
    CognitoStack,
    DynamoDBStack,
    EventBridgeStack,
    S3Stack,
    SqsStack,
)
from .operations import CicdStack, DrStack, MonitoringStack

__all__ = ["STAGES", "ListBackupConfig", "build", "naming"]

STAGES = ("dev", "staging", "prod")


def naming(stage: str) -> Naming:
    """``{service}-{stage}-{resource}``, and the seed's own examples where they differ
    (conflict 6): ``listbackup-data-dev``, ``listbackup-sync-queue-dev.fifo``,
    ``listbackup-api-dev-getUsers`` (002#8, #16, #23-24)."""
    return Naming.service_stage_resource(
        "listbackup",
        stage,
        per_kind={
            ResourceKind.S3_BUCKET: "{service}-{resource}-{stage}",
            ResourceKind.SQS_FIFO_QUEUE: "{service}-{resource}-{stage}.fifo",
            ResourceKind.LAMBDA_FUNCTION: "{service}-api-{stage}-{resource}",
            ResourceKind.SECRET: "{service}/{stage}/{resource}",
        },
    )


def build(app: App, stage: str, config: ListBackupConfig | None = None) -> list[Stack]:
    """Every stack of one stage, in the seed's deployment phases (002#81-84)."""
    cfg = config or ListBackupConfig.for_stage(stage)
    configure_platform(app, project="ListBackup", stage=stage, naming=naming(stage))
    # Phase 2: infrastructure services, and the DR region the s3 service replicates to.
    certificates = CertificatesStack(app, cfg)
    dynamodb = DynamoDBStack(app, cfg)
    sqs = SqsStack(app, cfg)
    dr = DrStack(app, cfg)
    s3 = S3Stack(app, cfg, dr_stack=dr)
    eventbridge = EventBridgeStack(app, cfg)
    cognito = CognitoStack(app, cfg)
    # Phase 3: core and the gateway; phases 4-6: the API services.
    core = CoreStack(app, cfg, dynamodb=dynamodb, sqs=sqs, s3=s3, eventbridge=eventbridge)
    gateway = GatewayStack(app, cfg, certificates=certificates, core=core)
    auth = AuthStack(app, cfg, gateway=gateway, cognito_stack=cognito)
    users = UsersStack(app, cfg, gateway=gateway)
    accounts = AccountsStack(app, cfg, gateway=gateway)
    monitoring = MonitoringStack(
        app,
        cfg,
        watch=[
            *dynamodb.tables.values(), *sqs.pipelines.values(), core.sync, core.rules,
            eventbridge.events, s3.dr, cognito.auth, gateway.api, auth.api, users.api,
            accounts.api,
        ],
        sync_queue_depth=sqs.pipelines["sync-queue"].queue.metric_approximate_number_of_messages_visible(),
    )  # fmt: skip
    cicd = CicdStack(app, cfg)
    return [certificates, dynamodb, sqs, dr, s3, eventbridge, cognito, core, gateway, auth,
            users, accounts, monitoring, cicd]  # fmt: skip
