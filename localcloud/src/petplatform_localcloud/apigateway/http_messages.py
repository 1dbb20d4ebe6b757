"""Requests and responses of the local HTTP API: routes, payload 2.0 events and results, and
the HTTP handler that serves them."""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_localcloud.apigateway.http_api import LocalHttpApi

__all__ = [
    "HttpRefusedError",
    "HttpRoute",
    "cors_headers",
    "header_value",
    "http_event",
    "http_handler_class",
    "string_claims",
    "v2_response",
]

Json = dict[str, Any]


class HttpRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class HttpRoute:
    key: str
    method: str  # ANY for any
    parts: list[str]  # path template segments; [] for $default
    function_arn: str
    payload_version: str
    timeout_ms: int
    authorizer: Json | None  # {"issuer", "audience", "header"}
    scopes: list[str]

    def match(self, method: str, path: list[str]) -> dict[str, str] | None:
        if self.key == "$default":
            return {}
        if self.method not in ("ANY", method):
            return None
        params: dict[str, str] = {}
        for index, part in enumerate(self.parts):
            if part.startswith("{") and part.endswith("+}"):
                if index >= len(path):
                    return None
                params[part[1:-2]] = "/".join(path[index:])
                return params
            if index >= len(path):
                return None
            if part.startswith("{") and part.endswith("}"):
                params[part[1:-1]] = path[index]
            elif part != path[index]:
                return None
        return params if len(path) == len(self.parts) else None

    def rank(self) -> tuple[int, ...]:
        """Higher is more specific: literal segments, then parameters, then greedy, then ANY."""
        if self.key == "$default":
            return (-1,)
        kinds = [0 if p.endswith("+}") else 1 if p.startswith("{") else 2 for p in self.parts]
        return (*kinds, len(self.parts), int(self.method != "ANY"))


def http_event(
    api: LocalHttpApi,
    route: HttpRoute,
    params: Mapping[str, str],
    claims: Json | None,
    scopes: list[str] | None,
    method: str,
    raw_path: str,
    query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    request_id: str,
) -> Json:
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        if name.lower() == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        key = name.lower()
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    queries: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        queries[name] = f"{queries[name]},{value}" if name in queries else value
    try:
        text, encoded = body.decode(), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    now = datetime.now(timezone.utc)
    event: Json = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": raw_path if api.stage == "$default" else f"/{api.stage}{raw_path}",
        "rawQueryString": query,
        "headers": merged,
        "requestContext": {
            "accountId": api.cloud.account_id,
            "apiId": api.api_id,
            "domainName": merged.get("host", f"{api.api_id}.execute-api.localhost"),
            "domainPrefix": api.api_id,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.key,
            "stage": api.stage,
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": encoded,
    }
    if cookies:
        event["cookies"] = cookies
    if queries:
        event["queryStringParameters"] = queries
    if params:
        event["pathParameters"] = dict(params)
    if body:
        event["body"] = text
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": scopes}}
    return event


def cors_headers(config: Json, origin: str | None, *, preflight: bool) -> list[tuple[str, str]]:
    """The CORS headers API Gateway adds for ``origin`` under an HTTP API's ``CorsConfiguration``
    (none for an origin it does not allow)."""
    origins = [str(o) for o in config.get("AllowOrigins") or []]
    if not origin or not ("*" in origins or origin in origins):
        return []
    found = [("Access-Control-Allow-Origin", "*" if "*" in origins else origin)]
    if config.get("AllowCredentials"):
        found.append(("Access-Control-Allow-Credentials", "true"))
    if preflight:
        for key, name in (("AllowMethods", "Methods"), ("AllowHeaders", "Headers")):
            if config.get(key):
                found.append((f"Access-Control-Allow-{name}", ",".join(map(str, config[key]))))
        if config.get("MaxAge") is not None:
            found.append(("Access-Control-Max-Age", str(config["MaxAge"])))
    elif config.get("ExposeHeaders"):
        found.append(("Access-Control-Expose-Headers", ",".join(map(str, config["ExposeHeaders"]))))
    return found


def header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    found = [v for k, v in headers if k.lower() == name.lower()]
    return found[-1] if found else None


def string_claims(claims: Mapping[str, Any]) -> Json:
    """Claims as an HTTP API's JWT authorizer passes them: strings, lists as ``[a b]``."""
    return {
        key: f"[{' '.join(map(str, value))}]" if isinstance(value, list) else str(value)
        for key, value in claims.items()
    }


def v2_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """A payload 2.0 result: ``{statusCode, headers, cookies, body, isBase64Encoded}``, or any
    other JSON value as a 200 JSON body."""
    if not isinstance(result, dict) or "statusCode" not in result:
        text = result if isinstance(result, str) else json.dumps(result)
        return 200, [("Content-Type", "application/json")], text.encode()
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        return None
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    headers += [("Set-Cookie", str(c)) for c in result.get("cookies") or []]
    raw = result.get("body")
    text = raw if isinstance(raw, str) else "" if raw is None else json.dumps(raw)
    payload = base64.b64decode(text) if result.get("isBase64Encoded") else text.encode()
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return status, headers, payload


def http_handler_class(api: LocalHttpApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return "petplatform-local-http-api"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: invocations are recorded on the API instead."""

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path or "/"
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            prefix = f"/{api.stage}"
            if api.stage != "$default":
                if path != prefix and not path.startswith(prefix + "/"):
                    status, headers, payload = (
                        404,
                        [("Content-Type", "application/json")],
                        b'{"message":"Not Found"}',
                    )
                    self._write(status, headers, payload)
                    return
                path = path[len(prefix) :] or "/"
            try:
                status, headers, payload = api.handle(
                    self.command,
                    path,
                    parts.query,
                    list(self.headers.items()),
                    body,
                    self.client_address[0],
                )
            except Exception:  # a bug here must not kill the server thread silently
                api.cloud.say(f"local http api: internal error\n{traceback.format_exc()}")
                status, headers = 500, [("Content-Type", "application/json")]
                payload = b'{"message":"Internal Server Error"}'
            self._write(status, headers, payload)

        def _write(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "date", "server"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

    for verb in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        setattr(Handler, f"do_{verb}", Handler._serve)
    return Handler
