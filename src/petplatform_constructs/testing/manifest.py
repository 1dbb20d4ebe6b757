"""A logical-ID contract for stateful resources, so a refactor cannot silently lose data.

Renaming a construct id changes the logical id of the resources below it, and CloudFormation
then creates a new, empty resource and deletes (or orphans) the old one. A committed manifest of
every stateful resource, compared on each test run, turns that into a failing test::

    manifest = stateful_manifest(synth(app).templates)
    problems = compare_manifests(json.loads(Path("stateful.json").read_text()), manifest)
    assert not problems, "\\n".join(problems)

Additions pass; a resource that disappears, changes type or changes logical id fails. Accept
additions by writing the new manifest (:func:`write_manifest`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "STATEFUL_TYPES",
    "Manifest",
    "compare_manifests",
    "stateful_manifest",
    "write_manifest",
]

STATEFUL_TYPES: frozenset[str] = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::S3::Bucket",
        "AWS::Cognito::UserPool",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Logs::LogGroup",
        "AWS::SQS::Queue",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::DocDB::DBCluster",
        "AWS::Neptune::DBCluster",
        "AWS::EFS::FileSystem",
        "AWS::FSx::FileSystem",
        "AWS::Backup::BackupVault",
        "AWS::ECR::Repository",
        "AWS::CodeCommit::Repository",
        "AWS::Events::Archive",
        "AWS::OpenSearchService::Domain",
    }
)
"""Resource types whose replacement loses data (or the keys to it)."""

Manifest = dict[str, dict[str, dict[str, str | None]]]
"""``{stack: {logical_id: {"type": ..., "name": physical name or None}}}``."""

_NAME_KEYS = (
    "TableName", "BucketName", "UserPoolName", "Name", "LogGroupName", "QueueName",
    "DBClusterIdentifier", "DBInstanceIdentifier", "BackupVaultName", "RepositoryName",
    "ArchiveName", "DomainName",
)  # fmt: skip


def _physical_name(properties: Mapping[str, Any]) -> str | None:
    for key in _NAME_KEYS:
        value = _rendered(properties.get(key))
        if value is not None:
            return value
    return None


def _rendered(value: object) -> str | None:
    """A literal name, or a ``Fn::Join`` of literals and pseudo parameters rendered as
    ``images-${AWS::AccountId}-${AWS::Region}``; ``None`` for anything else."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping) or list(value) != ["Fn::Join"]:
        return None
    separator, parts = value["Fn::Join"]
    rendered: list[str] = []
    for part in parts:
        if isinstance(part, str):
            rendered.append(part)
        elif isinstance(part, Mapping) and str(part.get("Ref", "")).startswith("AWS::"):
            rendered.append(f"${{{part['Ref']}}}")
        else:
            return None
    return str(separator).join(rendered)


def stateful_manifest(templates: Mapping[str, Mapping[str, Any]]) -> Manifest:
    """The stateful resources of ``templates`` (by stack), with type and literal physical name."""
    manifest: Manifest = {}
    for stack, template in sorted(templates.items()):
        entries = {
            logical_id: {
                "type": resource["Type"],
                "name": _physical_name(resource.get("Properties", {})),
            }
            for logical_id, resource in sorted(template.get("Resources", {}).items())
            if resource.get("Type") in STATEFUL_TYPES
        }
        if entries:
            manifest[stack] = entries
    return manifest


def compare_manifests(expected: Manifest, actual: Manifest) -> list[str]:
    """What ``actual`` lost or changed against ``expected``; additions are not problems."""
    problems: list[str] = []
    for stack, resources in sorted(expected.items()):
        found = actual.get(stack, {})
        for logical_id, entry in sorted(resources.items()):
            now = found.get(logical_id)
            where = f"{stack}/{logical_id} ({entry['type']}, name {entry['name']!r})"
            if now is None:
                problems.append(
                    f"{where} disappeared: a new logical id means a new, empty resource"
                )
            elif now["type"] != entry["type"]:
                problems.append(f"{where} changed type to {now['type']}: a replacement")
            elif now["name"] != entry["name"]:
                problems.append(f"{where} changed physical name to {now['name']!r}: a replacement")
    return problems


def write_manifest(path: str | Path, manifest: Mapping[str, Any]) -> None:
    """Write ``manifest`` as stable, reviewable JSON (sorted keys, one entry per line)."""
    Path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
