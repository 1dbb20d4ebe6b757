"""``LocalCloud``: an AWS emulator on a loopback port for the lifetime of a ``with`` block."""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

from petplatform_localcloud.loopback import LOOPBACK

if TYPE_CHECKING:  # pragma: no cover
    from moto.server import ThreadedMotoServer

    from petplatform_localcloud.moto_extensions.backup_schedule import LocalBackup

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "LocalCloud", "LocalCloudError"]

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
# Dummy credentials: the emulator accepts any, and real ones must never reach it.
_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
_QUIET_LOGGERS = ("werkzeug", "moto")


class LocalCloudError(RuntimeError):
    """The local cloud could not start, or was used outside its ``with`` block."""


class LocalCloud:
    """moto in server mode on ``127.0.0.1``, in this process, with no Docker.

    ``with LocalCloud() as cloud:`` starts the server on a free port (or on ``port``, falling back
    to a free one if it is taken), installs the CloudFormation extensions of
    :mod:`~petplatform_localcloud.moto_extensions`, sets the emulator's account id to
    ``account_id`` (the one synthesized into templates), and on exit stops the server, joins its
    thread, stops every Go and Node.js function process, resets moto's state and uninstalls the
    extensions (moto's patched attributes are the originals again), leaving nothing behind.
    ``start()`` and ``close()`` do the same by hand.

    With ``endpoint_url`` (e.g. ``http://localhost:4566`` for a LocalStack you run), nothing is
    started: the clients simply point there.

    Only one emulated ``LocalCloud`` may run per process: moto keeps its state in module globals.

    Args:
        port: preferred port; 0 (default) lets the OS pick a free one.
        region: region of the clients (default ``us-east-1``).
        account_id: account the emulator answers as (default ``123456789012``).
        endpoint_url: use this existing endpoint instead of starting moto.
        log: where progress lines go (default ``sys.stdout``); ``None`` silences them.
    """

    _active_lock = threading.Lock()
    _active: LocalCloud | None = None

    def __init__(
        self,
        *,
        port: int = 0,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        endpoint_url: str | None = None,
        log: TextIO | None = sys.stdout,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.requested_port = port
        self._endpoint_override = endpoint_url
        self._log = log
        self._server: ThreadedMotoServer | None = None
        self._endpoint: str | None = None
        self._saved_env: str | None = None
        self._saved_levels: dict[str, int] = {}
        self._extensions_installed = False
        self._backup: LocalBackup | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def emulated(self) -> bool:
        """True when this object runs moto itself (no ``endpoint_url`` override)."""
        return self._endpoint_override is None

    @property
    def endpoint_url(self) -> str:
        if self._endpoint is None:
            raise LocalCloudError("LocalCloud is not started; use it in a `with` block")
        return self._endpoint

    @property
    def running(self) -> bool:
        return self._endpoint is not None

    def start(self) -> LocalCloud:
        if self._endpoint is not None:
            return self
        if not self.emulated:
            self._endpoint = self._endpoint_override
            self.say(f"local cloud: using {self._endpoint}")
            return self
        from petplatform_localcloud import moto_extensions

        moto_extensions.check_moto_version()  # fails loudly on any moto but a supported one
        with LocalCloud._active_lock:
            if LocalCloud._active is not None:
                raise LocalCloudError(
                    "another emulated LocalCloud is running in this process (moto state is "
                    "process-wide); close it first"
                )
            LocalCloud._active = self
        try:
            moto_extensions.install()
            self._extensions_installed = True
            self._saved_env = os.environ.get("MOTO_ACCOUNT_ID")
            os.environ["MOTO_ACCOUNT_ID"] = self.account_id
            for name in _QUIET_LOGGERS:
                logger = logging.getLogger(name)
                self._saved_levels[name] = logger.level
                logger.setLevel(logging.ERROR)
            _reset_moto()
            self._server = self._bind(self.requested_port)
            host, port = self._server.get_host_and_port()
            self._endpoint = f"http://{host}:{port}"
        except BaseException:
            self.close()
            raise
        self.say(f"local cloud: moto on {self._endpoint} (account {self.account_id})")
        return self

    def _bind(self, port: int) -> ThreadedMotoServer:
        if port and not _port_is_free(port):
            self.say(f"local cloud: port {port} is in use; using a free port instead")
            port = 0
        return _start_server(port)

    def close(self) -> None:
        """Stop the server and join its thread; reset moto's state and uninstall the
        extensions. Safe to call twice."""
        server, self._server = self._server, None
        self._endpoint = None
        self._backup = None
        if not self.emulated:
            return
        try:
            from petplatform_localcloud.lambda_processes import stop_all

            stop_all()  # Go and Node.js function processes, whoever started them
            if server is not None:
                server.stop()
                assert server._server is not None
                server._server.server_close()
            _reset_moto()
        finally:
            if self._extensions_installed:
                from petplatform_localcloud import moto_extensions

                self._extensions_installed = False
                moto_extensions.uninstall()
            if self._saved_levels:
                for name, level in self._saved_levels.items():
                    logging.getLogger(name).setLevel(level)
                self._saved_levels = {}
                if self._saved_env is None:
                    os.environ.pop("MOTO_ACCOUNT_ID", None)
                else:
                    os.environ["MOTO_ACCOUNT_ID"] = self._saved_env
            with LocalCloud._active_lock:
                if LocalCloud._active is self:
                    LocalCloud._active = None

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- clients ---------------------------------------------------------------------------

    def client(self, service: str, *, region: str | None = None) -> Any:
        """A boto3 client for ``service`` on the local endpoint, with dummy credentials, in
        ``region`` (default: the cloud's :attr:`region`)."""
        return boto3.client(service, **self._client_kwargs(region))

    def resource(self, service: str, *, region: str | None = None) -> Any:
        """A boto3 resource for ``service`` on the local endpoint, with dummy credentials, in
        ``region`` (default: the cloud's :attr:`region`)."""
        return boto3.resource(service, **self._client_kwargs(region))

    @property
    def backup(self) -> LocalBackup:
        """AWS Backup's jobs on a clock the caller moves (``cloud.backup.advance(hours=24)``):
        see :class:`~petplatform_localcloud.moto_extensions.backup_schedule.LocalBackup`."""
        if self._backup is None:
            if not self.running or not self.emulated:
                raise LocalCloudError("cloud.backup needs a started, emulated LocalCloud")
            from petplatform_localcloud.moto_extensions.backup_schedule import LocalBackup

            self._backup = LocalBackup(self.account_id)
        return self._backup

    def create_bucket(self, name: str, *, region: str | None = None) -> None:
        """Create bucket ``name`` in ``region`` (default: the cloud's), as S3 wants it: with a
        ``LocationConstraint`` everywhere but us-east-1."""
        where = region or self.region
        kwargs: dict[str, object] = {"Bucket": name}
        if where != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": where}
        self.client("s3", region=where).create_bucket(**kwargs)

    def _client_kwargs(self, region: str | None = None) -> dict[str, object]:
        return {
            "endpoint_url": self.endpoint_url,
            "region_name": region or self.region,
            "config": Config(
                retries={"max_attempts": 2, "mode": "standard"},
                s3={"addressing_style": "path"},
            ),
            **_CREDENTIALS,
        }

    def say(self, line: str) -> None:
        if self._log is not None:
            print(line, file=self._log, flush=True)

    @property
    def printer(self) -> Callable[[str], None]:
        return self.say


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise LocalCloudError(f"cannot listen on {LOOPBACK}:{port}: {exc}") from exc
    return True


def _start_server(port: int) -> ThreadedMotoServer:
    """Bind in the caller's thread, so a taken port raises here instead of hanging moto's
    ``ThreadedMotoServer.start`` (which binds inside its thread and waits forever)."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
    app = DomainDispatcherApplication(create_backend_app)
    try:
        server._server = make_server(LOOPBACK, port, app, True, request_handler=MotoRequestHandler)
    except SystemExit as exc:  # werkzeug exits instead of raising when the bind fails
        raise LocalCloudError(f"cannot listen on {LOOPBACK}:{port} (taken meanwhile?)") from exc
    thread = threading.Thread(
        target=server._server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="petplatform-localcloud",
        daemon=True,
    )
    server._thread = thread
    thread.start()
    server._server_ready_event.set()
    return server


def _reset_moto() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    from petplatform_localcloud.moto_extensions import SkippedCustomResource

    moto_api_backend.reset()
    SkippedCustomResource.skipped.clear()
