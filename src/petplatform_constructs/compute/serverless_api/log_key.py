"""The KMS key that encrypts a ServerlessApi's log groups.

CloudWatch Logs encrypts a log group with a customer managed key only if the key policy lets the
regional service principal (``logs.<region>.amazonaws.com``) use it. The statement added here is
the one the CloudWatch Logs user guide documents ("Encrypt log data in CloudWatch Logs using AWS
KMS"), with the ``kms:EncryptionContext:aws:logs:arn`` condition scoped to the log groups of
this account and region: no other account's log group can use the key.
"""

from __future__ import annotations

from aws_cdk import Annotations, ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from petplatform_constructs.platform.stage import StageProfile

__all__ = ["LOGS_KEY_ACTIONS", "LOG_KEY_CONSTRUCT_ID", "allow_logs_to_use", "log_key_of"]

LOG_KEY_CONSTRUCT_ID = "LogKey"
"""Construct id of the key a ServerlessApi creates. Public contract: the key is stateful."""
LOGS_KEY_ACTIONS = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)
"""What CloudWatch Logs needs on a key to encrypt and read a log group."""


def log_key_of(scope: Construct, given: kms.IKey | None, profile: StageProfile) -> kms.IKey | None:
    """``given``, or in prod-like stages a new key ``LogKey``; either way CloudWatch Logs of
    this account and region may use it. ``None`` outside prod-like stages without a key."""
    key = given
    if key is None:
        if not profile.prod_like:
            return None
        key = kms.Key(
            scope,
            LOG_KEY_CONSTRUCT_ID,
            description=f"Encrypts the log groups of {scope.node.path}",
            enable_key_rotation=True,
            pending_window=Duration.days(30),
            removal_policy=profile.removal_policy,
        )
    allow_logs_to_use(scope, key)
    return key


def allow_logs_to_use(scope: Construct, key: kms.IKey) -> None:
    """Let CloudWatch Logs use ``key`` for this account's and region's log groups only.

    An imported key's policy cannot be changed here: a warning says what to add.
    """
    stack = Stack.of(scope)
    principal = f"logs.{stack.region}.amazonaws.com"
    log_groups = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name="*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    added = key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsOfThisAccountAndRegion",
            principals=[iam.ServicePrincipal(principal)],
            actions=list(LOGS_KEY_ACTIONS),
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
        )
    )
    if not added.statement_added:
        Annotations.of(scope).add_warning_v2(
            "petplatform:serverless-api-imported-log-key",
            f"the log encryption key {key.key_arn} is imported, so its policy cannot be changed "
            f"here: allow {principal} {', '.join(LOGS_KEY_ACTIONS)} on it, with an ArnLike "
            "condition on kms:EncryptionContext:aws:logs:arn, or the log groups cannot be "
            "created.",
        )
