"""Lambda functions declared as data, and the rules a function spec must meet.

A :class:`FunctionSpec` says what a handler needs (code, runtime, sizing, the tables and
secrets it uses); :class:`~petplatform_constructs.compute.serverless_api.api_function.ApiFunction`
turns it into a function whose role can reach exactly those resources.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aws_cdk import Duration, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from petplatform_constructs.compute.serverless_api.go_build import go_module_root, has_main_package
from petplatform_constructs.compute.serverless_api.routes import RouteSpec
from petplatform_constructs.compute.serverless_api.runtimes import is_python
from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.props import check_fields
from petplatform_constructs.core.resources import HasTable, TableLike
from petplatform_constructs.runtime.auth import CORS_ORIGINS_ENV, ROUTE_GROUPS_ENV

__all__ = [
    "DEFAULT_MEMORY_MB",
    "RESERVED_ENVIRONMENT",
    "FunctionSpec",
    "TableAccess",
    "check_function_spec",
    "check_function_timeout",
    "generated_environment",
    "handler_of",
    "is_go_build",
    "runtime_kind",
    "runtime_of",
    "table_accesses",
]

DEFAULT_MEMORY_MB = 512

RESERVED_ENVIRONMENT = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
        "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)  # fmt: skip
"""Variables the Lambda runtime sets itself; CloudFormation rejects functions that set them."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SECRET_KEY = re.compile(
    r"SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.I
)
_REFERENCE_SUFFIX = re.compile(r"_(ARN|NAME|ID|PATH|PARAMETER|URL|HEADER|TTL|SECONDS|ENV)$", re.I)
_SECRET_VALUE = re.compile(
    r"(?:AKIA|ASIA)[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(?:sk|rk)_(?:live|test)_"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abpr]-"
)
_MAX_TIMEOUT_S = 900


@dataclass(frozen=True, eq=False)
class TableAccess:
    """A table a function uses, and how: ``"read"`` or ``"read_write"`` (items, not schema).

    Use :meth:`read` and :meth:`read_write`. Reads include ``Query`` and ``Scan`` on the
    table's indexes when the table knows it has some.
    """

    table: TableLike
    access: Literal["read", "read_write"] = "read_write"

    @classmethod
    def read(cls, table: TableLike) -> TableAccess:
        return cls(table, "read")

    @classmethod
    def read_write(cls, table: TableLike) -> TableAccess:
        return cls(table, "read_write")


@dataclass(frozen=True, eq=False)
class FunctionSpec:
    """One Lambda function of an API: code, runtime, sizing and what it may touch.

    Args:
        name: key that routes refer to (``RouteSpec.function``), part of the construct id
            (``Function-{name}``) and, through the naming strategy, of the function name
            (``dogcare-dev-dog-management``). Letters, digits, ``_`` and ``-``.
        code_path: directory with the handler code. Python and Node.js: zipped as is
            (``Code.from_asset``; no Docker bundling, so vendor dependencies into it or use a
            layer). ``provided.*`` runtimes: a Go ``main`` package inside a Go module
            (``go.mod`` in it or above), built locally into ``bootstrap`` with ``go build``
            (see :mod:`~petplatform_constructs.compute.serverless_api.go_build`); or a
            directory with a prebuilt ``bootstrap`` and no Go files, zipped as is.
        handler: Default per runtime family: ``"app.handler"`` for Python (``module.function``;
            the module must exist), ``"index.handler"`` for Node.js (``file.export``;
            ``index.js``, ``.mjs`` or ``.cjs`` must exist), ``"bootstrap"`` for ``provided.*``.
        runtime: Default ``python3.13``. Runtimes are pinned: upgrading one is a deliberate,
            tested change, never a side effect of a library upgrade. Python functions get the
            runtime layer (``petplatform_runtime``), which needs Python 3.9 or newer. Python,
            Node.js and ``provided.*`` (Go) runtimes are supported.
        memory_mb: 128 to 10240. Default 512 (CPU scales with memory).
        timeout: 1 s to 15 min. Default: the API's integration timeout (29 s for REST, 30 s
            for HTTP APIs), so a function never runs after its caller was answered.
        architecture: ``Architecture.X86_64`` (default) or ``ARM_64`` (Graviton: about 20%
            cheaper per GB-second; vendored native wheels must be built for it).
        environment: extra variables. Names and ARNs only, never secret values: the
            template, the console and ``lambda:GetFunctionConfiguration`` show them. Values
            that look like credentials are refused; pass the secret in ``secrets``.
        tables: ``{ENV_VAR: table}``: the function may read and write (or only read, with
            :meth:`TableAccess.read`) each table and finds its name in ``ENV_VAR``. A bare
            table (an ``ITable``, an ``ITableV2``, or anything with a ``table`` such as a
            ``DataTable``) means read and write.
        secrets: ``{ENV_VAR: secret}``: the function may read each secret
            (``GetSecretValue``/``DescribeSecret``) and finds its ARN in ``ENV_VAR``.
        reserved_concurrency: concurrent executions reserved (and capped) for the function.
            Default: none (shares the account's pool).
        provisioned_concurrency: execution environments kept initialized on the API's alias
            (``ServerlessApi(alias_name=...)``), for functions whose cold starts matter. They
            are billed while idle. Default: none.
        description: Default: none.
        exclude: extra glob patterns left out of the code asset (``README.md``, ``tests``...).
            Python caches and tool caches (``__pycache__``, ``*.pyc``, ``.*_cache``) are
            always left out.
    """

    name: str
    code_path: str | os.PathLike[str]
    handler: str | None = None
    runtime: lambda_.Runtime | None = None
    memory_mb: int = DEFAULT_MEMORY_MB
    timeout: Duration | None = None
    architecture: lambda_.Architecture | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    tables: Mapping[str, TableAccess | dynamodb.ITable | dynamodb.ITableV2 | HasTable] = field(
        default_factory=dict
    )
    secrets: Mapping[str, secretsmanager.ISecret] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    provisioned_concurrency: int | None = None
    description: str | None = None
    exclude: Sequence[str] = ()


def runtime_of(spec: FunctionSpec) -> lambda_.Runtime:
    """The spec's runtime, or the default one."""
    return spec.runtime if spec.runtime is not None else lambda_.Runtime.PYTHON_3_13


def runtime_kind(runtime: lambda_.Runtime) -> Literal["python", "nodejs", "provided", "other"]:
    """The family of ``runtime`` as this library supports it."""
    if is_python(runtime):
        return "python"
    if runtime.family == lambda_.RuntimeFamily.NODEJS:
        return "nodejs"
    if runtime.name.startswith("provided"):
        return "provided"
    return "other"


_DEFAULT_HANDLERS = {"python": "app.handler", "nodejs": "index.handler", "provided": "bootstrap"}
_NODE_EXTENSIONS = (".js", ".mjs", ".cjs")


def handler_of(spec: FunctionSpec) -> str:
    """The spec's handler, or its runtime family's default."""
    if spec.handler is not None:
        return spec.handler
    return _DEFAULT_HANDLERS.get(runtime_kind(runtime_of(spec)), "app.handler")


def is_go_build(spec: FunctionSpec) -> bool:
    """Whether the library builds the spec's code with ``go build`` (``provided.*`` with Go)."""
    path = Path(spec.code_path)
    return runtime_kind(runtime_of(spec)) == "provided" and not (
        (path / "bootstrap").is_file() and not any(path.glob("*.go"))
    )


def table_accesses(spec: FunctionSpec) -> dict[str, TableAccess]:
    """``spec.tables`` with bare tables read as read-write access."""
    return {
        env: value if isinstance(value, TableAccess) else TableAccess(value)
        for env, value in spec.tables.items()
    }


def check_function_spec(
    problems: Problems, spec: FunctionSpec, label: str, generated: Sequence[str]
) -> bool:
    """Record every problem of ``spec`` that Lambda or this library would reject.

    ``label`` names the spec in messages (``functions[echo]``). Returns whether the spec's
    fields have the right types (only then were its values checked).
    """
    rejected = check_fields(problems, label, spec)
    for access_label, access in _table_access_specs(spec, label, rejected):
        if check_fields(problems, access_label, access):
            rejected.add("tables")
    if rejected:
        return False
    problems.check(
        bool(_NAME.fullmatch(spec.name)),
        f"{label}.name",
        spec.name,
        "1-64 letters, digits, '_' and '-', starting with a letter",
    )
    _check_code(problems, spec, label)
    problems.check(
        128 <= spec.memory_mb <= 10240, f"{label}.memory_mb", spec.memory_mb, "128 to 10240 MB"
    )
    if spec.timeout is not None:
        seconds = spec.timeout.to_seconds()
        problems.check(
            1 <= seconds <= _MAX_TIMEOUT_S,
            f"{label}.timeout",
            f"{seconds:g} s",
            f"1 s to {_MAX_TIMEOUT_S} s (Lambda's limit)",
        )
    problems.check(
        spec.reserved_concurrency is None or spec.reserved_concurrency >= 1,
        f"{label}.reserved_concurrency",
        spec.reserved_concurrency,
        "at least 1 (0 would throttle every request), or None for no reservation",
    )
    problems.check(
        spec.provisioned_concurrency is None or spec.provisioned_concurrency >= 1,
        f"{label}.provisioned_concurrency",
        spec.provisioned_concurrency,
        "at least 1, or None for none",
    )
    if spec.provisioned_concurrency is not None and spec.reserved_concurrency is not None:
        problems.check(
            spec.provisioned_concurrency <= spec.reserved_concurrency,
            f"{label}.provisioned_concurrency",
            spec.provisioned_concurrency,
            f"at most reserved_concurrency ({spec.reserved_concurrency}): Lambda refuses to "
            "provision more environments than the function may run",
        )
    _check_environment(problems, spec, label, generated)
    return True


def _table_access_specs(
    spec: FunctionSpec, label: str, rejected: set[str]
) -> Iterator[tuple[str, TableAccess]]:
    if "tables" in rejected:
        return
    for env, value in spec.tables.items():
        if isinstance(value, TableAccess):
            yield f"{label}.tables[{env}]", value


def _check_code(problems: Problems, spec: FunctionSpec, label: str) -> None:
    path = Path(spec.code_path)
    exists = problems.check(
        path.is_dir(),
        f"{label}.code_path",
        str(spec.code_path),
        f"an existing directory with the handler code (resolved to {path.resolve()})",
    )
    kind = runtime_kind(runtime_of(spec))
    handler = handler_of(spec)
    if not problems.check(
        kind != "other",
        f"{label}.runtime",
        runtime_of(spec).name,
        "a Python (python3.x), Node.js (nodejs*.x) or OS-only (provided.al2023, provided.al2: "
        "Go built locally) runtime: the code checks, defaults and local runs cover these",
    ):
        return
    if kind == "provided":
        problems.check(bool(handler), f"{label}.handler", handler, "a non-empty string")
        if exists and is_go_build(spec):
            _check_go_package(problems, path, label)
        return
    module, _, function = handler.rpartition(".")
    example = "'index.handler'" if kind == "nodejs" else "'app.handler'"
    if not problems.check(
        bool(module) and bool(function),
        f"{label}.handler",
        handler,
        f"'module.function', e.g. {example}",
    ):
        return
    if not exists:
        return
    if kind == "python":
        relative = module.replace(".", "/")
        problems.check(
            (path / f"{relative}.py").is_file() or (path / relative / "__init__.py").is_file(),
            f"{label}.handler",
            handler,
            f"module {module!r} must exist in {path}: {relative}.py or {relative}/__init__.py",
        )
    elif kind == "nodejs":
        problems.check(
            any((path / f"{module}{ext}").is_file() for ext in _NODE_EXTENSIONS),
            f"{label}.handler",
            handler,
            f"file {module!r} must exist in {path}: "
            + ", ".join(f"{module}{ext}" for ext in _NODE_EXTENSIONS),
        )


def _check_go_package(problems: Problems, path: Path, label: str) -> None:
    root = go_module_root(path)
    if not problems.check(
        root is not None,
        f"{label}.code_path",
        str(path),
        "provided.* functions are built from a Go main package inside a Go module: no go.mod "
        f"in {path.resolve()} or above (or put a prebuilt 'bootstrap' there, with no Go files)",
    ):
        return
    problems.check(
        has_main_package(path),
        f"{label}.code_path",
        str(path),
        f"a Go 'package main' (the function's bootstrap): no non-test .go file in {path.resolve()} "
        "declares it",
    )


def _check_environment(
    problems: Problems, spec: FunctionSpec, label: str, generated: Sequence[str]
) -> None:
    seen: dict[str, str] = {name: "ServerlessApi" for name in generated}
    for prop in ("tables", "secrets", "environment"):
        for name in getattr(spec, prop):
            if not problems.check(
                bool(_ENV_NAME.fullmatch(name)),
                f"{label}.{prop}",
                name,
                "environment variable names: letters, digits and '_', starting with a letter",
            ):
                continue
            problems.check(
                name not in RESERVED_ENVIRONMENT,
                f"{label}.{prop}",
                name,
                "a name the Lambda runtime reserves for itself; choose another",
            )
            problems.check(
                name not in seen,
                f"{label}.{prop}",
                name,
                f"the variable is already set by {seen.get(name)}; each name is set once",
            )
            seen.setdefault(name, prop)
    for name, value in spec.environment.items():
        if Token.is_unresolved(value):
            continue
        looks_secret = bool(_SECRET_VALUE.search(value)) or (
            bool(_SECRET_KEY.search(name))
            and not _REFERENCE_SUFFIX.search(name)
            and not value.startswith("arn:")
        )
        problems.check(
            not looks_secret,
            f"{label}.environment[{name}]",
            "<redacted>",
            "environment variables must not hold secret values (the template and "
            "GetFunctionConfiguration show them): store the value in Secrets Manager and pass "
            "the secret in secrets={'NAME_SECRET_ARN': secret}",
        )


def generated_environment(
    function: str, routes: Sequence[RouteSpec], cors_origins: Sequence[str]
) -> dict[str, str]:
    """The variables the API sets on ``function``: its routes' groups, the CORS origins."""
    variables: dict[str, str] = {}
    groups = {
        route.key: route.required_group
        for route in routes
        if route.function == function and route.required_group
    }
    if groups:
        variables[ROUTE_GROUPS_ENV] = json.dumps(groups, sort_keys=True)
    if cors_origins:
        variables[CORS_ORIGINS_ENV] = ",".join(cors_origins)
    return variables


def check_function_timeout(
    problems: Problems,
    rest: bool,
    spec: FunctionSpec,
    label: str,
    timeout: Duration,
    limit: Duration,
) -> bool:
    """Record a function timeout the API cannot wait for; return whether it outlives the API's."""
    if spec.timeout is None:
        return False  # it takes the integration timeout
    seconds = spec.timeout.to_seconds()
    problems.check(
        rest or seconds <= limit.to_seconds(),
        f"{label}.timeout",
        f"{seconds:g} s",
        "at most 30 s, the HTTP API integration timeout hard limit: the API would answer 504 "
        "while the function kept running; move long work to a queue consumer",
    )
    return seconds > timeout.to_seconds()
