"""HomeForPup (seed 000): DynamoDB, S3, Cognito and IAM stacks for dev, staging and prod."""

from __future__ import annotations

from aws_cdk import App, Stack

from petplatform_constructs import Naming, configure_platform

from .cognito_stack import CognitoStack
from .config import HomeForPupConfig
from .dynamodb_stack import DynamoDBStack
from .iam_stack import IamStack
from .s3_stack import S3Stack

__all__ = ["STAGES", "HomeForPupConfig", "build"]

STAGES = ("dev", "staging", "prod")


def build(app: App, stage: str, config: HomeForPupConfig | None = None) -> list[Stack]:
    """The four stacks of one stage; the IAM stack depends on the other three."""
    cfg = config or HomeForPupConfig.for_stage(stage)
    # dev: no suffix; staging/prod: -staging/-prod (000#53-56). Staging is prod-like (000#55).
    naming = Naming.suffixed(stage)
    configure_platform(app, project="HomeForPup", stage=stage, naming=naming)

    def stack_id(family: str) -> str:
        return naming.name(f"HomeForPup-{family}")

    dynamodb = DynamoDBStack(app, stack_id("DynamoDB"), config=cfg)
    s3 = S3Stack(app, stack_id("S3"), config=cfg)
    cognito = CognitoStack(app, stack_id("Cognito"), config=cfg)
    iam = IamStack(
        app,
        stack_id("IAM"),
        tables=dynamodb.tables,
        buckets=s3.buckets,
        auth=cognito.auth,
        config=cfg,
    )
    return [dynamodb, s3, cognito, iam]
