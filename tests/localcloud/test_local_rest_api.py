"""``LocalRestApi`` on a hand-written API with inline Python functions: routing, in-process
Lambda isolation, errors, permissions, validation, MOCK integrations; and the JSON-schema
validator it uses."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from localcloud_templates import ACCOUNT, LAMBDA_ROLE, Json, join, lambda_uri, write_assembly

from petplatform_localcloud import (
    LocalCloud,
    deploy,
    destroy,
)
from petplatform_localcloud.apigateway import LocalRestApi, cognito_claims
from petplatform_localcloud.json_schema import SchemaError, validate
from petplatform_localcloud.lambda_runtime import (
    LambdaRuntimeError,
    LocalFunction,
)

pytestmark = pytest.mark.localcloud
STACK = "LocalApi"

ECHO = """
import json, os
import boto3

CALLS = []


def handler(event, context):
    CALLS.append(event["path"])
    account = boto3.client("sts").get_caller_identity()["Account"]
    body = {
        "fn": "echo", "module": __name__, "calls": len(CALLS),
        "greeting": os.environ.get("GREETING"), "resource": event["resource"],
        "params": event["pathParameters"], "account": account,
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"), "key": os.environ.get("AWS_ACCESS_KEY_ID"),
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
    return {
        "statusCode": 200,
        "headers": {"X-Fn": "echo"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps(body),
    }
"""
OTHER = """
import json, os

CALLS = []


def handler(event, context):
    CALLS.append(1)
    body = {"fn": "other", "calls": len(CALLS), "greeting": os.environ.get("GREETING")}
    return {"statusCode": 201, "body": json.dumps(body)}
"""
BOOM = "def handler(event, context):\n    raise RuntimeError('boom')\n"
BAD = "def handler(event, context):\n    return 'not a proxy result'\n"
SLOW = """
import time


def handler(event, context):
    time.sleep(0.2)
    return {"statusCode": 200}
"""


def _function(code: str, environment: Json | None = None) -> Json:
    props: Json = {
        "Runtime": "python3.11",
        "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Timeout": 10,
        "Code": {"ZipFile": code},
    }
    if environment:
        props["Environment"] = {"Variables": environment}
    return {"Type": "AWS::Lambda::Function", "Properties": props}


def _permission(function: str) -> Json:
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function, "Arn"]},
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": join(
                f"arn:aws:execute-api:us-east-1:{ACCOUNT}:", {"Ref": "Api"}, "/*/*/*"
            ),
        },
    }


def _resource(path_part: str, parent: str | None = None) -> Json:
    parent_id = {"Ref": parent} if parent else {"Fn::GetAtt": ["Api", "RootResourceId"]}
    return {
        "Type": "AWS::ApiGateway::Resource",
        "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": parent_id, "PathPart": path_part},
    }


def _proxy(resource: str, function: str, method: str = "GET", **extra: Any) -> Json:
    integration = {
        "Type": "AWS_PROXY",
        "IntegrationHttpMethod": "POST",
        "Uri": lambda_uri(function),
        **extra.pop("integration", {}),
    }
    return {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": {"Ref": resource},
            "HttpMethod": method,
            "AuthorizationType": "NONE",
            "Integration": integration,
            **extra,
        },
    }


def _template() -> Json:
    methods = {
        "ItemsGet": _proxy("Items", "Echo"),
        "ItemsPost": _proxy(
            "Items",
            "Echo",
            "POST",
            RequestModels={"application/json": {"Ref": "ItemModel"}},
            RequestValidatorId={"Ref": "Validator"},
            RequestParameters={"method.request.querystring.mode": True},
        ),
        "ItemGet": _proxy("Item", "Echo"),
        "SpecialGet": _proxy("Special", "Other"),
        "FilesGet": _proxy("Files", "Echo"),
        "BoomGet": _proxy("BoomResource", "Boom"),
        "BadGet": _proxy("BadResource", "Bad"),
        "SlowGet": _proxy("SlowResource", "Slow", integration={"TimeoutInMillis": 100}),
        "LockedGet": _proxy("LockedResource", "Locked"),  # no permission for API Gateway
        "ItemsOptions": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Ref": "Items"},
                "HttpMethod": "OPTIONS",
                "AuthorizationType": "NONE",
                "Integration": {
                    "Type": "MOCK",
                    "RequestTemplates": {"application/json": "{ statusCode: 200 }"},
                    "IntegrationResponses": [
                        {
                            "StatusCode": "204",
                            "ResponseParameters": {
                                "method.response.header.Access-Control-Allow-Origin": "'*'",
                                "method.response.header.Access-Control-Allow-Methods": "'GET,POST'",
                            },
                        }
                    ],
                },
            },
        },
    }
    resources: Json = {
        "Role": LAMBDA_ROLE,
        "Echo": _function(ECHO, {"GREETING": "hello"}),
        "Other": _function(OTHER),
        "Boom": _function(BOOM),
        "Bad": _function(BAD),
        "Slow": _function(SLOW),
        "Locked": _function(OTHER),
        **{f"{name}Permission": _permission(name) for name in ("Echo", "Other", "Boom", "Bad")},
        "SlowPermission": _permission("Slow"),
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "local-api"}},
        "Items": _resource("items"),
        "Item": _resource("{id}", "Items"),
        "Special": _resource("special", "Items"),
        "Files": _resource("{path+}", "FilesRoot"),
        "FilesRoot": _resource("files"),
        "BoomResource": _resource("boom"),
        "BadResource": _resource("bad"),
        "SlowResource": _resource("slow"),
        "LockedResource": _resource("locked"),
        "Size": {
            "Type": "AWS::ApiGateway::Model",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "Name": "Size",
                "ContentType": "application/json",
                "Schema": {"type": "string", "enum": ["s", "m", "l"]},
            },
        },
        "ItemModel": {
            "Type": "AWS::ApiGateway::Model",
            "DependsOn": ["Size"],
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "Name": "Item",
                "ContentType": "application/json",
                "Schema": {
                    "$schema": "http://json-schema.org/draft-04/schema#",
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                        "size": {
                            "$ref": join(
                                "https://apigateway.amazonaws.com/restapis/",
                                {"Ref": "Api"},
                                "/models/Size",
                            )
                        },
                    },
                },
            },
        },
        "Validator": {
            "Type": "AWS::ApiGateway::RequestValidator",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ValidateRequestBody": True,
                "ValidateRequestParameters": True,
            },
        },
        "Gateway4xx": {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResponseType": "DEFAULT_4XX",
                "ResponseParameters": {"gatewayresponse.header.X-Gateway": "'yes'"},
            },
        },
        **methods,
        "Deployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": sorted(methods),
            "Properties": {"RestApiId": {"Ref": "Api"}},
        },
        "Stage": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "DeploymentId": {"Ref": "Deployment"},
                "StageName": "test",
            },
        },
    }
    return {"Resources": resources}


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(log=None) as started:
        yield started


@pytest.fixture(scope="module")
def root(cloud: LocalCloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    assembly = write_assembly(tmp_path_factory.mktemp("local-api"), STACK, _template())
    deploy(cloud, assembly)
    yield assembly
    destroy(cloud, assembly)


@pytest.fixture(scope="module")
def api(cloud: LocalCloud, root: Path) -> Iterator[LocalRestApi]:
    with LocalRestApi(cloud, root) as served:
        yield served


def _call(
    api: LocalRestApi, method: str, path: str, body: object = None, **headers: str
) -> tuple[int, dict[str, list[str]], Any]:
    data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
    request = urllib.request.Request(f"{api.url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw, received = answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as error:
        with error:
            status, raw, received = error.code, error.read(), error.headers
    multi: dict[str, list[str]] = {}
    for name, value in received.items():
        multi.setdefault(name.lower(), []).append(value)
    return status, multi, json.loads(raw) if raw else None


# ---- routing -----------------------------------------------------------------------------------


def test_routes_prefer_literal_parts_then_parameters_then_greedy_ones(api: LocalRestApi) -> None:
    assert _call(api, "GET", "/items/special")[2]["fn"] == "other"
    item = _call(api, "GET", "/items/it%20em")[2]
    assert (item["resource"], item["params"]) == ("/items/{id}", {"id": "it em"})
    files = _call(api, "GET", "/files/a/b/c.txt")[2]
    assert (files["resource"], files["params"]) == ("/files/{path+}", {"path": "a/b/c.txt"})
    assert _call(api, "GET", "/items")[2]["resource"] == "/items"
    status, headers, body = _call(api, "GET", "/files")  # {path+} needs at least one part
    assert (status, body) == (403, {"message": "Missing Authentication Token"})
    assert headers["x-gateway"] == ["yes"]  # the DEFAULT_4XX gateway response's header
    assert ("GET", "/files/{path+}") in api.routes


# ---- the in-process Lambda runtime ----------------------------------------------------------


def test_each_function_has_its_own_modules_environment_and_warm_state(api: LocalRestApi) -> None:
    """Both functions are ``index.handler``: each keeps its own ``index`` module between calls,
    and sees only its own environment."""
    first, second = (_call(api, "GET", "/items")[2] for _ in range(2))
    assert (first["fn"], first["greeting"], second["calls"] - first["calls"]) == (
        "echo",
        "hello",
        1,
    )
    other = _call(api, "GET", "/items/special")[2]
    assert (other["fn"], other["greeting"]) == ("other", None)
    assert _call(api, "GET", "/items/special")[2]["calls"] == other["calls"] + 1
    assert "index" not in sys.modules and "GREETING" not in os.environ
    assert os.environ.get("AWS_LAMBDA_FUNCTION_NAME") is None


def test_boto3_in_a_handler_reaches_the_emulator_with_dummy_credentials(
    api: LocalRestApi, cloud: LocalCloud
) -> None:
    body = _call(api, "GET", "/items")[2]
    assert (body["account"], body["endpoint"], body["key"]) == (
        ACCOUNT,
        cloud.endpoint_url,
        "testing",
    )
    assert body["function"].startswith(f"{STACK}-Echo")
    assert 0 < body["remaining_ms"] <= 10_000


def test_proxy_results_headers_and_multi_value_headers(api: LocalRestApi) -> None:
    status, headers, _ = _call(api, "GET", "/items")
    assert status == 200
    assert headers["x-fn"] == ["echo"] and headers["set-cookie"] == ["a=1", "b=2"]
    assert headers["content-type"] == ["application/json"] and headers["x-amzn-requestid"]


def test_lambda_errors_malformed_results_and_timeouts(api: LocalRestApi) -> None:
    before = len(api.invocations)
    for path, status, message in (
        ("/boom", 502, "Internal server error"),
        ("/bad", 502, "Internal server error"),
        ("/slow", 504, "Endpoint request timed out"),
    ):
        answer = _call(api, "GET", path)
        assert (answer[0], answer[2]) == (status, {"message": message}), path
    boom, bad, slow = api.invocations[before:]
    assert boom.status == 502 and boom.error and "RuntimeError: boom" in boom.error
    assert bad.error and "malformed" in bad.error
    assert slow.status == 504 and slow.error is None and slow.seconds >= 0.2


def test_a_function_that_does_not_allow_api_gateway_is_not_invoked(api: LocalRestApi) -> None:
    before = len(api.invocations)
    assert _call(api, "GET", "/locked")[:3:2] == (500, {"message": "Internal server error"})
    assert len(api.invocations) == before


def test_an_unsupported_runtime_or_a_bad_handler_is_refused(tmp_path: Path) -> None:
    java = LocalFunction(
        "f", "arn", "example.Handler::handle", tmp_path, {}, "http://x", "us-east-1", "java21"
    )
    with pytest.raises(LambdaRuntimeError, match=r"java21 cannot run here"):
        java.invoke({})
    missing = LocalFunction("f", "arn", "nowhere.handler", tmp_path, {}, "http://x", "us-east-1")
    with pytest.raises(LambdaRuntimeError, match="cannot import 'nowhere'"):
        missing.invoke({})


def test_layers_come_after_the_code_and_stay_in_their_function(tmp_path: Path) -> None:
    """As in Lambda: the asset root first, then each layer's python/ directory (/opt/python)."""
    code, layer = tmp_path / "code", tmp_path / "layer" / "python"
    (layer / "layered_helpers").mkdir(parents=True)
    (layer / "layered_helpers" / "__init__.py").write_text("WHERE = 'layer'\n")
    code.mkdir()
    (code / "app.py").write_text(
        "from layered_helpers import WHERE\n\ndef handler(event, context):\n    return WHERE\n"
    )
    function = LocalFunction(
        "f", "arn", "app.handler", code, {}, "http://x", "us-east-1", layer_dirs=(layer,)
    )
    assert function.invoke({}) == "layer"
    assert "layered_helpers" not in sys.modules and str(layer) not in sys.path
    without = LocalFunction("g", "arn", "app.handler", code, {}, "http://x", "us-east-1")
    with pytest.raises(LambdaRuntimeError, match="No module named 'layered_helpers'"):
        without.invoke({})


# ---- validation and MOCK integrations ----------------------------------------------------------


def test_required_parameters_and_bodies_are_validated_before_the_lambda(
    api: LocalRestApi,
) -> None:
    before = len(api.invocations)
    json_type = {"Content-Type": "application/json"}
    no_mode = _call(api, "POST", "/items", {"name": "a"}, **json_type)
    blank_mode = _call(api, "POST", "/items?mode=%20", {"name": "a"}, **json_type)
    assert blank_mode[:3:2] == no_mode[:3:2]  # "included and not blank"
    assert (no_mode[0], no_mode[2]) == (
        400,
        {"message": "Missing required request parameters: [mode]"},
    )
    for body in ({}, {"name": ""}, {"name": "a", "x": 1}, {"name": "a", "size": "xl"}, "[1"):
        answer = _call(api, "POST", "/items?mode=fast", body, **json_type)
        assert (answer[0], answer[2]) == (400, {"message": "Invalid request body"}), body
    assert len(api.invocations) == before
    ok = _call(
        api, "POST", "/items?mode=fast", {"name": "a", "size": "m", "tags": ["x"]}, **json_type
    )
    assert ok[0] == 200 and len(api.invocations) == before + 1


def test_mock_integration_answers_the_preflight(api: LocalRestApi) -> None:
    status, headers, body = _call(api, "OPTIONS", "/items")
    assert (status, body) == (204, None)
    assert headers["access-control-allow-origin"] == ["*"]
    assert headers["access-control-allow-methods"] == ["GET,POST"]


def test_closing_stops_the_server_and_joins_its_threads(cloud: LocalCloud, root: Path) -> None:
    servers = _live_threads("petplatform-localapi")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        second = LocalRestApi(cloud, root, stage="test", port=port).start()
    with second:
        url = second.url
        assert not url.startswith(f"http://127.0.0.1:{port}/")  # a taken port: a free one
        assert _live_threads("petplatform-localapi") == servers + 1
        assert _call(second, "GET", "/items/special")[0] == 201
    assert _live_threads("petplatform-localapi") == servers
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/items", timeout=2)
    with pytest.raises(RuntimeError, match="not started"):
        _ = second.url


def _live_threads(name: str) -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == name and thread.is_alive())


def test_cognito_claims_are_flattened_to_strings() -> None:
    claims = cognito_claims(
        {"sub": "u-1", "cognito:groups": ["admin", "staff"], "exp": 0, "email_verified": True}
    )
    assert claims == {
        "sub": "u-1",
        "cognito:groups": "admin,staff",
        "exp": "Thu Jan 01 00:00:00 UTC 1970",
        "email_verified": "true",
    }


# ---- the JSON-schema validator ------------------------------------------------------------------

DOG = {
    "type": "object",
    "required": ["name", "breed"],
    "additionalProperties": False,
    "definitions": {"phone": {"type": "string", "pattern": "^[+0-9 ]{3,20}$"}},
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 5},
        "breed": {"type": "string"},
        "age": {"type": "integer", "minimum": 0, "maximum": 30},
        "weight": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "multipleOf": 0.5},
        "size": {"enum": ["small", "large"]},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2, "uniqueItems": True},
        "contact": {"$ref": "#/definitions/phone"},
        "address": {
            "type": "object",
            "required": ["zip"],
            "properties": {"zip": {"type": ["string", "null"], "maxLength": 10}},
        },
        "chip": {"anyOf": [{"type": "null"}, {"type": "string", "minLength": 15}]},
        "mode": {"oneOf": [{"type": "integer"}, {"type": "number", "maximum": 1}]},
        "nick": {"not": {"enum": ["bad"]}},
    },
}
VALID = {"name": "Rex", "breed": "pug"}


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"age": 3},
        {"age": 3.0},
        {"weight": 2.5},
        {"size": "large"},
        {"tags": ["a", "b"]},
        {"contact": "+1 555"},
        {"address": {"zip": None}},
        {"chip": None},
        {"chip": "123456789012345"},
        {"mode": 0.5},
        {"nick": "good"},
    ],
)
def test_valid_documents_pass(extra: Json) -> None:
    assert validate({**VALID, **extra}, DOG) == []


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"name": "Rex"}, "missing required property 'breed'"),
        ({**VALID, "colour": "red"}, "property 'colour' is not allowed"),
        ({**VALID, "name": ""}, "at least 1 characters"),
        ({**VALID, "name": "Maximilian"}, "at most 5 characters"),
        ({**VALID, "age": 3.5}, "expected integer, got number"),
        ({**VALID, "age": True}, "expected integer, got boolean"),
        ({**VALID, "age": 31}, "must be <= 30"),
        ({**VALID, "weight": 0}, "must be > 0"),
        ({**VALID, "weight": 0.7}, "multiple of 0.5"),
        ({**VALID, "size": "tiny"}, "must be one of"),
        ({**VALID, "tags": ["a", "a"]}, "items must be unique"),
        ({**VALID, "tags": ["a", 1]}, "$.tags[1]: expected string"),
        ({**VALID, "tags": ["a", "b", "c"]}, "at most 2 items"),
        ({**VALID, "contact": "x"}, "must match"),
        ({**VALID, "address": {}}, "$.address: missing required property 'zip'"),
        ({**VALID, "address": {"zip": 12345}}, "$.address.zip: expected string or null"),
        ({**VALID, "chip": "short"}, "anyOf"),
        ({**VALID, "mode": 1}, "exactly one schema of oneOf (matched 2)"),
        ({**VALID, "nick": "bad"}, "must not match"),
        ([VALID], "expected object, got array"),
    ],
)
def test_invalid_documents_name_the_problem(document: object, problem: str) -> None:
    errors = validate(document, DOG)
    assert errors and any(problem in e for e in errors), errors


def test_model_references_resolve_through_the_api_and_unknown_ones_fail() -> None:
    schema = {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Size"}
    sizes = {"Size": {"enum": ["s", "m"]}}
    assert validate("s", schema, resolve=sizes.__getitem__) == []
    assert validate("x", schema, resolve=sizes.__getitem__)
    with pytest.raises(SchemaError, match="unresolvable"):
        validate("s", {"$ref": "#/definitions/nothing"})
