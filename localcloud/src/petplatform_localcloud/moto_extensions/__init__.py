"""Every CloudFormation model and engine fix that the local cloud adds to moto, by service.

moto's CloudFormation engine maps each resource type to a ``CloudFormationModel`` subclass
(``moto.cloudformation.parsing.get_model_map``). moto 5.2 has no model for several types these
constructs emit, or a model that drops half the properties, so stacks fail to create or come out
empty. Each model fills one such gap on top of moto's own service backends, so the created
resources are real for the data-plane APIs afterwards (items in tables, objects in buckets, users
in pools). One module per service:

* :mod:`.dynamodb` (``GlobalTable``), :mod:`.s3` (buckets, bucket policies and their
  enforcement), :mod:`.iam` (managed policies, roles), :mod:`.cognito` (user pools, clients,
  domains, groups), :mod:`.cloudfront`, :mod:`.custom_resources` (``Custom::*``, CDK metadata);
* :mod:`.secretsmanager`, :mod:`.kms`, :mod:`.awslambda` (permissions), :mod:`.messaging` (SNS,
  SQS policies), :mod:`.cloudwatch` (alarms), :mod:`.budgets`, :mod:`.wafv2`,
  :mod:`.apigateway` and :mod:`.apigateway_children` (REST APIs, complete);
* engine fixes: :mod:`.cloudformation_failures` (a failing resource is reported and rolled back
  as CloudFormation does), :mod:`.cloudformation_change_sets` and :mod:`.cloudformation_stacks`
  (what the real ``cdk bootstrap`` / ``cdk deploy`` / ``cdk destroy`` need).

The extensions are written against the internals of one moto release: :func:`install` refuses
any other version, loudly, rather than half-working.
"""

from __future__ import annotations

import threading
from importlib import metadata
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from petplatform_localcloud.moto_extensions import (
    apigateway,
    apigateway_children,
    awslambda,
    budgets,
    cloudformation_change_sets,
    cloudformation_failures,
    cloudformation_stacks,
    cloudfront,
    cloudwatch,
    cognito,
    custom_resources,
    dynamodb,
    iam,
    kms,
    messaging,
    s3,
    secretsmanager,
    wafv2,
)
from petplatform_localcloud.moto_extensions.cloudformation_failures import ResourceFailedError
from petplatform_localcloud.moto_extensions.custom_resources import SkippedCustomResource
from petplatform_localcloud.moto_extensions.patching import Patch, PatchSet, wrap

__all__ = [
    "EXTENSIONS",
    "PINNED_MOTO_VERSION",
    "MotoVersionError",
    "ResourceFailedError",
    "SkippedCustomResource",
    "check_moto_version",
    "install",
    "is_installed",
    "supported_types",
]

PINNED_MOTO_VERSION = "5.2.5"

EXTENSIONS: tuple[type[CloudFormationModel], ...] = tuple(
    model
    for module in (
        dynamodb, s3, iam, cognito, cloudfront, custom_resources, secretsmanager, kms, awslambda,
        messaging, cloudwatch, budgets, wafv2, apigateway, apigateway_children,
    )
    for model in module.EXTENSIONS
)  # fmt: skip


class MotoVersionError(RuntimeError):
    """The installed moto is not the release the extensions were written against."""


def check_moto_version(installed: str | None = None) -> None:
    """Raise :class:`MotoVersionError` unless moto ``PINNED_MOTO_VERSION`` is installed."""
    version = installed if installed is not None else metadata.version("moto")
    if version != PINNED_MOTO_VERSION:
        raise MotoVersionError(
            f"petplatform_localcloud needs moto=={PINNED_MOTO_VERSION} "
            f"(its CloudFormation extensions patch that release's internals), but moto "
            f"{version} is installed; install petplatform-constructs[local] to get the "
            f"pinned version"
        )


def _with_extensions(original: Any) -> Any:
    """moto's ``get_model_list`` with the extensions in place of the models of their types."""
    uncached = original.__wrapped__
    overridden = {model.cloudformation_type() for model in EXTENSIONS}

    def model_list() -> list[type[CloudFormationModel]]:
        own = [
            m
            for m in uncached()
            if m not in EXTENSIONS and m.cloudformation_type() not in overridden
        ]
        return own + list(EXTENSIONS)

    return model_list


def _patches() -> tuple[Patch, ...]:
    return (
        wrap(parsing, "get_model_list", _with_extensions),
        *custom_resources.PATCHES,
        *cloudformation_failures.PATCHES,
        *s3.PATCHES,
        *cloudformation_stacks.PATCHES,
        *cloudformation_change_sets.PATCHES,
    )


_lock = threading.Lock()
_applied: PatchSet | None = None


def is_installed() -> bool:
    return _applied is not None


def install() -> None:
    """Register the extensions with moto (idempotent, process-wide).

    Raises:
        MotoVersionError: the installed moto is not ``PINNED_MOTO_VERSION``.
    """
    global _applied
    check_moto_version()
    with _lock:
        if _applied is not None:
            return
        patches = PatchSet(_patches())
        patches.apply()
        parsing.get_model_map.cache_clear()
        parsing.get_name_type_map.cache_clear()
        _applied = patches


def supported_types() -> frozenset[str]:
    """Resource types moto's CloudFormation can create once the extensions are installed."""
    return frozenset(parsing.get_model_map())
