"""The KMS key that encrypts a ServerlessApi's log groups.

The key and its policy come from :mod:`petplatform_constructs.platform.log_encryption`, shared by
every construct that creates log groups. A ServerlessApi keeps a key of its own (``LogKey``)
instead of the stack's shared one: its logical id is already a deployed contract.
"""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from petplatform_constructs.platform.log_encryption import LOGS_KEY_ACTIONS, log_key_for
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["LOGS_KEY_ACTIONS", "LOG_KEY_CONSTRUCT_ID", "log_key_of"]

LOG_KEY_CONSTRUCT_ID = "LogKey"
"""Construct id of the key a ServerlessApi creates. Public contract: the key is stateful."""


def log_key_of(scope: Construct, given: kms.IKey | None, profile: StageProfile) -> kms.IKey | None:
    """``given``, or in prod-like stages a new key ``LogKey``; either way CloudWatch Logs of
    this account and region may use it. ``None`` outside prod-like stages without a key."""
    return log_key_for(scope, given, profile, own_key_id=LOG_KEY_CONSTRUCT_ID)
