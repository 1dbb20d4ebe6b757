"""Every CloudFormation model and engine fix that the local cloud adds to moto, by service.

moto's CloudFormation engine maps each resource type to a ``CloudFormationModel`` subclass
(``moto.cloudformation.parsing.get_model_map``). moto 5.2 has no model for several types these
constructs emit, or a model that drops half the properties, so stacks fail to create or come out
empty. Each model fills one such gap on top of moto's own service backends, so the created
resources are real for the data-plane APIs afterwards (items in tables, objects in buckets, users
in pools). One module per service:

* :mod:`.dynamodb` (``GlobalTable``) and :mod:`.dynamodb_pitr` (point-in-time restore),
  :mod:`.s3` (buckets, bucket policies and their enforcement), :mod:`.iam` (managed policies,
  roles), :mod:`.cognito` (user pools, clients, domains, groups), :mod:`.cloudfront`,
  :mod:`.custom_resources` (``Custom::*``, CDK metadata);
* :mod:`.secretsmanager`, :mod:`.kms`, :mod:`.awslambda` (permissions), :mod:`.messaging` (SNS,
  SQS policies), :mod:`.cloudwatch` (alarms), :mod:`.budgets`, :mod:`.wafv2`, :mod:`.backup`
  (vaults, plans, selections), :mod:`.backup_jobs` (the backup, copy and restore jobs moto
  lacks, with their events) and :mod:`.backup_schedule` (plan schedules on a controlled clock),
  :mod:`.acm` (certificates, issued at once),
  :mod:`~petplatform_localcloud.moto_extensions.apigateway` and :mod:`.apigateway_children`
  (REST APIs, complete), :mod:`.apigatewayv2` (HTTP APIs);
* :mod:`.sqs` (FIFO names, deduplication, event source mappings run in-process, message move
  tasks) and :mod:`.events` (rules on a bus by ``Ref``, archives, schema discoverers, Lambda
  and SNS targets run in-process);
* engine fixes: :mod:`.cloudformation_failures` (a failing resource is reported and rolled back
  as CloudFormation does), :mod:`.cloudformation_change_sets` and :mod:`.cloudformation_stacks`
  (what the real ``cdk bootstrap`` / ``cdk deploy`` / ``cdk destroy`` need).

The extensions patch moto's classes and module globals, so they are installed only for as long as
a local cloud runs: :func:`install` (or ``with installed():``) applies every patch, the matching
:func:`uninstall` puts every original back exactly, leaving moto as it was found for anything
else in the process. They are written against the internals of moto ``SUPPORTED_MOTO``:
:func:`install` refuses any other release, loudly, rather than half-working.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from petplatform_localcloud.moto_extensions import (
    acm,
    apigateway,
    apigateway_children,
    apigatewayv2,
    awslambda,
    backup,
    budgets,
    cloudformation_change_sets,
    cloudformation_failures,
    cloudformation_stacks,
    cloudfront,
    cloudwatch,
    cognito,
    custom_resources,
    dynamodb,
    dynamodb_pitr,
    events,
    iam,
    kms,
    messaging,
    s3,
    secretsmanager,
    sqs,
    wafv2,
)
from petplatform_localcloud.moto_extensions.cloudformation_failures import ResourceFailedError
from petplatform_localcloud.moto_extensions.custom_resources import SkippedCustomResource
from petplatform_localcloud.moto_extensions.patching import Patch, PatchSet, wrap

__all__ = [
    "EXTENSIONS",
    "SUPPORTED_MOTO",
    "MotoVersionError",
    "ResourceFailedError",
    "SkippedCustomResource",
    "check_moto_version",
    "install",
    "installed",
    "is_installed",
    "patch_targets",
    "supported_types",
    "uninstall",
]

SUPPORTED_MOTO = ">=5.2.5,<5.3"
_LOWEST, _BELOW = (5, 2, 5), (5, 3)

EXTENSIONS: tuple[type[CloudFormationModel], ...] = tuple(
    model
    for module in (
        dynamodb, s3, iam, cognito, cloudfront, custom_resources, secretsmanager, kms, awslambda,
        messaging, cloudwatch, budgets, wafv2, apigateway, apigateway_children, apigatewayv2,
        events, backup, acm,
    )
    for model in module.EXTENSIONS
)  # fmt: skip


class MotoVersionError(RuntimeError):
    """The installed moto is not a release the extensions were written against."""


def _release(version: str) -> tuple[int, ...]:
    """The leading release numbers of ``version`` (``5.2.6.dev0`` -> ``(5, 2, 6)``)."""
    numbers = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        numbers.append(int(digits.group()))
        if digits.end() != len(part):
            break
    return tuple(numbers)


def check_moto_version(installed: str | None = None) -> None:
    """Raise :class:`MotoVersionError` unless the moto installed is within ``SUPPORTED_MOTO``."""
    version = installed if installed is not None else metadata.version("moto")
    if not _LOWEST <= _release(version) < _BELOW:
        raise MotoVersionError(
            f"petplatform_localcloud needs moto{SUPPORTED_MOTO} (its CloudFormation extensions "
            f"patch the internals of those releases), but moto {version} is installed; install "
            f"petplatform-localcloud (or petplatform-constructs[local]) to get a supported one"
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
        *cognito.PATCHES,
        *cloudformation_stacks.PATCHES,
        *cloudformation_change_sets.PATCHES,
        *events.PATCHES,
        *awslambda.PATCHES,
        *sqs.PATCHES,
        *dynamodb_pitr.PATCHES,
    )


def patch_targets() -> list[tuple[Any, str]]:
    """``(module or class, attribute)`` of every moto attribute the extensions replace."""
    return [(patch.owner, patch.name) for patch in _patches()]


_lock = threading.Lock()
_applied: PatchSet | None = None
_users = 0


def _clear_model_caches() -> None:
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


def is_installed() -> bool:
    return _applied is not None


def install() -> None:
    """Register the extensions with moto (process-wide) until the matching :func:`uninstall`.

    Calls nest: the first one patches moto, and moto is restored when every install has been
    matched by an uninstall.

    Raises:
        MotoVersionError: the installed moto is not within ``SUPPORTED_MOTO``.
    """
    global _applied, _users
    check_moto_version()
    with _lock:
        if _applied is None:
            patches = PatchSet(_patches())
            patches.apply()
            _clear_model_caches()
            _applied = patches
        _users += 1


def uninstall() -> None:
    """Undo one :func:`install`; the last one puts every original attribute of moto back."""
    global _applied, _users
    with _lock:
        if _users == 0:
            raise RuntimeError("the moto extensions are not installed")
        _users -= 1
        if _users == 0 and _applied is not None:
            _applied.undo()
            _applied = None
            _clear_model_caches()


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """The extensions, installed for the block."""
    install()
    try:
        yield
    finally:
        uninstall()


def supported_types() -> frozenset[str]:
    """Resource types moto's CloudFormation can create now (with the extensions while they are
    installed)."""
    return frozenset(parsing.get_model_map())
