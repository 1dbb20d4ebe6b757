"""Lambda runtimes: the pinning rule, and the runtime layer every Python function gets.

The runtime layer ships this library's :mod:`petplatform_constructs.runtime` package (standard
library only) to Python functions as the package ``petplatform_runtime``, so a handler imports
``from petplatform_runtime.auth import require_route_group`` without copying a file or
installing this library in its code asset. The layer is built from the installed package's own
``runtime`` directory, staged as ``python/petplatform_runtime/``: Lambda puts a layer's
``python/`` directory (``/opt/python``) on ``sys.path``, after the function's own code.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

import petplatform_constructs.runtime as runtime_package

__all__ = [
    "DEFAULT_RUNTIME_NAME",
    "LAYER_MIN_PYTHON",
    "RUNTIME_LAYER_ID",
    "RUNTIME_PACKAGE",
    "is_python",
    "latest_runtime_of_family",
    "layer_supports",
    "runtime_layer_directory",
    "runtime_layer_of",
]

DEFAULT_RUNTIME_NAME = "python3.13"
"""The runtime of a :class:`FunctionSpec` that names none."""
RUNTIME_PACKAGE = "petplatform_runtime"
"""The name handlers import the runtime helpers by, inside Lambda (``petplatform_runtime.auth``)."""
RUNTIME_LAYER_ID = "PetPlatformRuntimeLayer"
"""Construct id of the runtime layer: one per stack, at the stack root."""
LAYER_MIN_PYTHON = (3, 9)
"""The oldest Python runtime the layer declares itself compatible with."""

_RUNTIME_VERSION = re.compile(r"^([a-z]+)(\d+(\.?\d+|\.x)?)?.*$")
_PYTHON_VERSION = re.compile(r"python(\d+)\.(\d+)")


def is_python(runtime: lambda_.Runtime) -> bool:
    """Whether ``runtime`` is a Python runtime."""
    return runtime.family == lambda_.RuntimeFamily.PYTHON


def latest_runtime_of_family(runtime: lambda_.Runtime) -> str | None:
    """The newest runtime of ``runtime``'s family that this CDK knows (cdk-nag L1's rule).

    ``None`` for OS-only runtimes (``provided.*``), which L1 does not check.
    """
    match = _RUNTIME_VERSION.match(runtime.name)
    if match is None or match.group(1) == "provided":
        return None
    family = match.group(1)
    latest: tuple[tuple[tuple[int, str], ...], str] | None = None
    for candidate in lambda_.Runtime.ALL:
        found = _RUNTIME_VERSION.match(candidate.name)
        if found is None or not candidate.name.startswith(family):
            continue
        key = _natural_key(found.group(2) or "0")
        if latest is None or key >= latest[0]:
            latest = (key, candidate.name)
    return latest[1] if latest else None


def _natural_key(version: str) -> tuple[tuple[int, str], ...]:
    """Numeric-aware ordering (JavaScript ``localeCompare`` with ``numeric: true``)."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part)
        for part in re.findall(r"\d+|\D+", version)
    )


def layer_supports(runtime: lambda_.Runtime) -> bool:
    """Whether the runtime layer works with ``runtime``: Python 3.9 or newer."""
    match = _PYTHON_VERSION.fullmatch(runtime.name)
    return match is not None and (int(match[1]), int(match[2])) >= LAYER_MIN_PYTHON


@functools.cache
def runtime_layer_directory() -> Path:
    """The layer's content, staged once per process: ``python/petplatform_runtime/*.py``.

    Add ``runtime_layer_directory() / "python"`` to ``sys.path`` to import the helpers the way a
    handler does in Lambda (``import petplatform_runtime.auth``), e.g. in handler unit tests.
    The directory is private to this process and removed when it exits; the asset's hash
    depends on the files' names and contents only, so it is the same on every machine.
    """
    staging = Path(tempfile.mkdtemp(prefix="petplatform-runtime-layer-"))
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    target = staging / "python" / RUNTIME_PACKAGE
    target.mkdir(parents=True)
    for source in sorted(Path(runtime_package.__file__).parent.glob("*.py")):
        shutil.copyfile(source, target / source.name)
    return staging


def runtime_layer_of(scope: IConstruct) -> lambda_.LayerVersion:
    """The runtime layer of ``scope``'s stack (``PetPlatformRuntimeLayer``), made on first use."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(RUNTIME_LAYER_ID)
    if isinstance(existing, lambda_.LayerVersion):
        return existing
    return lambda_.LayerVersion(
        stack,
        RUNTIME_LAYER_ID,
        code=lambda_.Code.from_asset(str(runtime_layer_directory())),
        compatible_runtimes=[r for r in lambda_.Runtime.ALL if layer_supports(r)],
        compatible_architectures=[lambda_.Architecture.X86_64, lambda_.Architecture.ARM_64],
        description=f"{RUNTIME_PACKAGE}: the handler helpers of petplatform-constructs "
        "(verified claims, route groups, CORS headers)",
    )
