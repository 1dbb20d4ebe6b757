"""Lambda functions declared as data, each with its own log group, role and grants.

A :class:`FunctionSpec` says what a handler needs (code, runtime, sizing, the tables and
secrets it uses); :class:`ApiFunction` turns it into a function whose role can reach exactly
those resources and its own log group, nothing else: no ``AWSLambdaBasicExecutionRole`` (its
``logs:*`` actions cover every log group of the account), no shared role between functions.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from petplatform_constructs.core.errors import require
from petplatform_constructs.core.iam import flatten_cfn_reference, inherent_wildcard_findings
from petplatform_constructs.core.resources import TableLike, as_table
from petplatform_constructs.platform.compliance import (
    Finding,
    acknowledge,
    acknowledge_after_resolution,
)
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_RUNTIME_NAME",
    "RESERVED_ENVIRONMENT",
    "ApiFunction",
    "FunctionSpec",
    "TableAccess",
    "check_function_spec",
    "latest_runtime_of_family",
]

DEFAULT_RUNTIME_NAME = "python3.13"
"""The runtime of a :class:`FunctionSpec` that names none."""
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
_RUNTIME_VERSION = re.compile(r"^([a-z]+)(\d+(\.?\d+|\.x)?)?.*$")
_MAX_TIMEOUT_S = 900
_ALWAYS_EXCLUDED = ("__pycache__", "*.pyc", ".*_cache")


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
        code_path: directory with the handler code, zipped as is (``Code.from_asset``; no
            Docker bundling, so vendor dependencies into it or use a layer).
        handler: ``module.function``. Default ``"app.handler"`` (``app.py`` must exist for
            Python runtimes).
        runtime: Default ``python3.13``. Runtimes are pinned: upgrading one is a deliberate,
            tested change, never a side effect of a library upgrade.
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
            table means read and write.
        secrets: ``{ENV_VAR: secret}``: the function may read each secret
            (``GetSecretValue``/``DescribeSecret``) and finds its ARN in ``ENV_VAR``.
        reserved_concurrency: concurrent executions reserved (and capped) for the function.
            Default: none (shares the account's pool).
        description: Default: none.
        exclude: extra glob patterns left out of the code asset (``README.md``, ``tests``...).
            Python caches and tool caches (``__pycache__``, ``*.pyc``, ``.*_cache``) are
            always left out.
    """

    name: str
    code_path: str | os.PathLike[str]
    handler: str = "app.handler"
    runtime: lambda_.Runtime | None = None
    memory_mb: int = DEFAULT_MEMORY_MB
    timeout: Duration | None = None
    architecture: lambda_.Architecture | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    tables: Mapping[str, TableAccess | TableLike] = field(default_factory=dict)
    secrets: Mapping[str, secretsmanager.ISecret] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    description: str | None = None
    exclude: Sequence[str] = ()


def runtime_of(spec: FunctionSpec) -> lambda_.Runtime:
    """The spec's runtime, or the default one."""
    return spec.runtime if spec.runtime is not None else lambda_.Runtime.PYTHON_3_13


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


def _is_python(runtime: lambda_.Runtime) -> bool:
    return runtime.family == lambda_.RuntimeFamily.PYTHON


def _table_of(table: TableLike) -> dynamodb.ITable:
    return as_table(table)


def table_accesses(spec: FunctionSpec) -> dict[str, TableAccess]:
    """``spec.tables`` with bare tables read as read-write access."""
    return {
        env: value if isinstance(value, TableAccess) else TableAccess(value)
        for env, value in spec.tables.items()
    }


def check_function_spec(
    owner: str, spec: FunctionSpec, generated_environment: Sequence[str]
) -> None:
    """Fail with a :class:`PropError` on a spec Lambda or this library would reject."""
    label = f"functions[{spec.name}]"
    require(
        isinstance(spec.name, str) and bool(_NAME.fullmatch(spec.name)),
        owner,
        "functions.name",
        spec.name,
        "1-64 letters, digits, '_' and '-', starting with a letter",
    )
    _check_code(owner, spec, label)
    require(
        not isinstance(spec.exclude, str),
        owner,
        f"{label}.exclude",
        spec.exclude,
        "a list of glob patterns, not a string",
    )
    require(
        128 <= spec.memory_mb <= 10240,
        owner,
        f"{label}.memory_mb",
        spec.memory_mb,
        "128 to 10240 MB",
    )
    if spec.timeout is not None:
        seconds = spec.timeout.to_seconds()
        require(
            1 <= seconds <= _MAX_TIMEOUT_S,
            owner,
            f"{label}.timeout",
            f"{seconds:g} s",
            f"1 s to {_MAX_TIMEOUT_S} s (Lambda's limit)",
        )
    require(
        spec.reserved_concurrency is None or spec.reserved_concurrency >= 1,
        owner,
        f"{label}.reserved_concurrency",
        spec.reserved_concurrency,
        "at least 1 (0 would throttle every request), or None for no reservation",
    )
    _check_environment(owner, spec, label, generated_environment)


def _check_code(owner: str, spec: FunctionSpec, label: str) -> None:
    path = Path(spec.code_path)
    require(
        path.is_dir(),
        owner,
        f"{label}.code_path",
        str(spec.code_path),
        f"an existing directory with the handler code (resolved to {path.resolve()})",
    )
    module, _, function = spec.handler.rpartition(".")
    require(
        bool(module) and bool(function),
        owner,
        f"{label}.handler",
        spec.handler,
        "'module.function', e.g. 'app.handler'",
    )
    if _is_python(runtime_of(spec)):
        relative = module.replace(".", "/")
        require(
            (path / f"{relative}.py").is_file() or (path / relative / "__init__.py").is_file(),
            owner,
            f"{label}.handler",
            spec.handler,
            f"module {module!r} must exist in {path}: {relative}.py or {relative}/__init__.py",
        )


def _check_environment(
    owner: str, spec: FunctionSpec, label: str, generated: Sequence[str]
) -> None:
    for prop in ("environment", "tables", "secrets"):
        require(
            isinstance(getattr(spec, prop), Mapping),
            owner,
            f"{label}.{prop}",
            getattr(spec, prop),
            "a mapping {ENV_VAR_NAME: value}",
        )
    seen: dict[str, str] = {name: "ServerlessApi" for name in generated}
    for prop in ("tables", "secrets", "environment"):
        for name in getattr(spec, prop):
            require(
                isinstance(name, str) and bool(_ENV_NAME.fullmatch(name)),
                owner,
                f"{label}.{prop}",
                name,
                "environment variable names: letters, digits and '_', starting with a letter",
            )
            require(
                name not in RESERVED_ENVIRONMENT,
                owner,
                f"{label}.{prop}",
                name,
                "a name the Lambda runtime reserves for itself; choose another",
            )
            require(
                name not in seen,
                owner,
                f"{label}.{prop}",
                name,
                f"the variable is already set by {seen.get(name)}; each name is set once",
            )
            seen[name] = prop
    for name, value in spec.environment.items():
        require(isinstance(value, str), owner, f"{label}.environment[{name}]", value, "a string")
        if Token.is_unresolved(value):
            continue
        looks_secret = bool(_SECRET_VALUE.search(value)) or (
            bool(_SECRET_KEY.search(name))
            and not _REFERENCE_SUFFIX.search(name)
            and not value.startswith("arn:")
        )
        require(
            not looks_secret,
            owner,
            f"{label}.environment[{name}]",
            "<redacted>",
            "environment variables must not hold secret values (the template and "
            "GetFunctionConfiguration show them): store the value in Secrets Manager and pass "
            "the secret in secrets={'NAME_SECRET_ARN': secret}",
        )
    for name, access in table_accesses(spec).items():
        require(
            access.access in ("read", "read_write"),
            owner,
            f"{label}.tables[{name}].access",
            access.access,
            "'read' or 'read_write'",
        )


class ApiFunction(Construct):
    """A Lambda function built from a :class:`FunctionSpec` with least-privilege plumbing.

    Children (stable construct ids): ``LogGroup`` (explicit, with the stage's retention, instead
    of the deprecated log-retention custom resource), ``Role`` (its own, with write access to
    that log group, X-Ray, and the spec's tables and secrets) and ``Handler`` (the function:
    X-Ray tracing active, JSON logs).

    Args:
        spec: what to build.
        function_name: physical name. Default: generated by CloudFormation.
        timeout: used when the spec gives none.
        environment: variables added to the spec's own (route groups, CORS origins).
        profile: log retention and removal policy of the log group.

    Attributes:
        function: the ``lambda.Function``.
        role: its ``iam.Role``.
        log_group: its ``logs.LogGroup``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: FunctionSpec,
        function_name: str | None,
        timeout: Duration,
        environment: Mapping[str, str],
        profile: StageProfile,
    ) -> None:
        super().__init__(scope, id)
        runtime = runtime_of(spec)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=f"/aws/lambda/{function_name}" if function_name else None,
            retention=profile.log_retention,
            removal_policy=profile.removal_policy,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the {spec.name} function: its log group, X-Ray, "
            "and only the tables and secrets it declares",
        )
        self.log_group.grant_write(self.role)
        accesses = table_accesses(spec)
        variables = {env: _table_of(a.table).table_name for env, a in accesses.items()}
        variables.update({env: secret.secret_arn for env, secret in spec.secrets.items()})
        variables.update(environment)
        variables.update(spec.environment)
        self.function = lambda_.Function(
            self,
            "Handler",
            code=lambda_.Code.from_asset(
                str(Path(spec.code_path)), exclude=[*_ALWAYS_EXCLUDED, *spec.exclude]
            ),
            handler=spec.handler,
            runtime=runtime,
            architecture=spec.architecture or lambda_.Architecture.X86_64,
            memory_size=spec.memory_mb,
            timeout=spec.timeout or timeout,
            function_name=function_name,
            description=spec.description,
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            environment=variables,
            reserved_concurrent_executions=spec.reserved_concurrency,
        )
        self._keys: list[kms.IKey] = []
        for access in accesses.values():
            table = _table_of(access.table)
            if access.access == "read":
                table.grant_read_data(self.role)
            else:
                table.grant_read_write_data(self.role)
            if (key := getattr(table, "encryption_key", None)) is not None:
                self._keys.append(key)
        for secret in spec.secrets.values():
            secret.grant_read(self.role)
            if secret.encryption_key is not None:
                self._keys.append(secret.encryption_key)
        latest = latest_runtime_of_family(runtime)
        if latest is not None and latest != runtime.name:
            acknowledge(
                self.function.node.default_child or self.function,
                "AwsSolutions-L1",
                f"Runtime {runtime.name} is pinned through FunctionSpec.runtime (library "
                f"default {DEFAULT_RUNTIME_NAME}): a runtime upgrade must be a tested change "
                f"of the handler, not a side effect of a CDK upgrade. Newest in this family: "
                f"{latest}.",
            )
        acknowledge_after_resolution(self, self._inherent_wildcard_findings)

    def _inherent_wildcard_findings(self) -> Iterator[Finding]:
        """The IAM5 findings that the role's grants cannot avoid, and no others.

        * ``Resource::*`` for X-Ray, when X-Ray is the only statement on ``*`` (its actions
          have no resource-level permissions);
        * ``<table-arn>/index/*`` next to ``<table-arn>`` in a DynamoDB-only statement;
        * ``kms:GenerateDataKey*``/``kms:ReEncrypt*`` on the granted resources' own keys.

        Runs at validation time, after cross-stack references are resolved, so the finding ids
        name what cdk-nag reads. A wildcard added by hand is still reported.
        """
        stack = Stack.of(self)
        key_arns = {flatten_cfn_reference(stack.resolve(key.key_arn)) for key in self._keys}
        for policy in self.role.node.find_all():
            if not isinstance(policy, iam.CfnPolicy):
                continue
            statements = stack.resolve(policy.policy_document).get("Statement", [])
            for rule_id, reason in inherent_wildcard_findings(statements, key_arns).items():
                yield policy, rule_id, reason
