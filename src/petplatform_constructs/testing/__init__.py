"""Test helpers for apps built with petplatform-constructs (they import only aws_cdk).

Synthesize an app once, then assert on its templates and its compliance findings as data::

    result = synth(make_app(validation=False), build)
    template = result.template("HomeForPup-DynamoDB")
    assert not result.findings

The pytest plugin, the local cloud and the CDK CLI helper are in petplatform-localcloud (the
``local`` extra): ``pytest_plugins = ["petplatform_localcloud.pytest_plugin"]`` in a
``conftest.py`` adds the ``synth_cache`` session fixture, so every test shares one synthesis per
app and stage, and the ``checklist`` marker.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import App
from aws_cdk.assertions import Template

__all__ = [
    "Finding",
    "SynthCache",
    "SynthResult",
    "find_resources",
    "make_app",
    "normalize_asset_hashes",
    "resource_named",
    "synth",
]

JsonDict = dict[str, Any]
_PHYSICAL_NAME_KEYS = (
    "TableName", "BucketName", "QueueName", "TopicName", "RoleName", "FunctionName",
    "UserPoolName", "Domain", "ClusterName", "RepositoryName", "Name", "LogGroupName",
    "ClientName", "GroupName", "SecretName", "EventBusName", "AliasName",
)  # fmt: skip


def make_app(
    *,
    validation: bool = False,
    strict: bool = False,
    context: Mapping[str, object] | None = None,
    outdir: str | None = None,
    bundling: bool = True,
) -> App:
    """An ``App`` for tests.

    The CDK's built-in CloudFormation validation costs ~3 s per process, so it is off unless
    ``validation`` is set; ``strict`` makes its warnings fail synthesis too. ``bundling=False``
    skips asset bundling (Go functions are not built; templates are the same), for synth-only
    tests.
    """
    # Path metadata, as `cdk synth` writes it, lets tests find resources by construct id.
    ctx: dict[str, object] = {"aws:cdk:enable-path-metadata": True}
    if not bundling:
        ctx["aws:cdk:bundling-stacks"] = []
    ctx.update(context or {})
    if strict:
        ctx["@aws-cdk/core:strictCfnValidateErrors"] = True
    return App(
        outdir=outdir or tempfile.mkdtemp(prefix="cdk-test-"),
        context=ctx,
        builtin_cloud_formation_validation=validation or strict,
    )


@dataclass(frozen=True)
class Finding:
    """One unacknowledged finding of a validation plugin (cdk-nag, DataProtection, cfn-lint)."""

    plugin: str
    rule: str
    severity: str
    path: str
    description: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.rule} at {self.path}: {self.description}"


@dataclass
class SynthResult:
    """Templates (by stack display path, e.g. ``Prod/Data``) and the findings of one synthesis."""

    outdir: Path
    templates: dict[str, JsonDict]
    stack_names: dict[str, str]
    findings: list[Finding]
    error: str | None = None
    _assertions: dict[str, Template] = field(default_factory=dict, repr=False)

    def _key(self, name: str) -> str:
        if name in self.templates:
            return name
        by_stack_name = {v: k for k, v in self.stack_names.items()}
        if name in by_stack_name:
            return by_stack_name[name]
        known = sorted({*self.templates, *self.stack_names.values()})
        raise KeyError(f"no stack {name!r}; stacks: {known}")

    def template_json(self, stack: str) -> JsonDict:
        """The raw template of ``stack`` (display path or CloudFormation stack name)."""
        return self.templates[self._key(stack)]

    def template(self, stack: str) -> Template:
        """An ``aws_cdk.assertions.Template`` of ``stack``, built once and shared."""
        key = self._key(stack)
        if key not in self._assertions:
            self._assertions[key] = Template.from_json(self.templates[key])
        return self._assertions[key]

    def findings_for(self, stack: str, *, plugin: str | None = None) -> list[Finding]:
        """Findings whose construct path lies in ``stack``, optionally of one plugin."""
        prefix = self._key(stack) + "/"
        return [
            f for f in self.findings
            if f.path.startswith(prefix) and (plugin is None or f.plugin == plugin)
        ]  # fmt: skip

    def resource_count(self, stack: str) -> int:
        return len(self.template_json(stack).get("Resources", {}))


def _walk_assembly(directory: Path) -> Iterator[tuple[str, str, Path]]:
    manifest = json.loads((directory / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        kind = artifact.get("type")
        props = artifact.get("properties", {})
        if kind == "aws:cloudformation:stack":
            display = artifact.get("displayName", artifact_id)
            yield display, props.get("stackName", artifact_id), directory / props["templateFile"]
        elif kind == "cdk:cloud-assembly":
            yield from _walk_assembly(directory / props["directoryName"])


def _read_findings(outdir: Path) -> list[Finding]:
    report_path = outdir / "validation-report.json"
    if not report_path.exists():
        return []
    report = json.loads(report_path.read_text())
    findings = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                findings.append(
                    Finding(
                        plugin=plugin.get("pluginName", "?"),
                        rule=violation.get("ruleName", "?"),
                        severity=violation.get("severity", "error"),
                        path=construct.get("constructPath", ""),
                        description=violation.get("description", ""),
                    )
                )
    return findings


def synth(app: App, build: Callable[[App], object] | None = None) -> SynthResult:
    """Build (optionally) and synthesize ``app``; findings are returned, not raised.

    A synthesis that fails for any reason other than validation findings re-raises.
    """
    if build is not None:
        build(app)
    error: str | None = None
    try:
        app.synth()
    except RuntimeError as exc:
        if "ValidationFailed" not in str(exc):
            raise
        error = str(exc)
    outdir = Path(app.outdir)
    templates: dict[str, JsonDict] = {}
    stack_names: dict[str, str] = {}
    for display, stack_name, path in _walk_assembly(outdir):
        templates[display] = json.loads(path.read_text())
        stack_names[display] = stack_name
    return SynthResult(outdir, templates, stack_names, _read_findings(outdir), error)


def find_resources(
    template: JsonDict, resource_type: str, name: str | None = None
) -> dict[str, JsonDict]:
    """Resources of ``resource_type``; with ``name``, only those it names.

    ``name`` matches a physical-name property (``TableName``, ``BucketName``...), the logical id,
    or any trailing part of the construct path below the stack (``Table``, ``Profiles/Table``).
    """
    matches = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != resource_type:
            continue
        if name is None or _names(logical_id, resource) & {name}:
            matches[logical_id] = resource
    return matches


def _names(logical_id: str, resource: JsonDict) -> set[str]:
    props = resource.get("Properties", {})
    names = {logical_id}
    names.update(v for k in _PHYSICAL_NAME_KEYS if isinstance(v := props.get(k), str))
    path = resource.get("Metadata", {}).get("aws:cdk:path", "")
    parts = [p for p in path.split("/") if p and p not in ("Resource", "Default")][1:]
    # Every trailing part of the construct path: "Table", "Profiles/Table", ...; stable child
    # ids such as "Table" repeat across constructs, so the longer forms disambiguate.
    names.update("/".join(parts[i:]) for i in range(len(parts)))
    return names


def resource_named(template: JsonDict, resource_type: str, name: str) -> tuple[str, JsonDict]:
    """The one resource of ``resource_type`` named ``name``: ``(logical_id, resource)``."""
    matches = find_resources(template, resource_type, name)
    if len(matches) != 1:
        candidates = sorted(
            n for lid, r in find_resources(template, resource_type).items() for n in _names(lid, r)
        )
        raise LookupError(
            f"expected one {resource_type} named {name!r}, found {len(matches)}; "
            f"names present: {candidates}"
        )
    return next(iter(matches.items()))


_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def normalize_asset_hashes(value: Any) -> Any:
    """A copy of ``value`` with 64-hex asset hashes replaced by ``<asset-hash>``.

    Use it for snapshot comparisons that must not churn when asset contents change.
    """
    if isinstance(value, str):
        return _ASSET_HASH.sub("<asset-hash>", value)
    if isinstance(value, list):
        return [normalize_asset_hashes(v) for v in value]
    if isinstance(value, dict):
        return {normalize_asset_hashes(k): normalize_asset_hashes(v) for k, v in value.items()}
    return value


class SynthCache:
    """Memoizes :class:`SynthResult` per key for a whole test session."""

    def __init__(self) -> None:
        self._results: dict[object, SynthResult] = {}

    def get(self, key: object, factory: Callable[[], SynthResult]) -> SynthResult:
        if key not in self._results:
            self._results[key] = factory()
        return self._results[key]
