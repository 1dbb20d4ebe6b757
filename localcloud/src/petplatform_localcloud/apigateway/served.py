"""What the local REST and HTTP API front doors share: the deployed assembly they read, the
functions behind their routes, the invocations so far, the user pools whose tokens they check,
and the loopback server they answer on."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from petplatform_localcloud.apigateway.authorizer import CognitoPool
from petplatform_localcloud.apigateway.definition import Invocation
from petplatform_localcloud.apigateway.functions import ApiFunctions
from petplatform_localcloud.lambda_runtime import LocalFunction
from petplatform_localcloud.loopback import LoopbackServer

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_constructs.testing import SynthResult
    from petplatform_localcloud.server import LocalCloud

__all__ = ["ServedApi"]

_Api = TypeVar("_Api", bound="ServedApi")


class ServedApi:
    """Base of :class:`LocalRestApi` and :class:`LocalHttpApi`; they add ``start()``."""

    def __init__(
        self,
        cloud: LocalCloud,
        assembly: Path | str | SynthResult,
        *,
        stack: str | None,
        region: str | None,
        port: int,
    ) -> None:
        self.cloud = cloud
        self.region = region or cloud.region
        self._outdir = Path(str(getattr(assembly, "outdir", assembly)))
        self._stack_name = stack
        self._port = port
        self._lambdas = ApiFunctions(cloud, self.region)
        self._invocations: list[Invocation] = []
        self._pools: dict[str, CognitoPool] = {}
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None

    @property
    def functions(self) -> Mapping[str, LocalFunction]:
        """The Lambda functions behind the API, by ARN."""
        return dict(self._lambdas.by_arn)

    @property
    def invocations(self) -> list[Invocation]:
        """Every Lambda invocation so far, oldest first (a copy)."""
        with self._lock:
            return list(self._invocations)

    def _record(self, invocation: Invocation) -> None:
        with self._lock:
            self._invocations.append(invocation)

    def _pool(self, pool_arn: str) -> CognitoPool:
        """The user pool whose tokens an authorizer accepts (one per pool, its keys cached)."""
        with self._lock:
            if pool_arn not in self._pools:
                self._pools[pool_arn] = CognitoPool(self.cloud, pool_arn)
            return self._pools[pool_arn]

    def start(self: _Api) -> _Api:  # pragma: no cover - each API serves its own way
        raise NotImplementedError

    def close(self) -> None:
        """Stop serving, then the functions' processes. Safe to call twice."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self._lambdas.close()

    def __enter__(self: _Api) -> _Api:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
