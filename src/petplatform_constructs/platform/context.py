"""Reading the platform's defaults from construct context: the one place that does it."""

from __future__ import annotations

from typing import Any

from constructs import IConstruct

from petplatform_constructs.core.errors import PropError

__all__ = [
    "GO_BUILD_ARCHITECTURE_CONTEXT",
    "enable_feature_flag",
    "go_build_for_host",
    "scope_default",
]

GO_BUILD_ARCHITECTURE_CONTEXT = "petplatform:go-build-architecture"
"""Context key: ``"host"`` builds Go functions for the machine that synthesizes, not for their
declared architecture (the template still declares it). For local emulators that run the
``bootstrap`` natively; never for a deployment."""


def scope_default(scope: IConstruct, context_key: str, prop: str, how_to_set: str) -> Any:
    """The JSON value set with ``set_context(context_key, ...)`` on ``scope`` or an ancestor.

    Fails with ``how_to_set`` when there is none, naming the construct and its ``prop``.
    """
    data = scope.node.try_get_context(context_key)
    if data is None:
        raise PropError(scope.node.path or "App", prop, None, how_to_set)
    return data


def enable_feature_flag(scope: IConstruct, flag: str) -> None:
    """Turn on a CDK feature flag for the constructs below ``scope`` (only below it).

    For behaviour the library relies on, such as S3 server access logs delivered through the
    bucket policy (``@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy``) where ACLs are off.
    """
    scope.node.set_context(flag, True)


def go_build_for_host(scope: IConstruct) -> bool:
    """Whether Go functions below ``scope`` are built for the host, per
    :data:`GO_BUILD_ARCHITECTURE_CONTEXT`.

    Only ``"host"`` and ``"function"`` (the default: the function's architecture) are accepted.
    """
    value = scope.node.try_get_context(GO_BUILD_ARCHITECTURE_CONTEXT)
    if value is None or value == "function":
        return False
    if value != "host":
        raise PropError(
            scope.node.path or "App",
            f"context {GO_BUILD_ARCHITECTURE_CONTEXT}",
            value,
            "'host' (build Go functions for this machine, for local emulators) or 'function' "
            "(the default: each function's own architecture)",
        )
    return True
