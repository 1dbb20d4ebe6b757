"""A deployed API Gateway REST API stage, served over HTTP on 127.0.0.1 with in-process Lambdas.

moto records REST APIs but does not serve them, and runs Lambda code only in Docker.
:class:`LocalRestApi` reads the deployed API from the emulator's API Gateway backend (resources,
methods, authorizers, models, validators, gateway responses, stage: what ``GetResources``,
``GetAuthorizers``... answer, complete thanks to :mod:`.moto_extensions_serverless`) and serves
one stage on a free loopback port, the way API Gateway handles a request:

1. Routing: ``/{stage}/{path}`` to the most specific resource (literal parts before ``{param}``
   before ``{proxy+}``) and its method (or ``ANY``); no match is 403 ``Missing Authentication
   Token``.
2. ``COGNITO_USER_POOLS`` authorizer: the token in the identity-source header (raw, or after
   ``Bearer``) is a JWT issued by the emulator's Cognito for a pool of the authorizer. Checked:
   the RS256 **signature** against the pool's JWKS (served by the emulator), ``iss`` (the pool),
   ``exp``, ``token_use`` (``id``; ``access`` with a matching ``scope`` when the method has
   authorization scopes) and the audience (``aud``/``client_id`` is an app client of the pool).
   Failures are 401 ``Unauthorized`` (``The incoming token has expired`` when expired). The
   verified claims reach the Lambda as ``requestContext.authorizer.claims``, all strings, with
   ``cognito:groups`` comma-separated, as the REST Cognito authorizer passes them.
3. Request validation (the method's request validator): required request parameters (headers,
   query strings, path) and the body against the method's model for the request's content type
   (draft-04 JSON schema, :mod:`.json_schema`); failures are 400 ``Missing required request
   parameters: [...]`` or ``Invalid request body``, before any integration runs.
4. Integration: ``AWS_PROXY`` to Lambda runs the Python handler in-process
   (:mod:`.lambda_runtime`) with a REST v1 proxy event and returns its proxy result (a handler
   error or a malformed result is 502 ``Internal server error``; a run longer than the
   integration timeout is 504 ``Endpoint request timed out`` once it ends); ``MOCK`` answers
   with the default integration response's status, static header mappings and JSON template,
   which serves CORS preflights.
5. Gateway responses (``DEFAULT_4XX``, ``UNAUTHORIZED``...) add their headers and templates to the
   gateway's own errors.

Not emulated: stage throttling and usage plans, WAF rules, API keys, IAM and Lambda (custom)
authorizers, caching, mapping templates of non-proxy integrations, HTTP integrations, binary
media types beyond passing non-UTF-8 bodies base64-encoded, and payload or timeout limits that
would interrupt a running handler.
"""

from __future__ import annotations

import base64
import errno
import fnmatch
import json
import threading
import time
import traceback
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from petplatform_constructs.testing.localcloud.assembly import AssemblyStack, read_assembly
from petplatform_constructs.testing.localcloud.json_schema import Schema, SchemaError, validate
from petplatform_constructs.testing.localcloud.lambda_runtime import (
    LambdaRuntimeError,
    LocalFunction,
)
from petplatform_constructs.testing.localcloud.server import LOOPBACK

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_constructs.testing import SynthResult
    from petplatform_constructs.testing.localcloud.server import LocalCloud

__all__ = [
    "DeployedApi",
    "DeployedResource",
    "GatewayError",
    "Invocation",
    "LocalRestApi",
    "cognito_claims",
]

Json = dict[str, Any]
_LAMBDA_URI = "/2015-03-31/functions/"
_DEFAULT_TIMEOUT_MS = 29_000


@dataclass(frozen=True)
class Invocation:
    """One Lambda invocation made by the local API (for tests: "was the handler called?")."""

    function: str
    method: str
    resource: str
    path: str
    status: int
    seconds: float
    error: str | None = None


class GatewayError(Exception):
    """An answer API Gateway gives itself (``response_type`` as in its gateway responses)."""

    def __init__(self, response_type: str, status: int, message: str) -> None:
        super().__init__(message)
        self.response_type = response_type
        self.status = status
        self.message = message


# --------------------------------------------------------------------------------------------
# The API definition, as the emulator's API Gateway backend describes it


@dataclass(frozen=True)
class DeployedResource:
    """One resource of the API: its path template and methods (as ``GetMethod`` returns them)."""

    resource_id: str
    path: str
    parts: tuple[str, ...]
    methods: Mapping[str, Json]

    def match(self, parts: Sequence[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
        """(specificity key: lower is more specific, path parameters), or None."""
        rank: list[int] = []
        params: dict[str, str] = {}
        for i, template in enumerate(self.parts):
            if template.startswith("{") and template.endswith("+}"):
                if i >= len(parts):
                    return None
                params[template[1:-2]] = "/".join(parts[i:])
                return (*rank, 2), params
            if i >= len(parts):
                return None
            if template.startswith("{") and template.endswith("}"):
                params[template[1:-1]] = parts[i]
                rank.append(1)
            elif template == parts[i]:
                rank.append(0)
            else:
                return None
        if len(parts) != len(self.parts):
            return None
        return tuple(rank), params


@dataclass
class DeployedApi:
    """The API as the emulator's API Gateway backend describes it, for one stage."""

    api_id: str
    name: str
    stage: str
    stage_variables: Mapping[str, str]
    resources: list[DeployedResource]
    authorizers: Mapping[str, Json]
    models: Mapping[str, Schema]
    validators: Mapping[str, Json]
    gateway_responses: Mapping[str, Json]

    def route(
        self, method: str, parts: Sequence[str]
    ) -> tuple[DeployedResource, Json, dict[str, str]]:
        best: tuple[tuple[int, ...], DeployedResource, dict[str, str]] | None = None
        for resource in self.resources:
            matched = resource.match(parts)
            if matched is not None and (best is None or matched[0] < best[0]):
                best = (matched[0], resource, matched[1])
        if best is not None:
            _, resource, params = best
            found = resource.methods.get(method) or resource.methods.get("ANY")
            if found is not None:
                return resource, found, params
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token")


# --------------------------------------------------------------------------------------------
# Cognito user-pool authorizer


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _unauthorized(message: str = "Unauthorized") -> GatewayError:
    return GatewayError("UNAUTHORIZED", 401, message)


class _CognitoPool:
    """Verifies the JWTs of one user pool of the emulator (signature with its JWKS)."""

    def __init__(self, cloud: LocalCloud, pool_arn: str) -> None:
        parts = pool_arn.split(":")
        self.region = parts[3]
        self.pool_id = pool_arn.rsplit("/", 1)[-1]
        self.issuer = f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"
        self._cloud = cloud
        self._keys: dict[str, Json] = {}
        self._clients: set[str] = set()
        self._lock = threading.Lock()

    def _key(self, kid: str) -> Json | None:
        with self._lock:
            if kid not in self._keys:
                url = f"{self._cloud.endpoint_url}/{self.pool_id}/.well-known/jwks.json"
                with urllib.request.urlopen(url, timeout=10) as answer:
                    jwks = json.loads(answer.read())
                self._keys = {str(k.get("kid")): k for k in jwks.get("keys", [])}
            return self._keys.get(kid)

    def _is_client(self, client_id: str) -> bool:
        with self._lock:
            if client_id not in self._clients:
                idp = self._cloud.client("cognito-idp")
                pages = idp.get_paginator("list_user_pool_clients").paginate(
                    UserPoolId=self.pool_id, MaxResults=60
                )
                self._clients = {c["ClientId"] for page in pages for c in page["UserPoolClients"]}
            return client_id in self._clients

    def verify(self, token: str, scopes: Sequence[str]) -> Json:
        """The token's claims, or :class:`GatewayError` 401."""
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header = json.loads(_b64url(header_b64))
            claims: Json = json.loads(_b64url(payload_b64))
            signature = _b64url(signature_b64)
        except ValueError:
            raise _unauthorized() from None
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            raise _unauthorized()
        key = self._key(str(header.get("kid")))
        if key is None or not _rs256_valid(key, f"{header_b64}.{payload_b64}".encode(), signature):
            raise _unauthorized()
        if claims.get("iss") != self.issuer:
            raise _unauthorized()
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= time.time():
            raise _unauthorized("The incoming token has expired")
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if claims.get("token_use") != "access" or not granted & set(scopes):
                raise _unauthorized()
            audience = claims.get("client_id")
        else:
            if claims.get("token_use") != "id":
                raise _unauthorized()
            audience = claims.get("aud")
        if not isinstance(audience, str) or not self._is_client(audience):
            raise _unauthorized()
        return claims


def _rs256_valid(jwk: Json, signed: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    if jwk.get("kty") != "RSA":
        return False
    numbers = rsa.RSAPublicNumbers(
        e=int.from_bytes(_b64url(str(jwk["e"])), "big"),
        n=int.from_bytes(_b64url(str(jwk["n"])), "big"),
    )
    try:
        numbers.public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


_TIME_CLAIMS = ("exp", "iat", "auth_time", "nbf")


def cognito_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as the REST API Cognito authorizer hands them to Lambda: every value a string,
    times as ``Sun Nov 22 05:48:51 UTC 2026``, ``cognito:groups`` comma-separated."""
    flat: dict[str, str] = {}
    for name, value in claims.items():
        if name in _TIME_CLAIMS and isinstance(value, (int, float)):
            flat[name] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
        elif isinstance(value, list):
            flat[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = str(value)
    return flat


# --------------------------------------------------------------------------------------------
# Requests and responses


@dataclass
class _Request:
    method: str
    path: str  # below the stage, e.g. /dogs/dog-1
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str

    @property
    def path_parts(self) -> list[str]:
        return [unquote(part) for part in self.path.split("/") if part]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        found = [value for key, value in self.headers if key.lower() == wanted]
        return found[-1] if found else None


@dataclass
class _Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _static_value(expression: str) -> str | None:
    """A mapping expression's literal (``'value'``); None for non-literal mappings."""
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    return None


def _media_type(content_type: str | None) -> str:
    return (content_type or "application/json").split(";", 1)[0].strip().lower()


class LocalRestApi:
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
        port: int = 0,
    ) -> None:
        self.cloud = cloud
        self._outdir = Path(str(getattr(assembly, "outdir", assembly)))
        self._stack_name = stack
        self._rest_api = rest_api
        self._stage = stage
        self._port = port
        self._definition: DeployedApi | None = None
        self._functions: dict[str, LocalFunction] = {}
        self._permissions: dict[str, list[str]] = {}  # function ARN -> allowed source ARNs
        self._invocations: list[Invocation] = []
        self._lock = threading.Lock()
        self._pools: dict[str, _CognitoPool] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._scratch: TemporaryDirectory[str] | None = None

    # ---- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/{stage}``: append a resource path (``/dogs``)."""
        if self._server is None or self._definition is None:
            raise RuntimeError("LocalRestApi is not started; use it in a `with` block")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/{self._definition.stage}"

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
    def functions(self) -> Mapping[str, LocalFunction]:
        """The Lambda functions behind the API, by ARN."""
        return dict(self._functions)

    @property
    def invocations(self) -> list[Invocation]:
        """Every Lambda invocation so far, oldest first (a copy)."""
        with self._lock:
            return list(self._invocations)

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
        try:
            server = ThreadingHTTPServer((LOOPBACK, self._port), _handler_class(self))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            self.cloud.say(f"local api: port {self._port} is in use; using a free port instead")
            server = ThreadingHTTPServer((LOOPBACK, 0), _handler_class(self))
        server.daemon_threads = False
        server.block_on_close = True  # close() joins the request threads
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="petplatform-localapi",
            daemon=True,
        )
        self._thread.start()
        definition = self.definition
        self.cloud.say(
            f"local api: {definition.name} ({definition.api_id}) stage {definition.stage} "
            f"on {self.url} with {len(self._functions)} functions"
        )
        return self

    def close(self) -> None:
        """Stop serving and join the server's threads. Safe to call twice."""
        server, self._server = self._server, None
        thread, self._thread = self._thread, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join()
        scratch, self._scratch = self._scratch, None
        if scratch is not None:
            scratch.cleanup()

    def __enter__(self) -> LocalRestApi:
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

    # ---- loading the deployed API -----------------------------------------------------------

    def refresh(self) -> None:
        """Read the deployed API again (after an update, for example); warm functions stay."""
        stacks = read_assembly(self._outdir)
        cfn = self.cloud.client("cloudformation")
        deployed: dict[str, list[Json]] = {}
        for stack in stacks:
            try:
                deployed[stack.stack_name] = cfn.describe_stack_resources(
                    StackName=stack.stack_name
                )["StackResources"]
            except ClientError:
                continue
        api_id = self._find_api(deployed)
        self._definition = self._read_definition(api_id)
        self._load_functions(stacks, deployed)

    def _find_api(self, deployed: Mapping[str, list[Json]]) -> str:
        candidates = [
            (stack_name, r)
            for stack_name, resources in deployed.items()
            if self._stack_name in (None, stack_name)
            for r in resources
            if r["ResourceType"] == "AWS::ApiGateway::RestApi" and r.get("PhysicalResourceId")
        ]
        if self._rest_api is not None:
            apigw = self.cloud.client("apigateway")
            candidates = [
                (s, r)
                for s, r in candidates
                if self._rest_api
                in (
                    r["LogicalResourceId"],
                    r["PhysicalResourceId"],
                    apigw.get_rest_api(restApiId=r["PhysicalResourceId"])["name"],
                )
            ]
        if len(candidates) != 1:
            found = [f"{s}/{r['LogicalResourceId']}" for s, r in candidates]
            raise LookupError(
                f"expected one deployed REST API (stack={self._stack_name!r}, "
                f"rest_api={self._rest_api!r}), found {found or 'none'}"
            )
        return str(candidates[0][1]["PhysicalResourceId"])

    def _read_definition(self, api_id: str) -> DeployedApi:
        apigw = self.cloud.client("apigateway")
        api = apigw.get_rest_api(restApiId=api_id)
        stages = [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]]
        if self._stage is not None:
            if self._stage not in stages:
                raise LookupError(f"API {api_id} has no stage {self._stage!r}; stages: {stages}")
            stage_name = self._stage
        elif len(stages) == 1:
            stage_name = stages[0]
        else:
            raise LookupError(f"API {api_id} has stages {stages}; pass stage=")
        stage = apigw.get_stage(restApiId=api_id, stageName=stage_name)
        resources = []
        for item in _all(apigw, "get_resources", restApiId=api_id, embed=["methods"]):
            path = str(item["path"])
            parts = tuple(p for p in path.split("/") if p)
            resources.append(
                DeployedResource(item["id"], path, parts, item.get("resourceMethods", {}))
            )
        models = {}
        for model in _all(apigw, "get_models", restApiId=api_id):
            models[str(model["name"])] = json.loads(model.get("schema") or "{}")
        return DeployedApi(
            api_id=api_id,
            name=str(api.get("name", api_id)),
            stage=stage_name,
            stage_variables=stage.get("variables") or {},
            resources=resources,
            authorizers={a["id"]: a for a in _all(apigw, "get_authorizers", restApiId=api_id)},
            models=models,
            validators={
                v["id"]: v for v in _all(apigw, "get_request_validators", restApiId=api_id)
            },
            gateway_responses={
                g["responseType"]: g for g in _all(apigw, "get_gateway_responses", restApiId=api_id)
            },
        )

    def _load_functions(
        self, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> None:
        """A :class:`LocalFunction` for each Lambda that an ``AWS_PROXY`` integration calls."""
        arns = {
            _function_arn(str(method["methodIntegration"].get("uri", "")))
            for resource in self.definition.resources
            for method in resource.methods.values()
            if (method.get("methodIntegration") or {}).get("type") == "AWS_PROXY"
        }
        lam = self.cloud.client("lambda")
        functions: dict[str, LocalFunction] = {}
        for arn in sorted(a for a in arns if a):
            config = lam.get_function_configuration(FunctionName=arn)
            code_dir = self._code_dir(config["FunctionName"], stacks, deployed)
            function = LocalFunction(
                name=config["FunctionName"],
                arn=config["FunctionArn"],
                handler=config["Handler"],
                code_dir=code_dir,
                layer_dirs=self._layer_dirs(config["FunctionName"], stacks, deployed),
                environment=dict((config.get("Environment") or {}).get("Variables") or {}),
                endpoint_url=self.cloud.endpoint_url,
                region=self.cloud.region,
                runtime=str(config.get("Runtime", "")),
                timeout_seconds=float(config.get("Timeout", 3)),
                memory_mb=int(config.get("MemorySize", 128)),
                log_group=str((config.get("LoggingConfig") or {}).get("LogGroup", "")),
            )
            if (config.get("LoggingConfig") or {}).get("LogFormat") == "JSON":
                function.environment = {**function.environment, "AWS_LAMBDA_LOG_FORMAT": "JSON"}
            warm = self._functions.get(arn)
            if warm is not None and all(
                getattr(warm, deployed_as) == getattr(function, deployed_as)
                for deployed_as in ("code_dir", "layer_dirs", "handler", "environment")
            ):
                function = warm
            functions[arn] = function
            self._permissions[arn] = _api_gateway_sources(lam, arn)
        self._functions = functions

    def _code_dir(
        self, function_name: str, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> Path:
        template, stack = self._function_template(function_name, stacks, deployed)
        return self._unpacked(function_name, template.get("Properties", {}).get("Code", {}), stack)

    def _layer_dirs(
        self, function_name: str, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> tuple[Path, ...]:
        """The ``python/`` directory of each layer the function's own stack defines.

        A layer given by ARN (not ``{"Ref": ...}`` to a layer of the stack) has no local asset
        and is left out.
        """
        template, stack = self._function_template(function_name, stacks, deployed)
        resources = stack.template()["Resources"]
        found = []
        for layer in template.get("Properties", {}).get("Layers", []):
            logical_id = layer.get("Ref") if isinstance(layer, dict) else None
            content = resources.get(logical_id, {}).get("Properties", {}).get("Content")
            if isinstance(content, dict):
                found.append(self._unpacked(f"{function_name} layer", content, stack) / "python")
        return tuple(found)

    def _function_template(
        self, function_name: str, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> tuple[Json, AssemblyStack]:
        """The function's resource in its stack's template, and that stack."""
        for stack in stacks:
            for resource in deployed.get(stack.stack_name, []):
                if (
                    resource["ResourceType"] == "AWS::Lambda::Function"
                    and resource.get("PhysicalResourceId") == function_name
                ):
                    return stack.template()["Resources"][resource["LogicalResourceId"]], stack
        raise LookupError(f"function {function_name} is not in the deployed assembly's stacks")

    def _unpacked(self, function_name: str, code: Json, stack: AssemblyStack) -> Path:
        key = code.get("S3Key")
        if isinstance(key, str):
            for asset in stack.assets:
                if asset.key == key or asset.key.endswith(f"/{key}"):
                    if asset.source.is_dir():
                        return asset.source
                    return self._extract(asset.source)
            raise LookupError(f"function {function_name}: no asset for code key {key!r}")
        if isinstance(code.get("ZipFile"), str):
            directory = self._scratch_dir() / function_name
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "index.py").write_text(code["ZipFile"])
            return directory
        raise LookupError(f"function {function_name}: code {sorted(code)} is not a local asset")

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            self._scratch = TemporaryDirectory(prefix="petplatform-lambda-")
        return Path(self._scratch.name)

    def _extract(self, archive: Path) -> Path:
        target = self._scratch_dir() / archive.stem
        if not target.exists():
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(target)
        return target

    # ---- handling a request -------------------------------------------------------------------

    def handle(self, request: _Request) -> _Response:
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

    def _authorize(self, method: Json, request: _Request) -> dict[str, str] | None:
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
            raise _unauthorized()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        scopes = list(method.get("authorizationScopes") or [])
        failure: GatewayError | None = None
        for arn in authorizer.get("providerARNs") or []:
            pool = self._pools.setdefault(arn, _CognitoPool(self.cloud, arn))
            try:
                return cognito_claims(pool.verify(token, scopes))
            except GatewayError as error:
                failure = error
        raise failure or _unauthorized()

    def _validate(self, method: Json, request: _Request, params: Mapping[str, str]) -> None:
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
        name = models.get(_media_type(request.header("Content-Type"))) or models.get("$default")
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
        request: _Request,
        request_id: str,
    ) -> _Response:
        integration = method.get("methodIntegration") or {}
        kind = integration.get("type")
        if kind == "MOCK":
            return _mock_response(integration)
        if kind != "AWS_PROXY":
            raise GatewayError("DEFAULT_5XX", 500, f"{kind} integrations are not emulated")
        arn = _function_arn(str(integration.get("uri", "")))
        function = self._functions.get(arn)
        if function is None:
            raise GatewayError("DEFAULT_5XX", 500, "Internal server error")
        source = (
            f"arn:aws:execute-api:{self.cloud.region}:{self.cloud.account_id}:"
            f"{self.definition.api_id}/{self.definition.stage}/{request.method}{request.path}"
        )
        if not any(fnmatch.fnmatchcase(source, p) for p in self._permissions.get(arn, [])):
            self.cloud.say(f"local api: {function.name} does not allow API Gateway ({source})")
            raise GatewayError("DEFAULT_5XX", 500, "Internal server error")
        event = self._event(resource, method, params, claims, request, request_id)
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
        response = _proxy_response(result) if error is None else None
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

    def _record(self, invocation: Invocation) -> None:
        with self._lock:
            self._invocations.append(invocation)

    def _event(
        self,
        resource: DeployedResource,
        method: Json,
        params: Mapping[str, str],
        claims: Mapping[str, str] | None,
        request: _Request,
        request_id: str,
    ) -> Json:
        """A REST API (payload v1) Lambda proxy event."""
        definition = self.definition
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for key, value in request.headers:
            headers[key] = value
            multi_headers.setdefault(key, []).append(value)
        query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for key, value in request.query:
            query[key] = value
            multi_query.setdefault(key, []).append(value)
        try:
            body: str | None = request.body.decode("utf-8") if request.body else None
            encoded = False
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(request.body).decode(), True
        now = time.time()
        context: Json = {
            "resourceId": resource.resource_id,
            "resourcePath": resource.path,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{definition.stage}{request.path}",
            "accountId": self.cloud.account_id,
            "protocol": "HTTP/1.1",
            "stage": definition.stage,
            "domainPrefix": definition.api_id,
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": request.header("User-Agent"),
                "accountId": None,
                "caller": None,
                "user": None,
                "userArn": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "accessKey": None,
                "apiKey": None,
            },
            "domainName": request.header("Host") or f"{LOOPBACK}",
            "apiId": definition.api_id,
        }
        if claims is not None:
            context["authorizer"] = {"claims": dict(claims)}
        return {
            "resource": resource.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": dict(params) or None,
            "stageVariables": dict(definition.stage_variables) or None,
            "requestContext": context,
            "body": body,
            "isBase64Encoded": encoded,
        }

    def _gateway_response(self, error: GatewayError) -> _Response:
        responses = self.definition.gateway_responses
        family = "DEFAULT_4XX" if error.status < 500 else "DEFAULT_5XX"
        configured = responses.get(error.response_type) or responses.get(family) or {}
        status = int(configured.get("statusCode") or error.status)
        headers = [("Content-Type", "application/json")]
        for name, expression in (configured.get("responseParameters") or {}).items():
            value = _static_value(str(expression))
            if value is not None and str(name).startswith("gatewayresponse.header."):
                headers.append((str(name).removeprefix("gatewayresponse.header."), value))
        template = (configured.get("responseTemplates") or {}).get("application/json")
        if template:
            body = template.replace(
                "$context.error.messageString", json.dumps(error.message)
            ).replace("$context.error.message", error.message)
        else:
            body = json.dumps({"message": error.message})
        return _Response(status, headers, body.encode())


def _all(client: Any, operation: str, **kwargs: Any) -> Iterator[Json]:
    """Every item of a paginated API Gateway list operation."""
    position: str | None = None
    while True:
        page = getattr(client, operation)(**kwargs, **({"position": position} if position else {}))
        yield from page.get("items", page.get("item", []))
        position = page.get("position")
        if not position:
            return


def _api_gateway_sources(lam: Any, function_arn: str) -> list[str]:
    """Source-ARN patterns for which the function's resource policy lets API Gateway invoke it
    (``*`` when a statement has no source condition)."""
    try:
        policy = json.loads(lam.get_policy(FunctionName=function_arn)["Policy"])
    except ClientError:
        return []
    sources = []
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal")
        service = principal.get("Service") if isinstance(principal, dict) else principal
        action = statement.get("Action")
        if statement.get("Effect", "Allow") != "Allow" or service != "apigateway.amazonaws.com":
            continue
        if action not in ("lambda:InvokeFunction", "lambda:*", "*"):
            continue
        condition = (statement.get("Condition") or {}).get("ArnLike") or {}
        source = condition.get("AWS:SourceArn") or condition.get("aws:SourceArn")
        sources.append(str(source) if source else "*")
    return sources


def _function_arn(uri: str) -> str:
    """The function ARN in ``arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}
    /invocations``."""
    if _LAMBDA_URI not in uri:
        return ""
    return uri.split(_LAMBDA_URI, 1)[1].removesuffix("/invocations")


def _mock_response(integration: Json) -> _Response:
    responses: Mapping[str, Json] = integration.get("integrationResponses") or {}
    chosen = next(
        (r for r in responses.values() if not r.get("selectionPattern")),
        None,
    )
    if chosen is None:
        return _Response(200, [("Content-Type", "application/json")])
    headers = []
    for name, expression in (chosen.get("responseParameters") or {}).items():
        value = _static_value(str(expression))
        if value is not None and str(name).startswith("method.response.header."):
            headers.append((str(name).removeprefix("method.response.header."), value))
    template = (chosen.get("responseTemplates") or {}).get("application/json") or ""
    if template:
        headers.append(("Content-Type", "application/json"))
    return _Response(int(chosen.get("statusCode", 200)), headers, template.encode())


def _proxy_response(result: object) -> _Response | None:
    """The HTTP response of a Lambda proxy result, or None when the result is malformed."""
    if not isinstance(result, dict):
        return None
    status = result.get("statusCode")
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        return None
    headers: list[tuple[str, str]] = []
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        return None
    for name, values in multi.items():
        headers += [(str(name), str(v)) for v in (values if isinstance(values, list) else [values])]
    listed = {name.lower() for name, _ in headers}
    headers += [(str(k), str(v)) for k, v in single.items() if str(k).lower() not in listed]
    if "content-type" not in {name.lower() for name, _ in headers}:
        headers.append(("Content-Type", "application/json"))
    body = result.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        return None
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body)
        except ValueError:
            return None
    else:
        data = body.encode("utf-8")
    return _Response(status, headers, data)


# --------------------------------------------------------------------------------------------
# The HTTP server


def _handler_class(api: LocalRestApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return "petplatform-localapi"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: invocations are recorded on the API instead."""

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            segments = parts.path.split("/")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(segments) < 2 or segments[1] != api.stage:
                response = _Response(
                    403,
                    [("Content-Type", "application/json")],
                    json.dumps({"message": "Forbidden"}).encode(),
                )
            else:
                request = _Request(
                    method=self.command,
                    path="/" + "/".join(segments[2:]),
                    query=parse_qsl(parts.query, keep_blank_values=True),
                    headers=list(self.headers.items()),
                    body=body,
                    source_ip=self.client_address[0],
                )
                try:
                    response = api.handle(request)
                except Exception:  # a bug here must not kill the server thread silently
                    api.cloud.say(f"local api: internal error\n{traceback.format_exc()}")
                    response = _Response(
                        500,
                        [("Content-Type", "application/json")],
                        json.dumps({"message": "Internal server error"}).encode(),
                    )
            self.send_response(response.status)
            for name, value in response.headers:
                if name.lower() not in ("content-length", "connection", "date", "server"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def do_GET(self) -> None:
            self._serve()

        def do_HEAD(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def do_OPTIONS(self) -> None:
            self._serve()

    return Handler
