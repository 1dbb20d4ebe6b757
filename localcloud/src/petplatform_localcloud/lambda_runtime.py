"""Lambda functions of a deployed stack, run against the local cloud: Python in this process,
Go (``provided.*``) and Node.js as processes behind the Lambda Runtime API.

moto can run Lambda code only in Docker. A Python function's handler can instead be imported
from its code asset (the cloud assembly's ``asset.<hash>/`` directory, which is what Lambda
unpacks) and called directly, with its boto3 calls pointed back at the emulator. This is how
:mod:`petplatform_localcloud.apigateway` serves Lambda-proxy routes over HTTP.

What an invocation sees, as in a Lambda container:

* the function's environment variables as deployed (table names, secret ARNs... resolved by the
  stack), plus the runtime's own (``AWS_REGION``, ``AWS_LAMBDA_FUNCTION_NAME``, ``_HANDLER``...),
  dummy credentials and ``AWS_ENDPOINT_URL`` pointing at the emulator; other ``AWS_*``
  variables of the host process (profiles, real keys) are hidden for the invocation;
* ``boto3``'s default session is one of its own, so clients it caches stay bound to the
  emulator and to dummy credentials;
* its own module namespace: each function imports its code afresh and keeps its modules between
  invocations (a warm container), so two functions whose assets both hold an ``app`` module or a
  shared package never see each other's modules, nor those the host process imported.

Layers are on ``sys.path`` after the function's own code, as ``/opt/python`` is in Lambda: each
layer's unpacked ``python/`` directory (``layer_dirs``).

Python invocations run one at a time (a process-wide lock): environment variables and
``sys.modules`` are process-wide. Not emulated for Python: the timeout (the caller measures the
duration; a handler is never interrupted), memory limits.

``provided.*`` and ``nodejs*`` functions get the same environment in a process of their own
(:mod:`.lambda_processes`): the asset's Go ``bootstrap`` or this package's Node.js runtime client,
talking to a Runtime API server on loopback, kept warm between invocations and stopped by
:meth:`LocalFunction.close` (or when the local cloud closes). There the timeout is enforced (the
process is stopped, as Lambda stops the sandbox). Other runtimes (Java, .NET, Ruby) cannot run.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3  # type: ignore[import-untyped]

from petplatform_localcloud.lambda_processes import ProcessRuntime, SandboxError, runs_as_process

__all__ = ["LambdaContext", "LambdaRuntimeError", "LocalFunction"]

# Environment variables and sys.modules are process-wide: one invocation at a time. Re-entrant,
# so a handler may invoke another local function directly.
_INVOKE_LOCK = threading.RLock()
_DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class LambdaRuntimeError(RuntimeError):
    """The function cannot run in-process (runtime, handler or code not usable)."""


@dataclass
class LambdaContext:
    """The ``context`` argument of a Python handler (the attributes handlers commonly read)."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline: float = field(repr=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass
class LocalFunction:
    """One deployed function, ready to be invoked (Python in-process; Go and Node.js as processes).

    Args:
        name: the function's name. arn: its ARN.
        handler: ``module.path.function``, as deployed.
        code_dir: the unpacked code asset (the directory Lambda would run from).
        environment: the function's deployed environment variables.
        endpoint_url: the emulator's endpoint, for the function's boto3 clients.
        region: the function's region.
        runtime: e.g. ``python3.11``, ``provided.al2023``, ``nodejs22.x``; other runtimes raise
            :class:`LambdaRuntimeError`.
        timeout_seconds / memory_mb: as deployed (``context`` reports them).
        log_group: the function's log group name.
        layer_dirs: the ``python/`` directory of each of its layers, in order.
    """

    name: str
    arn: str
    handler: str
    code_dir: Path
    environment: Mapping[str, str]
    endpoint_url: str
    region: str
    runtime: str = "python3.11"
    timeout_seconds: float = 3.0
    memory_mb: int = 128
    log_group: str = ""
    layer_dirs: tuple[Path, ...] = ()
    _modules: dict[str, ModuleType] = field(default_factory=dict, repr=False)
    _session: Any = field(default=None, repr=False)
    _processes: ProcessRuntime | None = field(default=None, repr=False)

    def invoke(self, event: object, *, request_id: str | None = None) -> Any:
        """Call the handler with ``event`` and a :class:`LambdaContext`; return its result.

        Exceptions raised by a Python handler propagate (the caller turns them into a Lambda
        error); a Go or Node.js function's error is a
        :class:`~petplatform_localcloud.runtime_api.FunctionError`. Go and Node.js
        events and results go through JSON, as in Lambda.

        Raises:
            LambdaRuntimeError: a runtime that cannot run here, or the handler (or bootstrap)
                cannot be found or started.
        """
        if runs_as_process(self.runtime):
            try:
                return self.processes.invoke(
                    event,
                    request_id=request_id or str(uuid.uuid4()),
                    timeout=self.timeout_seconds,
                )
            except SandboxError as exc:
                raise LambdaRuntimeError(str(exc)) from exc
        if not self.runtime.startswith("python"):
            raise LambdaRuntimeError(
                f"{self.name}: runtime {self.runtime} cannot run here (Python, Node.js and "
                "provided.* only)"
            )
        module_name, _, function_name = self.handler.rpartition(".")
        if not module_name:
            raise LambdaRuntimeError(
                f"{self.name}: handler {self.handler!r} is not module.function"
            )
        context = LambdaContext(
            function_name=self.name,
            function_version="$LATEST",
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            aws_request_id=request_id or str(uuid.uuid4()),
            log_group_name=self.log_group or f"/aws/lambda/{self.name}",
            log_stream_name=f"local/[$LATEST]{uuid.uuid4().hex}",
            deadline=time.monotonic() + self.timeout_seconds,
        )
        with _INVOKE_LOCK, self._container():
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise LambdaRuntimeError(
                    f"{self.name}: cannot import {module_name!r} from {self.code_dir}: {exc}"
                ) from exc
            entry = getattr(module, function_name, None)
            if not callable(entry):
                raise LambdaRuntimeError(f"{self.name}: {self.handler!r} is not a function")
            return entry(event, context)

    @property
    def processes(self) -> ProcessRuntime:
        """The warm processes of a Go or Node.js function (started on first invocation)."""
        if self._processes is None:
            environment = self._runtime_environment()
            if self.runtime.startswith("provided"):
                environment.pop("AWS_EXECUTION_ENV")  # OS-only runtimes do not set it
            environment["AWS_LAMBDA_LOG_STREAM_NAME"] = f"local/[$LATEST]{uuid.uuid4().hex}"
            self._processes = ProcessRuntime(
                self.name, self.arn, self.runtime, self.code_dir, environment
            )
        return self._processes

    def close(self) -> None:
        """Stop the function's processes, if any (a Python function has none)."""
        if self._processes is not None:
            self._processes.close()

    # ---- isolation ------------------------------------------------------------------------

    def _top_level_names(self) -> set[str]:
        """The importable names the asset and its layers provide (packages and modules)."""
        if not self.code_dir.is_dir():
            raise LambdaRuntimeError(f"{self.name}: code directory {self.code_dir} is missing")
        names = set()
        for directory in (self.code_dir, *self.layer_dirs):
            for entry in directory.iterdir() if directory.is_dir() else ():
                if entry.is_dir() and entry.name.isidentifier():
                    names.add(entry.name)
                elif entry.suffix == ".py" and entry.stem.isidentifier():
                    names.add(entry.stem)
        return names

    def _runtime_environment(self) -> dict[str, str]:
        return {
            **_DUMMY_CREDENTIALS,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group or f"/aws/lambda/{self.name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}",
            "LAMBDA_TASK_ROOT": str(self.code_dir),
            "_HANDLER": self.handler,
            **self.environment,
        }

    @contextmanager
    def _container(self) -> Iterator[None]:
        """This function's environment, modules and boto3 session, for one invocation."""
        names = self._top_level_names()

        def ours(module_name: str) -> bool:
            return module_name.split(".", 1)[0] in names

        wanted = self._runtime_environment()
        saved_env = {k: v for k, v in os.environ.items() if k.startswith("AWS_") or k in wanted}
        saved_modules = {k: m for k, m in sys.modules.items() if ours(k)}
        saved_session = boto3.DEFAULT_SESSION
        saved_bytecode = sys.dont_write_bytecode
        paths = [str(self.code_dir), *map(str, self.layer_dirs)]
        try:
            for key in saved_env:
                del os.environ[key]
            os.environ.update(wanted)
            for key in saved_modules:
                del sys.modules[key]
            sys.modules.update(self._modules)
            sys.path[:0] = paths
            sys.dont_write_bytecode = True  # never write caches into a code asset
            importlib.invalidate_caches()
            if self._session is None:
                self._session = boto3.Session(
                    aws_access_key_id=_DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=_DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                    aws_session_token=_DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
                    region_name=self.region,
                )
            boto3.DEFAULT_SESSION = self._session
            yield
        finally:
            boto3.DEFAULT_SESSION = saved_session
            self._modules = {k: m for k, m in sys.modules.items() if ours(k)}
            for key in self._modules:
                del sys.modules[key]
            sys.modules.update(saved_modules)
            for path in paths:
                if path in sys.path:
                    sys.path.remove(path)
            sys.dont_write_bytecode = saved_bytecode
            for key in wanted:
                os.environ.pop(key, None)
            os.environ.update(saved_env)
