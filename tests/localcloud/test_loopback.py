"""Every server of the local cloud binds 127.0.0.1 through one helper, and lets go of its port."""

from __future__ import annotations

import socket
import urllib.request
from http.server import BaseHTTPRequestHandler

from petplatform_localcloud.loopback import LOOPBACK, LoopbackServer
from petplatform_localcloud.runtime_api import RuntimeApi


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_loopback_server_listens_on_127_0_0_1_only_and_frees_its_port() -> None:
    serving = LoopbackServer.start(_Hello, name="test-loopback")
    try:
        host, port = serving.server.server_address[:2]
        assert (host, LOOPBACK) == ("127.0.0.1", "127.0.0.1") and port == serving.port > 0
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}/", timeout=5) as answer:
            assert answer.read() == b"hello"
    finally:
        serving.close()
    assert not serving.thread.is_alive()
    with socket.socket() as again:  # nothing listens there any more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        again.bind((LOOPBACK, port))


def test_the_lambda_runtime_api_is_on_loopback() -> None:
    api = RuntimeApi()
    try:
        assert api.address.startswith("127.0.0.1:")
    finally:
        api.close()
