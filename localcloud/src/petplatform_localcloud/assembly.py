"""Reading a synthesized cloud assembly: its stacks in deployment order, and their file assets."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["AssemblyStack", "FileAsset", "read_assembly"]


@dataclass(frozen=True)
class FileAsset:
    """A file or directory the CDK expects in the bootstrap bucket before deploying."""

    source: Path
    packaging: str  # "file" or "zip"
    bucket: str  # may hold ${AWS::AccountId}-style placeholders
    key: str

    def body(self) -> bytes:
        if self.packaging == "zip" and self.source.is_dir():
            with tempfile.TemporaryDirectory() as tmp:
                archive = shutil.make_archive(str(Path(tmp) / "asset"), "zip", self.source)
                return Path(archive).read_bytes()
        return self.source.read_bytes()


@dataclass(frozen=True)
class AssemblyStack:
    """One ``aws:cloudformation:stack`` artifact of a cloud assembly."""

    artifact_id: str
    stack_name: str
    display_name: str
    template_path: Path
    dependencies: tuple[str, ...]  # artifact ids of other stacks
    tags: dict[str, str] = field(default_factory=dict)
    assets: tuple[FileAsset, ...] = ()
    region: str | None = None
    """The region of the stack's environment, or None for an environment-agnostic stack."""

    def template(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.template_path.read_text())
        return loaded

    def template_body(self) -> str:
        return self.template_path.read_text()


def _artifacts(directory: Path) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    manifest = json.loads((directory / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        yield directory, artifact_id, artifact
        if artifact.get("type") == "cdk:cloud-assembly":
            yield from _artifacts(directory / artifact["properties"]["directoryName"])


def _file_assets(manifest_path: Path) -> tuple[FileAsset, ...]:
    manifest = json.loads(manifest_path.read_text())
    assets = []
    for asset in manifest.get("files", {}).values():
        source = asset["source"]
        if "path" not in source:  # an executable-built asset: nothing to upload locally
            continue
        for destination in asset.get("destinations", {}).values():
            assets.append(
                FileAsset(
                    source=manifest_path.parent / source["path"],
                    packaging=source.get("packaging", "file"),
                    bucket=destination["bucketName"],
                    key=destination["objectKey"],
                )
            )
    return tuple(assets)


def read_assembly(outdir: Path | str) -> list[AssemblyStack]:
    """The stacks of the assembly in ``outdir``, dependencies first (manifest order otherwise).

    Raises:
        ValueError: the stack dependencies form a cycle.
    """
    root = Path(outdir)
    stacks: dict[str, AssemblyStack] = {}
    asset_manifests: dict[str, Path] = {}
    raw: list[tuple[Path, str, dict[str, Any]]] = list(_artifacts(root))
    for directory, artifact_id, artifact in raw:
        if artifact.get("type") == "cdk:asset-manifest":
            asset_manifests[artifact_id] = directory / artifact["properties"]["file"]
    stack_ids = {a_id for _, a_id, a in raw if a.get("type") == "aws:cloudformation:stack"}
    for directory, artifact_id, artifact in raw:
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        props = artifact.get("properties", {})
        deps = tuple(artifact.get("dependencies", []))
        assets = tuple(
            asset
            for dep in deps
            if dep in asset_manifests
            for asset in _file_assets(asset_manifests[dep])
        )
        stacks[artifact_id] = AssemblyStack(
            artifact_id=artifact_id,
            stack_name=props.get("stackName", artifact_id),
            display_name=artifact.get("displayName", artifact_id),
            template_path=directory / props["templateFile"],
            dependencies=tuple(d for d in deps if d in stack_ids),
            tags=dict(props.get("tags", {})),
            assets=assets,
            region=_region(artifact.get("environment", "")),
        )
    return _in_dependency_order(stacks)


def _region(environment: str) -> str | None:
    """``us-west-2`` of ``aws://123456789012/us-west-2``; None for ``unknown-region``."""
    region = environment.rpartition("/")[2]
    return None if not region or region.startswith("unknown-") else region


def _in_dependency_order(stacks: dict[str, AssemblyStack]) -> list[AssemblyStack]:
    ordered: list[AssemblyStack] = []
    state: dict[str, str] = {}

    def visit(artifact_id: str, path: tuple[str, ...]) -> None:
        if state.get(artifact_id) == "done":
            return
        if state.get(artifact_id) == "visiting":
            cycle = " -> ".join((*path, artifact_id))
            raise ValueError(f"stack dependencies form a cycle: {cycle}")
        state[artifact_id] = "visiting"
        for dep in stacks[artifact_id].dependencies:
            visit(dep, (*path, artifact_id))
        state[artifact_id] = "done"
        ordered.append(stacks[artifact_id])

    for artifact_id in stacks:
        visit(artifact_id, ())
    return ordered
