"""boto3 clients, created once per Lambda container and reused by every invocation."""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3


@functools.cache
def dynamodb() -> Any:
    """The DynamoDB service resource (numbers come back as ``Decimal``)."""
    return boto3.resource("dynamodb")


@functools.cache
def secretsmanager() -> Any:
    """The Secrets Manager client."""
    return boto3.client("secretsmanager")


def required_env(name: str) -> str:
    """The value of a configuration variable the stack must set; a missing one is a deploy bug."""
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def table(env_var: str) -> Any:
    """The DynamoDB table whose name is in environment variable ``env_var``."""
    return dynamodb().Table(required_env(env_var))
