"""``LocalRestApi``: one deployed REST API stage, served over HTTP; the API Gateway pipeline."""

from __future__ import annotations

import errno
import functools
import json
import time
import traceback
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from petplatform_localcloud.apigateway.authorizer import cognito_claims, unauthorized
from petplatform_localcloud.apigateway.definition import (
    DeployedApi,
    DeployedResource,
    GatewayError,
    Invocation,
    find_api,
    read_definition,
)
from petplatform_localcloud.apigateway.functions import function_arn
from petplatform_localcloud.apigateway.messages import (
    Request,
    Response,
    handler_class,
    media_type,
    mock_response,
    proxy_event,
    proxy_response,
    static_value,
)
from petplatform_localcloud.apigateway.served import ServedApi
from petplatform_localcloud.assembly import read_assembly
from petplatform_localcloud.json_schema import Schema, SchemaError, validate
from petplatform_localcloud.lambda_runtime import LambdaRuntimeError
from petplatform_localcloud.loopback import LOOPBACK, LoopbackServer

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_constructs.testing import SynthResult
    from petplatform_localcloud.server import LocalCloud

__all__ = ["LocalRestApi"]

Json = dict[str, Any]
_DEFAULT_TIMEOUT_MS = 29_000


class LocalRestApi(ServedApi):
    """One deployed REST API stage served on ``http://127.0.0.1:<free port>/<stage>``.

    ``with LocalRestApi(cloud, result, stack="DogCareStack-dev") as api:`` reads the API of that
    deployed stack (``rest_api``: its logical id, id or name when the stack has several; ``stage``
    when the API has several), finds each Lambda integration's code in the assembly's assets, and
    serves requests until the block ends; then the server is shut down and its threads joined.

    Args:
        cloud: the running local cloud the stack is deployed to.
        assembly: the cloud assembly that was deployed (a ``SynthResult`` or its directory):
            Lambda code runs from its ``asset.<hash>`` directories.
        stack: the stack holding the API (default: the only stack with a REST API).
        rest_api / stage: which API and stage, when there are several.
        region: the API's region (default: the cloud's).
        port: preferred port (default 0: a free one).
    """

    def __init__(
        self,
        cloud: LocalCloud,
        assembly: Path | str | SynthResult,
        *,
        stack: str | None = None,
        rest_api: str | None = None,
        stage: str | None = None,
        region: str | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(cloud, assembly, stack=stack, region=region, port=port)
        self._rest_api = rest_api
        self._stage = stage
        self._definition: DeployedApi | None = None

    # ---- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/{stage}``: append a resource path (``/dogs``)."""
        if self._server is None or self._definition is None:
            raise RuntimeError("LocalRestApi is not started; use it in a `with` block")
        return f"http://{LOOPBACK}:{self._server.port}/{self._definition.stage}"

    @property
    def stage(self) -> str:
        return self.definition.stage

    @property
    def api_id(self) -> str:
        return self.definition.api_id

    @property
    def definition(self) -> DeployedApi:
        if self._definition is None:
            raise RuntimeError("LocalRestApi is not started; use it in a `with` block")
        return self._definition

    @property
    def routes(self) -> list[tuple[str, str]]:
        """``(method, resource path)`` of every method of the API."""
        return sorted(
            (method, resource.path)
            for resource in self.definition.resources
            for method in resource.methods
        )

    def start(self) -> LocalRestApi:
        if self._server is not None:
            return self
        self.refresh()
        serve = functools.partial(
            LoopbackServer.start, handler_class(self), name="petplatform-localapi",
            join_requests=True,  # close() waits for the requests in flight
        )  # fmt: skip
        try:
            self._server = serve(port=self._port)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            self.cloud.say(f"local api: port {self._port} is in use; using a free port instead")
            self._server = serve(port=0)
        definition = self.definition
        self.cloud.say(
            f"local api: {definition.name} ({definition.api_id}) stage {definition.stage} "
            f"on {self.url} with {len(self._lambdas.by_arn)} functions"
        )
        return self

    # ---- loading the deployed API -----------------------------------------------------------

    def refresh(self) -> None:
        """Read the deployed API again (after an update, for example); warm functions stay."""
        stacks = read_assembly(self._outdir)
        cfn = self.cloud.client("cloudformation", region=self.region)
        deployed: dict[str, list[Json]] = {}
        for stack in stacks:
            try:
                deployed[stack.stack_name] = cfn.describe_stack_resources(
                    StackName=stack.stack_name
                )["StackResources"]
            except ClientError:
                continue
        api_id = find_api(self.cloud, deployed, self._stack_name, self._rest_api, self.region)
        self._definition = read_definition(self.cloud, api_id, self._stage, self.region)
        self._lambdas.load(self._definition, stacks, deployed)

    # ---- handling a request -------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """The whole API Gateway pipeline for one request."""
        request_id = str(uuid.uuid4())
        definition = self.definition
        try:
            resource, method, params = definition.route(request.method, request.path_parts)
            claims = self._authorize(method, request)
            self._validate(method, request, params)
            response = self._integrate(resource, method, params, claims, request, request_id)
        except GatewayError as error:
            response = self._gateway_response(error)
        response.headers.append(("x-amzn-RequestId", request_id))
        return response

    def _authorize(self, method: Json, request: Request) -> dict[str, str] | None:
        kind = method.get("authorizationType") or "NONE"
        if kind == "NONE":
            return None
        if kind != "COGNITO_USER_POOLS":
            raise GatewayError(
                "AUTHORIZER_CONFIGURATION_ERROR", 500, f"{kind} authorizers are not emulated"
            )
        authorizer = self.definition.authorizers.get(str(method.get("authorizerId")))
        if authorizer is None:
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", 500, "Authorizer error")
        source = str(authorizer.get("identitySource") or "method.request.header.Authorization")
        token = request.header(source.rsplit(".", 1)[-1])
        if not token:
            raise unauthorized()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        scopes = list(method.get("authorizationScopes") or [])
        failure: GatewayError | None = None
        for arn in authorizer.get("providerARNs") or []:
            pool = self._pool(arn)
            try:
                return cognito_claims(pool.verify(token, scopes))
            except GatewayError as error:
                failure = error
        raise failure or unauthorized()

    def _validate(self, method: Json, request: Request, params: Mapping[str, str]) -> None:
        validator = self.definition.validators.get(str(method.get("requestValidatorId")))
        if validator is None:
            return
        if validator.get("validateRequestParameters"):
            query = {k for k, v in request.query if v.strip()}
            missing = []
            for name, required in (method.get("requestParameters") or {}).items():
                if not required:
                    continue
                location, _, parameter = str(name).removeprefix("method.request.").partition(".")
                present = {  # "included and not blank", as API Gateway checks them
                    "header": bool((request.header(parameter) or "").strip()),
                    "querystring": parameter in query,
                    "path": bool(params.get(parameter)),
                }.get(location, True)
                if not present:
                    missing.append(parameter)
            if missing:
                raise GatewayError(
                    "BAD_REQUEST_PARAMETERS",
                    400,
                    f"Missing required request parameters: [{', '.join(missing)}]",
                )
        models = method.get("requestModels") or {}
        if not validator.get("validateRequestBody") or not models:
            return
        name = models.get(media_type(request.header("Content-Type"))) or models.get("$default")
        schema = self.definition.models.get(str(name)) if name else None
        if schema is None:
            return
        try:
            document = json.loads(request.body or b"null")
            errors = validate(document, schema, resolve=self._model)
        except (ValueError, SchemaError):
            errors = ["body is not valid JSON"]
        if errors:
            raise GatewayError("BAD_REQUEST_BODY", 400, "Invalid request body")

    def _model(self, name: str) -> Schema:
        schema = self.definition.models.get(unquote(name))
        if schema is None:
            raise SchemaError(f"no model {name!r}")
        return schema

    def _integrate(
        self,
        resource: DeployedResource,
        method: Json,
        params: Mapping[str, str],
        claims: Mapping[str, str] | None,
        request: Request,
        request_id: str,
    ) -> Response:
        integration = method.get("methodIntegration") or {}
        kind = integration.get("type")
        if kind == "MOCK":
            return mock_response(integration)
        if kind != "AWS_PROXY":
            raise GatewayError("DEFAULT_5XX", 500, f"{kind} integrations are not emulated")
        arn = function_arn(str(integration.get("uri", "")))
        function = self._lambdas.by_arn.get(arn)
        if function is None:
            raise GatewayError("DEFAULT_5XX", 500, "Internal server error")
        source = (
            f"arn:aws:execute-api:{self.region}:{self.cloud.account_id}:"
            f"{self.definition.api_id}/{self.definition.stage}/{request.method}{request.path}"
        )
        if not self._lambdas.allows(arn, source):
            self.cloud.say(f"local api: {function.name} does not allow API Gateway ({source})")
            raise GatewayError("DEFAULT_5XX", 500, "Internal server error")
        event = proxy_event(
            self.definition, self.cloud.account_id, resource, params, claims, request, request_id
        )
        timeout_ms = int(integration.get("timeoutInMillis") or _DEFAULT_TIMEOUT_MS)
        started = time.perf_counter()
        error: str | None = None
        result: Any = None
        try:
            result = function.invoke(event, request_id=request_id)
        except LambdaRuntimeError as exc:
            error = str(exc)
        except Exception:  # the handler raised: a Lambda function error
            error = traceback.format_exc()
        seconds = time.perf_counter() - started
        response = proxy_response(result) if error is None else None
        if error is None and response is None:
            error = f"malformed Lambda proxy response: {str(result)[:200]}"
        failure: GatewayError | None = None
        if error is not None:
            failure = GatewayError("DEFAULT_5XX", 502, "Internal server error")
        elif seconds * 1000 > timeout_ms:
            failure = GatewayError("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out")
        self._record(
            Invocation(
                function=function.name,
                method=request.method,
                resource=resource.path,
                path=request.path,
                status=failure.status if failure else response.status if response else 502,
                seconds=seconds,
                error=error,
            )
        )
        if error is not None:
            self.cloud.say(f"local api: {function.name} failed: {error.strip()[-2000:]}")
        if failure is not None:
            raise failure
        assert response is not None
        return response

    def _gateway_response(self, error: GatewayError) -> Response:
        responses = self.definition.gateway_responses
        family = "DEFAULT_4XX" if error.status < 500 else "DEFAULT_5XX"
        configured = responses.get(error.response_type) or responses.get(family) or {}
        status = int(configured.get("statusCode") or error.status)
        headers = [("Content-Type", "application/json")]
        for name, expression in (configured.get("responseParameters") or {}).items():
            value = static_value(str(expression))
            if value is not None and str(name).startswith("gatewayresponse.header."):
                headers.append((str(name).removeprefix("gatewayresponse.header."), value))
        template = (configured.get("responseTemplates") or {}).get("application/json")
        if template:
            body = template.replace(
                "$context.error.messageString", json.dumps(error.message)
            ).replace("$context.error.message", error.message)
        else:
            body = json.dumps({"message": error.message})
        return Response(status, headers, body.encode())
