"""HTTP servers of the local cloud on 127.0.0.1, each served by a daemon thread.

The emulator, the API front doors and the Lambda Runtime APIs all listen on the loopback
interface only, on a free port unless one is asked for: nothing here is reachable from another
machine. This module is the one place that binds them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["LOOPBACK", "LoopbackServer"]

LOOPBACK = "127.0.0.1"


@dataclass
class LoopbackServer:
    """A threading HTTP server on :data:`LOOPBACK` and the thread that serves it."""

    server: ThreadingHTTPServer
    thread: threading.Thread
    join_requests: bool = False

    @classmethod
    def start(
        cls,
        handler: type[BaseHTTPRequestHandler],
        *,
        name: str,
        port: int = 0,
        join_requests: bool = False,
    ) -> LoopbackServer:
        """Serve ``handler`` on ``port`` (0: a free one). With ``join_requests``, :meth:`close`
        waits for requests in flight; otherwise their threads are daemons, left to finish."""
        server = ThreadingHTTPServer((LOOPBACK, port), handler)
        server.daemon_threads = not join_requests
        server.block_on_close = join_requests
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        thread.start()
        return cls(server, thread, join_requests)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        """Stop serving, release the port, and wait for the serving thread (as long as it takes
        with ``join_requests``, else at most 5 s)."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=None if self.join_requests else 5)
