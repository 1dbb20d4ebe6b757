"""The KMS keys that encrypt the library's log groups in prod-like stages.

CloudWatch Logs encrypts a log group with a customer managed key only if the key policy lets the
regional service principal (``logs.<region>.amazonaws.com``) use it. The statement added here is
the one the CloudWatch Logs user guide documents ("Encrypt log data in CloudWatch Logs using AWS
KMS"), with the ``kms:EncryptionContext:aws:logs:arn`` condition scoped to the log groups of
this account and region: no other account's log group can use the key.

Every construct that creates log groups gets its key here: a key given by the user, or in
prod-like stages the stack's shared key (``PetPlatformLogKey`` at the stack root, created on
first use), or a construct's own key where one is already a deployed contract.
"""

from __future__ import annotations

import weakref

from aws_cdk import Annotations, ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "LOGS_KEY_ACTIONS",
    "LOG_KEY_SID",
    "STACK_LOG_KEY_CONSTRUCT_ID",
    "allow_logs_to_use",
    "log_key_for",
    "new_log_key",
    "stack_log_key",
]

STACK_LOG_KEY_CONSTRUCT_ID = "PetPlatformLogKey"
"""Construct id of the stack's shared log key, at the stack root. Public contract: the key is
stateful (renaming it leaves every log group it encrypts unreadable)."""
LOG_KEY_SID = "AllowCloudWatchLogsOfThisAccountAndRegion"
"""Sid of the key policy statement that lets CloudWatch Logs use a log key."""
LOGS_KEY_ACTIONS = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)
"""What CloudWatch Logs needs on a key to encrypt and read a log group."""

_ALLOWED: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()


def log_key_for(
    scope: Construct,
    given: kms.IKey | None,
    profile: StageProfile,
    *,
    own_key_id: str | None = None,
) -> kms.IKey | None:
    """The key of the log groups ``scope`` creates: ``given`` (CloudWatch Logs may then use it),
    else in prod-like stages the stack's shared key (or, with ``own_key_id``, a key of
    ``scope``'s own under that id), else ``None``: CloudWatch Logs' own encryption."""
    if given is not None:
        allow_logs_to_use(scope, given)
        return given
    if not profile.prod_like:
        return None
    if own_key_id is not None:
        return new_log_key(scope, own_key_id, profile, owner=scope.node.path)
    return stack_log_key(scope, profile)


def stack_log_key(scope: Construct, profile: StageProfile) -> kms.IKey:
    """The stack's shared log key ``PetPlatformLogKey``, created on first use with
    ``profile``'s removal policy."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(STACK_LOG_KEY_CONSTRUCT_ID)
    if isinstance(existing, kms.Key):
        return existing
    return new_log_key(stack, STACK_LOG_KEY_CONSTRUCT_ID, profile, owner=stack.stack_name)


def new_log_key(scope: Construct, id: str, profile: StageProfile, *, owner: str) -> kms.Key:
    """A rotated log key under ``scope`` that CloudWatch Logs of this account may use."""
    key = kms.Key(
        scope,
        id,
        description=f"Encrypts the log groups of {owner}",
        enable_key_rotation=True,
        pending_window=Duration.days(30),
        removal_policy=profile.removal_policy,
    )
    allow_logs_to_use(scope, key)
    return key


def allow_logs_to_use(scope: Construct, key: kms.IKey) -> None:
    """Let CloudWatch Logs use ``key`` for this account's and region's log groups only (once per
    key and region).

    An imported key's policy cannot be changed here: a warning says what to add.
    """
    stack = Stack.of(scope)
    principal = f"logs.{stack.region}.amazonaws.com"
    done = _ALLOWED.setdefault(key, set())
    if principal in done:
        return
    done.add(principal)
    log_groups = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name="*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    added = key.add_to_resource_policy(
        iam.PolicyStatement(
            sid=LOG_KEY_SID,
            principals=[iam.ServicePrincipal(principal)],
            actions=list(LOGS_KEY_ACTIONS),
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
        )
    )
    if not added.statement_added:
        Annotations.of(scope).add_warning_v2(
            "petplatform:imported-log-key",
            f"the log encryption key {key.key_arn} is imported, so its policy cannot be changed "
            f"here: allow {principal} {', '.join(LOGS_KEY_ACTIONS)} on it, with an ArnLike "
            "condition on kms:EncryptionContext:aws:logs:arn, or the log groups cannot be "
            "created.",
        )
