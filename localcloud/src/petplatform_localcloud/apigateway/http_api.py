"""``LocalHttpApi``: one deployed HTTP API (API Gateway v2), served on loopback.

What API Gateway does for an HTTP API with Lambda-proxy routes, as the local cloud emulates it:

1. Routing: ``METHOD /path`` route keys, ``ANY``, ``{param}`` and a last greedy ``{proxy+}``,
   then ``$default``; the most specific route wins (literal segments, then parameters, then
   greedy). No route: 404 ``Not Found``. A named stage is a path prefix; ``$default`` is the root.
2. JWT authorizer: the token from the identity source header (``Bearer`` optional) must be
   signed by the issuer's keys (the emulator's Cognito pool named by the issuer URL), come from
   that issuer, be unexpired, and name an accepted audience (``aud`` of an ID token,
   ``client_id`` of an access token); a route with authorization scopes needs one of them in
   the token's ``scope``. Otherwise 401 ``Unauthorized``. The claims reach the function in
   ``requestContext.authorizer.jwt.claims``, as strings (``cognito:groups`` as ``[a b]``).
3. CORS (the API's ``CorsConfiguration``): preflights are answered by the gateway (204 with the
   allowed origin, methods, headers and max age), and responses to an allowed ``Origin`` get
   ``Access-Control-Allow-Origin`` (and exposed headers, credentials) instead of the function's.
4. Integration: the function gets a payload 2.0 event and its result is read the 2.0 way (a
   dict with ``statusCode``; anything else is a 200 JSON body). A function error or a malformed
   result is 500 ``Internal Server Error``; a run longer than the integration timeout is 503
   ``Service Unavailable`` once it ends.

Not emulated: throttling, Lambda
(request) authorizers, IAM authorization, parameter mapping, serving through a custom domain,
and the stage's access logs.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from petplatform_localcloud.apigateway.authorizer import CognitoPool, TokenRejectedError
from petplatform_localcloud.apigateway.definition import Invocation
from petplatform_localcloud.apigateway.functions import _api_gateway_sources
from petplatform_localcloud.apigateway.http_messages import (
    HttpRefusedError,
    HttpRoute,
    cors_headers,
    header_value,
    http_event,
    http_handler_class,
    string_claims,
    v2_response,
)
from petplatform_localcloud.apigateway.served import ServedApi
from petplatform_localcloud.assembly import read_assembly
from petplatform_localcloud.loopback import LOOPBACK, LoopbackServer

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_constructs.testing import SynthResult
    from petplatform_localcloud.server import LocalCloud

__all__ = ["LocalHttpApi"]

Json = dict[str, Any]
_COGNITO = "https://cognito-idp."


class LocalHttpApi(ServedApi):
    """One deployed HTTP API served on ``http://127.0.0.1:<free port>``.

    ``with LocalHttpApi(cloud, result, stack="Api-dev", region="us-west-2") as api:`` reads the
    API that the stack deployed (``http_api``: its logical id, id or name when there are
    several) and serves its stage (``$default``: at the root of :attr:`url`) until the block
    ends, running each route's function (:class:`~petplatform_localcloud.lambda_runtime.
    LocalFunction`: Python, Go or Node.js).
    """

    def __init__(
        self,
        cloud: LocalCloud,
        assembly: Path | str | SynthResult,
        *,
        stack: str | None = None,
        http_api: str | None = None,
        region: str | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(cloud, assembly, stack=stack, region=region, port=port)
        self._wanted = http_api
        self._routes: list[HttpRoute] = []
        self.api_id = ""
        self.stage = "$default"
        self._cors: Json | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (plus ``/{stage}`` for a named stage)."""
        if self._server is None:
            raise RuntimeError("LocalHttpApi is not started; use it in a `with` block")
        base = f"http://{LOOPBACK}:{self._server.port}"
        return base if self.stage == "$default" else f"{base}/{self.stage}"

    def start(self) -> LocalHttpApi:
        if self._server is not None:
            return self
        try:
            self._load()
            self._server = LoopbackServer.start(
                http_handler_class(self), name="petplatform-local-http-api", port=self._port
            )
        except BaseException:
            self.close()
            raise
        return self

    # ---- the deployed API ----------------------------------------------------------------

    def _load(self) -> None:
        from petplatform_localcloud.moto_extensions.apigatewayv2 import v2_backend

        stacks = read_assembly(self._outdir)
        cfn = self.cloud.client("cloudformation", region=self.region)
        deployed: dict[str, list[Json]] = {}
        candidates: list[tuple[str, str]] = []  # (logical id, api id)
        for stack in stacks:  # every stack: routes may come from stacks other than the API's
            try:
                resources = cfn.describe_stack_resources(StackName=stack.stack_name)
            except Exception:  # not deployed in this region
                continue
            deployed[stack.stack_name] = resources["StackResources"]
            if self._stack_name not in (None, stack.stack_name, stack.display_name):
                continue
            candidates += [
                (r["LogicalResourceId"], r["PhysicalResourceId"])
                for r in resources["StackResources"]
                if r["ResourceType"] == "AWS::ApiGatewayV2::Api"
            ]
        backend = v2_backend(self.cloud.account_id, self.region)
        chosen = [
            api_id
            for logical, api_id in candidates
            if self._wanted in (None, logical, api_id, backend.apis[api_id].name)
        ]
        if len(chosen) != 1:
            raise LookupError(
                f"expected one HTTP API (stack={self._stack_name}, http_api={self._wanted}) in "
                f"{self.region}, found {len(chosen)}"
            )
        api = backend.apis[chosen[0]]
        self.api_id = api.api_id
        self._cors = api.cors_configuration or None  # type: ignore[assignment]
        stages = list(api.stages)
        self.stage = "$default" if "$default" in stages or not stages else stages[0]
        authorizers = api.authorizers
        routes = []
        for route in api.routes.values():
            integration_id = str(route.target or "").removeprefix("integrations/")
            integration = api.integrations.get(integration_id)
            if integration is None:
                continue
            authorizer = None
            if route.authorization_type == "JWT":
                found = authorizers[str(route.authorizer_id)]
                config: Json = found.jwt_config or {}  # type: ignore[assignment]
                sources: Any = found.identity_source or ["$request.header.Authorization"]
                header = sources[0]
                authorizer = {
                    "issuer": config.get("issuer", ""),
                    "audience": list(config.get("audience") or []),
                    "header": str(header).rsplit(".", 1)[-1],
                }
            method, _, path = route.route_key.partition(" ")
            routes.append(
                HttpRoute(
                    key=route.route_key,
                    method=method,
                    parts=[p for p in path.split("/") if p],
                    function_arn=str(integration.integration_uri),
                    payload_version=str(integration.payload_format_version or "2.0"),
                    timeout_ms=int(integration.timeout_in_millis or 30000),
                    authorizer=authorizer,
                    scopes=list(route.authorization_scopes or []),
                )
            )
        self._routes = sorted(routes, key=HttpRoute.rank, reverse=True)
        lam = self.cloud.client("lambda", region=self.region)
        for arn in sorted({r.function_arn for r in routes}):
            try:
                function = self._lambdas.local_function(arn, stacks, deployed)
            except (LookupError, ClientError) as exc:  # its routes answer 500, as in AWS
                self.cloud.say(f"local http api: {arn} cannot run here: {exc}")
                continue
            self._lambdas.by_arn[arn] = function
            self._lambdas.permissions[arn] = _api_gateway_sources(lam, arn)

    # ---- requests ------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        raw_path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """One request, as API Gateway answers it (status, headers, body)."""
        origin = header_value(headers, "Origin")
        preflight = method == "OPTIONS" and header_value(headers, "Access-Control-Request-Method")
        if self._cors is not None and preflight:  # API Gateway answers CORS preflights itself
            return 204, cors_headers(self._cors, origin, preflight=True), b""
        status, answer, payload = self._route(method, raw_path, query, headers, body, source_ip)
        if self._cors is not None and origin:
            answer = [(k, v) for k, v in answer if not k.lower().startswith("access-control-")]
            answer += cors_headers(self._cors, origin, preflight=False)
        return status, answer, payload

    def _route(
        self,
        method: str,
        raw_path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        path = [unquote(p) for p in raw_path.split("/") if p]
        request_id = str(uuid.uuid4())
        try:
            for route in self._routes:
                params = route.match(method, path)
                if params is not None:
                    break
            else:
                raise HttpRefusedError(404, "Not Found")
            claims, scopes = self._authorize(route, headers)
            event = http_event(
                self,
                route,
                params,
                claims,
                scopes,
                method,
                raw_path,
                query,
                headers,
                body,
                source_ip,
                request_id,
            )
            return self._integrate(route, event, method, raw_path)
        except HttpRefusedError as refused:
            message = json.dumps({"message": refused.message}).encode()
            return refused.status, [("Content-Type", "application/json")], message

    def _authorize(
        self, route: HttpRoute, headers: list[tuple[str, str]]
    ) -> tuple[Json | None, list[str] | None]:
        config = route.authorizer
        if config is None:
            return None, None
        raw = header_value(headers, config["header"])
        if not raw:
            raise HttpRefusedError(401, "Unauthorized")
        token = raw.split(" ", 1)[1] if raw.lower().startswith("bearer ") else raw
        claims = self._verify(token, config)
        if route.scopes:
            granted = set(str(claims.get("scope", "")).split())
            if not granted & set(route.scopes):
                raise HttpRefusedError(403, "Forbidden")
        scope = claims.get("scope")
        return string_claims(claims), (str(scope).split() if scope else None)

    def _verify(self, token: str, config: Json) -> Json:
        issuer = str(config["issuer"])
        if not issuer.startswith(_COGNITO):
            raise HttpRefusedError(401, "Unauthorized")
        pool = self._pool_of(issuer)
        try:
            claims = pool.signed_claims(token)
        except TokenRejectedError:
            raise HttpRefusedError(401, "Unauthorized") from None
        audience = (
            claims.get("aud") if claims.get("token_use") != "access" else claims.get("client_id")
        )
        if audience not in config["audience"]:
            raise HttpRefusedError(401, "Unauthorized")
        return claims

    def _pool_of(self, issuer: str) -> CognitoPool:
        """The emulator's user pool behind a Cognito issuer URL."""
        region = issuer.removeprefix(_COGNITO).split(".", 1)[0]
        pool_id = issuer.rsplit("/", 1)[-1]
        return self._pool(
            f"arn:aws:cognito-idp:{region}:{self.cloud.account_id}:userpool/{pool_id}"
        )

    def _integrate(
        self, route: HttpRoute, event: Json, method: str, path: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        function = self._lambdas.by_arn.get(route.function_arn)
        # An HTTP API names the route in the source ARN: its path template, not the request's.
        template = route.key.partition(" ")[2] if route.key != "$default" else "/$default"
        source = (
            f"arn:aws:execute-api:{self.region}:{self.cloud.account_id}:{self.api_id}/"
            f"{self.stage}/{method}{template}"
        )
        if function is None or not self._lambdas.allows(route.function_arn, source):
            raise HttpRefusedError(500, "Internal Server Error")
        if route.payload_version != "2.0":  # never answered in the wrong shape
            self.cloud.say(f"local http api: {route.key}: payload format 1.0 is not emulated")
            raise HttpRefusedError(500, "Internal Server Error")
        started = time.perf_counter()
        error: str | None = None
        result: Any = None
        try:
            result = function.invoke(
                json.loads(json.dumps(event)), request_id=event["requestContext"]["requestId"]
            )
        except Exception:  # the function failed
            error = traceback.format_exc()
        seconds = time.perf_counter() - started
        answer = v2_response(result) if error is None else None
        if error is None and answer is None:
            error = f"malformed Lambda proxy response: {str(result)[:200]}"
        status = answer[0] if answer else 500
        if error is None and seconds * 1000 > route.timeout_ms:
            status, answer = 503, None
        self._record(
            Invocation(
                function=function.name,
                method=method,
                resource=route.key,
                path=path,
                status=status,
                seconds=seconds,
                error=error,
            )
        )
        if error is not None:
            self.cloud.say(f"local http api: {function.name} failed: {error.strip()[-2000:]}")
            raise HttpRefusedError(500, "Internal Server Error")
        if answer is None:
            raise HttpRefusedError(503, "Service Unavailable")
        return answer
