"""Compliance wiring: cdk-nag 3.x rule packs, scoped acknowledgements, and a data-protection check.

* :func:`enable_compliance` adds rule packs through the CDK ``Validations`` plugin API (cdk-nag 3),
  and, for prod-like stages, the :class:`DataProtectionCheck`.
* :func:`acknowledge` is the only way this library suppresses a finding: one resource, one rule,
  a real reason. Stacks, stages and apps are refused, so nothing is ever suppressed wholesale.
* :class:`DataProtectionCheck` reads the synthesized templates and fails synthesis when a
  stateful resource would be deleted or replaced-and-deleted, or lacks deletion protection where
  the service offers it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import jsii
from aws_cdk import (
    Acknowledgment,
    App,
    CfnResource,
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Stack,
    Stage,
    Validations,
)
from constructs import IConstruct, IValidation

from petplatform_constructs.core.errors import PropError
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "STATEFUL_METADATA_KEY",
    "DataProtectionCheck",
    "NagPack",
    "acknowledge",
    "acknowledge_after_resolution",
    "enable_compliance",
    "mark_stateful",
]

STATEFUL_METADATA_KEY = "petplatform:stateful"
_MIN_REASON = 20


class NagPack(Enum):
    """cdk-nag rule packs this library knows how to wire (class names in ``cdk_nag``)."""

    AWS_SOLUTIONS = "AwsSolutionsChecks"
    HIPAA = "HIPAASecurityChecks"
    NIST_800_53_R5 = "NIST80053R5Checks"
    SERVERLESS = "ServerlessChecks"


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge (suppress) one rule on one resource, with a reason a reviewer would accept.

    ``rule_id`` is a cdk-nag rule such as ``AwsSolutions-IAM5`` or a finding such as
    ``AwsSolutions-IAM5[Resource::*]``. Scopes that hold many resources are refused.
    """
    if isinstance(construct, (App, Stage, Stack)):
        raise PropError(
            "acknowledge",
            "construct",
            construct.node.path or "App",
            "acknowledgements are scoped to one resource, never to an app, stage or stack",
        )
    if not rule_id or not rule_id.strip():
        raise PropError("acknowledge", "rule_id", rule_id, "give a rule id such as AwsSolutions-S1")
    if len(reason.strip()) < _MIN_REASON:
        raise PropError(
            "acknowledge",
            "reason",
            reason,
            f"give a real reason of at least {_MIN_REASON} characters",
        )
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason.strip()))


Finding = tuple[IConstruct, str, str]
"""``(resource, rule_id, reason)``: one acknowledgement."""


def acknowledge_after_resolution(
    owner: IConstruct, findings: Callable[[], Iterable[Finding]]
) -> None:
    """Acknowledge findings whose ids are only known once references are resolved.

    cdk-nag 3 matches exact finding ids, and an id such as
    ``AwsSolutions-IAM5[Resource::<export>/index/*]`` names the ``Fn::ImportValue`` that CDK
    creates for a cross-stack reference after aspects have run. ``findings`` is therefore
    called during construct validation (after references are resolved, before cdk-nag), and
    each ``(resource, rule_id, reason)`` it yields is acknowledged once. Synthesizing with
    validation skipped leaves the findings unacknowledged: visible, never silently lost.
    """
    owner.node.add_validation(_AcknowledgeAtValidation(findings))


@jsii.implements(IValidation)
class _AcknowledgeAtValidation:
    def __init__(self, findings: Callable[[], Iterable[Finding]]) -> None:
        self._findings = findings
        self._done: set[tuple[str, str]] = set()

    def validate(self) -> list[str]:
        for resource, rule_id, reason in self._findings():
            if (resource.node.path, rule_id) not in self._done:
                self._done.add((resource.node.path, rule_id))
                acknowledge(resource, rule_id, reason)
        return []


def mark_stateful(construct: IConstruct) -> None:
    """Mark a resource the data-protection check should treat as stateful.

    Tables, buckets, user pools, keys, secrets, log groups, queues, databases, file systems and
    backup vaults are checked anyway; mark any other resource whose loss would lose data.
    """
    target = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(target, CfnResource):
        raise PropError(
            "mark_stateful",
            "construct",
            construct.node.path,
            "pass a CloudFormation resource or an L2 construct whose default child is one",
        )
    target.add_metadata(STATEFUL_METADATA_KEY, True)


def _load_pack(pack: NagPack) -> Callable[..., IPolicyValidationPlugin]:
    try:
        import cdk_nag
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "cdk-nag is not installed: pip install 'petplatform-constructs[nag]'"
        ) from exc
    factory: Callable[..., IPolicyValidationPlugin] = getattr(cdk_nag, pack.value)
    return factory


def enable_compliance(
    scope: App | Stage | Stack,
    *,
    packs: Sequence[NagPack] = (NagPack.AWS_SOLUTIONS,),
    data_protection: bool | None = None,
) -> None:
    """Check everything below ``scope`` with ``packs`` and, if asked, :class:`DataProtectionCheck`.

    ``data_protection`` defaults to the ``prod_like`` flag of the stage profile in scope (off when
    no profile is set). Findings make synthesis fail with the CDK's validation report.
    """
    plugins: list[IPolicyValidationPlugin] = [_load_pack(pack)(scope) for pack in packs]
    if data_protection is None:
        has_profile = scope.node.try_get_context("petplatform:stage-profile") is not None
        data_protection = has_profile and StageProfile.of(scope).prod_like
    if data_protection:
        plugins.append(DataProtectionCheck())
    if plugins:
        Validations.of(scope).add_plugins(*plugins)


# -- the data-protection check -------------------------------------------------------------


@dataclass(frozen=True)
class _Protection:
    """How a stateful type is protected: a predicate on its properties, and what to set."""

    check: Callable[[Mapping[str, object]], bool] | None
    fix: str


def _flag(name: str, expected: object = True) -> Callable[[Mapping[str, object]], bool]:
    return lambda props: props.get(name) == expected


def _all_replicas(props: Mapping[str, object]) -> bool:
    replicas = props.get("Replicas")
    return (
        isinstance(replicas, list)
        and bool(replicas)
        and all(
            isinstance(r, Mapping) and r.get("DeletionProtectionEnabled") is True for r in replicas
        )
    )


STATEFUL_TYPES: Mapping[str, _Protection] = {
    "AWS::DynamoDB::Table": _Protection(
        _flag("DeletionProtectionEnabled"), "DeletionProtectionEnabled: true"
    ),
    "AWS::DynamoDB::GlobalTable": _Protection(
        _all_replicas, "Replicas[].DeletionProtectionEnabled: true"
    ),
    "AWS::Cognito::UserPool": _Protection(
        _flag("DeletionProtection", "ACTIVE"), "DeletionProtection: ACTIVE"
    ),
    "AWS::RDS::DBCluster": _Protection(_flag("DeletionProtection"), "DeletionProtection: true"),
    "AWS::RDS::DBInstance": _Protection(_flag("DeletionProtection"), "DeletionProtection: true"),
    "AWS::S3::Bucket": _Protection(None, ""),
    "AWS::EFS::FileSystem": _Protection(None, ""),
    "AWS::KMS::Key": _Protection(None, ""),
    "AWS::SecretsManager::Secret": _Protection(None, ""),
    "AWS::Backup::BackupVault": _Protection(None, ""),
    "AWS::Logs::LogGroup": _Protection(
        _flag("DeletionProtectionEnabled"), "DeletionProtectionEnabled: true"
    ),
    "AWS::SQS::Queue": _Protection(None, ""),
}
_KEEP_ON_DELETE = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})
_KEEP_ON_REPLACE = frozenset({"Retain", "Snapshot"})


@dataclass(frozen=True)
class DataProtectionFinding:
    """One stateful resource that a prod-like deployment could lose."""

    rule: str
    logical_id: str
    resource_type: str
    template_path: str
    message: str
    fix: str


def _is_stateful(resource_type: str, resource: Mapping[str, object]) -> bool:
    metadata = resource.get("Metadata")
    marked = isinstance(metadata, Mapping) and metadata.get(STATEFUL_METADATA_KEY) is True
    return resource_type in STATEFUL_TYPES or marked


def find_data_protection_gaps(template_path: str) -> Iterator[DataProtectionFinding]:
    """Yield each gap in one synthesized template. Pure: usable on any template file."""
    with open(template_path, encoding="utf-8") as handle:
        template = json.load(handle)
    for logical_id, resource in template.get("Resources", {}).items():
        resource_type = resource.get("Type", "")
        if not _is_stateful(resource_type, resource):
            continue
        deletion = resource.get("DeletionPolicy", "Delete")
        replace = resource.get("UpdateReplacePolicy", "Delete")
        if deletion not in _KEEP_ON_DELETE:
            yield DataProtectionFinding(
                "PP-DP1",
                logical_id,
                resource_type,
                template_path,
                f"{resource_type} {logical_id} has DeletionPolicy {deletion}: deleting the stack "
                "or removing the construct deletes its data",
                "use RemovalPolicy.RETAIN (StageProfile.retain_data)",
            )
        if replace not in _KEEP_ON_REPLACE:
            yield DataProtectionFinding(
                "PP-DP2",
                logical_id,
                resource_type,
                template_path,
                f"{resource_type} {logical_id} has UpdateReplacePolicy {replace}: a replacing "
                "update deletes the old resource and its data",
                "use RemovalPolicy.RETAIN (StageProfile.retain_data)",
            )
        protection = STATEFUL_TYPES.get(resource_type)
        if protection and protection.check and not protection.check(resource.get("Properties", {})):
            yield DataProtectionFinding(
                "PP-DP3",
                logical_id,
                resource_type,
                template_path,
                f"{resource_type} {logical_id} is not deletion-protected although the service "
                "offers it",
                f"set {protection.fix} (StageProfile.deletion_protection)",
            )


@jsii.implements(IPolicyValidationPlugin)
class DataProtectionCheck:
    """CDK validation plugin: prod-like stages must not be able to lose stateful data.

    Acknowledge a deliberate exception on its one resource with
    ``acknowledge(resource, "DataProtection::PP-DP3", reason)``.
    """

    @property
    def name(self) -> str:
        return "DataProtection"

    @property
    def version(self) -> str:
        return "1.0.0"

    @property
    def rule_ids(self) -> list[str]:
        return ["PP-DP1", "PP-DP2", "PP-DP3"]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        findings = [f for path in context.template_paths for f in find_data_protection_gaps(path)]
        return PolicyValidationPluginReport(
            success=not findings, violations=list(_violations(findings))
        )


def _violations(findings: Iterable[DataProtectionFinding]) -> Iterator[PolicyViolation]:
    for finding in findings:
        yield PolicyViolation(
            rule_name=finding.rule,
            description=finding.message,
            fix=finding.fix,
            severity="error",
            violating_resources=[
                PolicyViolatingResource(
                    resource_logical_id=finding.logical_id,
                    template_path=finding.template_path,
                    locations=["DeletionPolicy" if finding.rule != "PP-DP3" else "Properties"],
                )
            ],
        )
