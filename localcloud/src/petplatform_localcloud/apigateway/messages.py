"""Requests and responses of the local REST API: proxy events and results, MOCK answers, and
the HTTP handler that serves them."""

from __future__ import annotations

import base64
import json
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from petplatform_localcloud.apigateway.definition import DeployedApi, DeployedResource
from petplatform_localcloud.loopback import LOOPBACK

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_localcloud.apigateway.local_api import LocalRestApi

__all__ = [
    "Request",
    "Response",
    "handler_class",
    "json_message",
    "media_type",
    "mock_response",
    "proxy_event",
    "proxy_response",
    "static_value",
]

Json = dict[str, Any]


@dataclass
class Request:
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
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def json_message(status: int, message: str) -> Response:
    """``{"message": ...}``, as API Gateway answers when it has no gateway response to use."""
    body = json.dumps({"message": message}).encode()
    return Response(status, [("Content-Type", "application/json")], body)


def static_value(expression: str) -> str | None:
    """A mapping expression's literal (``'value'``); None for non-literal mappings."""
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    return None


def media_type(content_type: str | None) -> str:
    return (content_type or "application/json").split(";", 1)[0].strip().lower()


def proxy_event(
    definition: DeployedApi,
    account_id: str,
    resource: DeployedResource,
    params: Mapping[str, str],
    claims: Mapping[str, str] | None,
    request: Request,
    request_id: str,
) -> Json:
    """A REST API (payload v1) Lambda proxy event."""
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
        "accountId": account_id,
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


def mock_response(integration: Json) -> Response:
    responses: Mapping[str, Json] = integration.get("integrationResponses") or {}
    chosen = next(
        (r for r in responses.values() if not r.get("selectionPattern")),
        None,
    )
    if chosen is None:
        return Response(200, [("Content-Type", "application/json")])
    headers = []
    for name, expression in (chosen.get("responseParameters") or {}).items():
        value = static_value(str(expression))
        if value is not None and str(name).startswith("method.response.header."):
            headers.append((str(name).removeprefix("method.response.header."), value))
    template = (chosen.get("responseTemplates") or {}).get("application/json") or ""
    if template:
        headers.append(("Content-Type", "application/json"))
    return Response(int(chosen.get("statusCode", 200)), headers, template.encode())


def proxy_response(result: object) -> Response | None:
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
    return Response(status, headers, data)


def handler_class(api: LocalRestApi) -> type[BaseHTTPRequestHandler]:
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
                response = json_message(403, "Forbidden")
            else:
                request = Request(
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
                    response = json_message(500, "Internal server error")
            self.send_response(response.status)
            for name, value in response.headers:
                if name.lower() not in ("content-length", "connection", "date", "server"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

    for verb in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        setattr(Handler, f"do_{verb}", Handler._serve)  # http.server calls do_<VERB>
    return Handler
