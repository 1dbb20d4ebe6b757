"""The runtime helpers handlers use, and the runtime layer that ships them to Lambda.

``petplatform_constructs.runtime`` is standard-library code for handlers. ServerlessApi adds it to
every Python function as a layer, importable there as ``petplatform_runtime``; the local cloud
puts that layer on the handler's path as Lambda does.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import FileSystem, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from petplatform_constructs.compute.serverless_api import (
    RUNTIME_LAYER_ID,
    ApiKind,
    FunctionSpec,
    RouteSpec,
    ServerlessApi,
    runtime_layer_directory,
)
from petplatform_constructs.runtime import auth
from petplatform_constructs.testing import SynthResult, find_resources

Synth = Callable[..., SynthResult]

CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
NODE_CODE = Path(__file__).parent / "fixtures" / "runtimes" / "node"
ORIGIN = "https://app.dogcare.example"
FUNCTION = "AWS::Lambda::Function"
LAYER = "AWS::Lambda::LayerVersion"


def build_layered(stack: Stack) -> None:
    """Two APIs in one stack: Python functions with and without the layer, and a Node one."""
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", "us-east-1_DogCare1")
    ServerlessApi(
        stack,
        "Rest",
        user_pool=pool,
        functions=[
            FunctionSpec("py", CODE),
            FunctionSpec("node", NODE_CODE, runtime=lambda_.Runtime.NODEJS_22_X),
        ],
        routes=[RouteSpec("GET", "/py", "py"), RouteSpec("GET", "/node", "node")],
    )
    ServerlessApi(
        stack,
        "Http",
        kind=ApiKind.HTTP,
        user_pool=pool,
        jwt_audience=["client"],
        functions=[FunctionSpec("http-py", CODE, architecture=lambda_.Architecture.ARM_64)],
        routes=[RouteSpec("GET", "/py", "http-py")],
    )
    ServerlessApi(
        stack,
        "Bare",
        user_pool=pool,
        runtime_layer=False,
        functions=[FunctionSpec("bare", CODE, runtime=lambda_.Runtime.PYTHON_3_8)],
        routes=[RouteSpec("GET", "/bare", "bare")],
    )


@pytest.fixture(scope="module")
def layered(stack_synth: Synth) -> SynthResult:
    return stack_synth("serverless-api-layered", build_layered)


def _layers(template: dict[str, Any]) -> dict[str, object]:
    return {
        function["Metadata"]["aws:cdk:path"].split("/")[2]: function["Properties"].get("Layers")
        for function in find_resources(template, FUNCTION).values()
    }


# -- the layer ---------------------------------------------------------------------------------


def test_one_layer_per_stack_for_every_python_function(layered: SynthResult) -> None:
    template = layered.template_json("Test")
    layers = find_resources(template, LAYER)
    assert [layer["Metadata"]["aws:cdk:path"] for layer in layers.values()] == [
        f"Test/{RUNTIME_LAYER_ID}/Resource"
    ]
    (layer_id,) = layers
    assert _layers(template) == {
        "Function-py": [{"Ref": layer_id}],
        "Function-node": None,  # not a Python runtime
        "Function-http-py": [{"Ref": layer_id}],
        "Function-bare": None,  # runtime_layer=False
    }
    Template.from_json(template).has_resource_properties(
        LAYER,
        {
            "CompatibleRuntimes": [f"python3.{minor}" for minor in range(9, 15)],
            "CompatibleArchitectures": ["x86_64", "arm64"],
            "Content": {"S3Bucket": Match.any_value(), "S3Key": Match.string_like_regexp("zip$")},
        },
    )
    assert layered.findings == []


def test_the_layer_holds_the_runtime_package_under_python(layered: SynthResult) -> None:
    layer = next(iter(find_resources(layered.template_json("Test"), LAYER).values()))
    asset_hash = layer["Properties"]["Content"]["S3Key"].removesuffix(".zip")
    asset = Path(str(layered.outdir)) / f"asset.{asset_hash}"
    shipped = sorted(str(p.relative_to(asset)) for p in asset.rglob("*") if p.is_file())
    source = Path(auth.__file__).parent
    assert shipped == sorted(f"python/petplatform_runtime/{p.name}" for p in source.glob("*.py"))
    assert (asset / "python/petplatform_runtime/auth.py").read_text() == Path(
        auth.__file__
    ).read_text()


def test_the_layer_asset_hash_depends_on_the_code_only() -> None:
    another = runtime_layer_directory.__wrapped__()  # a second staging, in another directory
    assert another != runtime_layer_directory()
    assert FileSystem.fingerprint(str(another)) == FileSystem.fingerprint(
        str(runtime_layer_directory())
    )


def _imported_modules(code: str, *flags: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    run = subprocess.run(
        [sys.executable, *flags, "-c", script], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(run.stdout)
    return loaded


def test_importing_the_runtime_helpers_loads_no_aws_cdk() -> None:
    loaded = _imported_modules("import petplatform_constructs.runtime.auth")
    assert [m for m in loaded if m.startswith(("aws_cdk", "jsii", "constructs"))] == []
    assert [m for m in loaded if m.startswith("petplatform_constructs")] == [
        "petplatform_constructs",
        "petplatform_constructs.__about__",
        "petplatform_constructs.runtime",
        "petplatform_constructs.runtime.auth",
    ]


def test_the_layer_package_needs_only_the_standard_library() -> None:
    """As in Lambda: the layer's python/ directory on the path, no site-packages at all."""
    python = str(runtime_layer_directory() / "python")
    code = f"sys.path.insert(0, {python!r})\nimport petplatform_runtime.auth"
    loaded = _imported_modules(code, "-I", "-S")
    assert "petplatform_runtime.auth" in loaded
    assert [m for m in loaded if m.startswith(("aws_cdk", "petplatform_constructs"))] == []


# -- the helpers -----------------------------------------------------------------------------


def _rest_event(groups: str | None = "admin,staff", sub: str | None = "user-1") -> dict[str, Any]:
    claims = {k: v for k, v in {"sub": sub, "cognito:groups": groups}.items() if v is not None}
    return {
        "resource": "/admin/owners",
        "httpMethod": "GET",
        "headers": {"Origin": ORIGIN},
        "requestContext": {"authorizer": {"claims": claims}},
    }


def _http_event(groups: str | list[str] | None = "[admin staff]") -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": "user-2"}
    if groups is not None:
        claims["cognito:groups"] = groups
    return {
        "routeKey": "GET /admin/accounts",
        "headers": {"origin": "https://evil.example"},
        "requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": None}}},
    }


@pytest.mark.checklist("001#40")
def test_runtime_reads_verified_claims_from_both_payload_versions() -> None:
    assert auth.caller_id(_rest_event()) == "user-1"
    assert auth.caller_id(_http_event()) == "user-2"
    assert auth.caller_id({"requestContext": {}}) is None
    assert auth.groups(_rest_event()) == {"admin", "staff"}
    assert auth.groups(_http_event()) == {"admin", "staff"}
    assert auth.groups(_http_event(["admin"])) == {"admin"}
    assert auth.groups(_http_event("[admin, staff]")) == {"admin", "staff"}
    assert auth.groups(_rest_event(groups="super-admin")) == {"super-admin"}
    assert auth.route_key(_rest_event()) == "GET /admin/owners"
    assert auth.route_key(_http_event()) == "GET /admin/accounts"


def test_runtime_require_group_answers_403_and_401() -> None:
    auth.require_group(_rest_event(), "admin")
    with pytest.raises(auth.AccessDeniedError) as denied:
        auth.require_group(_rest_event(groups="super-admin"), "admin")
    assert denied.value.status_code == 403
    response = denied.value.to_response()
    assert response["statusCode"] == 403
    assert "admin" in json.loads(str(response["body"]))["message"]
    with pytest.raises(auth.AccessDeniedError) as anonymous:
        auth.require_group({"requestContext": {}}, "admin")
    assert anonymous.value.status_code == 401


def test_runtime_enforces_the_groups_serverless_api_declared() -> None:
    environ = {auth.ROUTE_GROUPS_ENV: json.dumps({"GET /admin/accounts": "admin"})}
    auth.require_route_group(_http_event(), environ)
    with pytest.raises(auth.AccessDeniedError):
        auth.require_route_group(_http_event("[staff]"), environ)
    auth.require_route_group(_rest_event(groups=None), environ)  # another route: no group
    with pytest.raises(ValueError, match="JSON object"):
        auth.require_route_group(_http_event(), {auth.ROUTE_GROUPS_ENV: "[]"})


def test_runtime_cors_headers_echo_only_allowed_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {auth.CORS_ORIGINS_ENV: f"{ORIGIN},http://localhost:3000"}
    assert auth.cors_headers(_rest_event(), environ) == {
        "Access-Control-Allow-Origin": ORIGIN,
        "Vary": "Origin",
    }
    assert auth.cors_headers(_http_event(), environ) == {}
    assert auth.cors_headers(None, {auth.CORS_ORIGINS_ENV: "*"}) == {
        "Access-Control-Allow-Origin": "*"
    }
    monkeypatch.setenv(auth.CORS_ORIGINS_ENV, ORIGIN)
    response = auth.json_response(201, {"id": "dog-1"}, _rest_event())
    assert response["statusCode"] == 201
    assert response["headers"] == {
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": ORIGIN,
        "Vary": "Origin",
    }


def test_runtime_module_needs_only_the_standard_library() -> None:
    tree = ast.parse(Path(auth.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert all(name.split(".")[0] in sys.stdlib_module_names for name in imported), imported
