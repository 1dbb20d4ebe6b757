"""The Lambda Runtime API (``2018-06-01``) on loopback, for one function process.

A custom runtime (a Go ``bootstrap``) or a runtime interface client (the Node.js one of this
package) asks ``GET /2018-06-01/runtime/invocation/next`` for work, runs the handler and posts
``/invocation/{id}/response`` or ``/invocation/{id}/error``; a failed start posts
``/init/error``. :class:`RuntimeApi` serves exactly that on ``127.0.0.1`` and a free port, and
:meth:`RuntimeApi.invoke` hands it one event and waits for the answer, as the Lambda service
does for a sandbox.

One server per process: ``next`` is a long poll that blocks until :meth:`~RuntimeApi.invoke`
queues an event (or the server closes).
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from petplatform_localcloud.loopback import LOOPBACK, LoopbackServer

__all__ = ["FunctionError", "Invocation", "RuntimeApi"]

_PREFIX = "/2018-06-01/runtime"
_POLL_SECONDS = 0.2


class FunctionError(Exception):
    """The function reported an error (``/invocation/{id}/error`` or ``/init/error``).

    Attributes mirror Lambda's error payload: ``error_type`` (``Runtime.ExitError``,
    ``Error``...), ``message`` and ``trace`` (lines).
    """

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        self.error_type = error_type
        self.message = message
        self.trace = list(trace or [])
        detail = "\n".join(self.trace)
        super().__init__(f"{error_type}: {message}" + (f"\n{detail}" if detail else ""))

    @classmethod
    def from_payload(cls, payload: bytes, header_type: str | None) -> FunctionError:
        try:
            data: Any = json.loads(payload or b"{}")
        except ValueError:
            data = {"errorMessage": payload.decode(errors="replace")}
        if not isinstance(data, dict):
            data = {"errorMessage": str(data)}
        trace = data.get("stackTrace") or data.get("trace") or []
        return cls(
            str(data.get("errorType") or header_type or "Unhandled"),
            str(data.get("errorMessage") or ""),
            [str(line) for line in trace] if isinstance(trace, list) else [str(trace)],
        )


@dataclass
class Invocation:
    """One event handed to the runtime, and its outcome once ``done`` is set."""

    event: bytes
    function_arn: str
    deadline_ms: int
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    trace_id: str = field(
        default_factory=lambda: (
            f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};"
            f"Parent={uuid.uuid4().hex[:16]};Sampled=0"
        )
    )
    done: threading.Event = field(default_factory=threading.Event)
    response: bytes | None = None
    error: FunctionError | None = None


class RuntimeApi:
    """The Runtime API of one function process, on ``127.0.0.1:<free port>``.

    ``address`` is what ``AWS_LAMBDA_RUNTIME_API`` holds (``127.0.0.1:PORT``). ``init_error`` is
    set when the runtime posts ``/init/error``. :meth:`close` stops the server and fails any
    pending invocation.
    """

    def __init__(self) -> None:
        self._pending: queue.Queue[Invocation] = queue.Queue()
        self._inflight: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.init_error: FunctionError | None = None
        self._serving = LoopbackServer.start(_handler_class(self), name="petplatform-runtime-api")

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self._serving.port}"

    def submit(self, invocation: Invocation) -> None:
        """Queue ``invocation`` for the runtime's next ``GET /invocation/next``."""
        if self._closed.is_set():
            raise RuntimeError("the Runtime API is closed")
        self._pending.put(invocation)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._serving.close()
        with self._lock:
            waiting = list(self._inflight.values())
            self._inflight.clear()
        while True:
            try:
                waiting.append(self._pending.get_nowait())
            except queue.Empty:
                break
        for invocation in waiting:
            if not invocation.done.is_set():
                invocation.error = FunctionError("Runtime.Shutdown", "the sandbox was stopped")
                invocation.done.set()

    # ---- called by the HTTP handler ------------------------------------------------------

    def _next(self) -> Invocation | None:
        while not self._closed.is_set():
            try:
                invocation = self._pending.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            with self._lock:
                self._inflight[invocation.request_id] = invocation
            return invocation
        return None

    def _finish(self, request_id: str, response: bytes | None, error: FunctionError | None) -> bool:
        with self._lock:
            invocation = self._inflight.pop(request_id, None)
        if invocation is None:
            return False
        invocation.response, invocation.error = response, error
        invocation.done.set()
        return True

    def _init_failed(self, error: FunctionError) -> None:
        self.init_error = error


def _handler_class(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: the function's own output is what matters

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(
            self, status: int, payload: object, headers: dict[str, str] | None = None
        ) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path != f"{_PREFIX}/invocation/next":
                self._send(404, {"errorMessage": "not found", "errorType": "NotFound"})
                return
            invocation = api._next()
            if invocation is None:  # closing: the runtime is about to be stopped
                self.close_connection = True
                return
            self._send(
                200,
                invocation.event,
                {
                    "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                    "Lambda-Runtime-Trace-Id": invocation.trace_id,
                },
            )

        def do_POST(self) -> None:
            body = self._body()
            path = self.path
            if path == f"{_PREFIX}/init/error":
                error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
                api._init_failed(FunctionError.from_payload(body, error_type))
                self._send(202, {"status": "OK"})
                return
            prefix = f"{_PREFIX}/invocation/"
            request_id, _, outcome = path.removeprefix(prefix).partition("/")
            if not path.startswith(prefix) or outcome not in ("response", "error"):
                self._send(404, {"errorMessage": "not found", "errorType": "NotFound"})
                return
            error = None
            if outcome == "error":
                error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
                error = FunctionError.from_payload(body, error_type)
            if api._finish(request_id, body if error is None else None, error):
                self._send(202, {"status": "OK"})
            else:
                self._send(
                    400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
                )

    return Handler
