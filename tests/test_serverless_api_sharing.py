"""ServerlessApi: one HTTP API shared by several stacks, its custom domain, and aliases with
provisioned concurrency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito

from petplatform_constructs import Naming, PropError, Stage, use_naming, use_stage_profile
from petplatform_constructs.compute.serverless_api import (
    ApiKind,
    FunctionSpec,
    RouteSpec,
    ServerlessApi,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth

CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
ENV = Environment(account="123456789012", region="us-west-2")
CERT = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
EAST_CERT = CERT.replace("us-west-2", "us-east-1")
POOL_ID = "us-west-2_Shared1"


def _stack(app: Any, id: str) -> Stack:
    stack = Stack(app, id, env=ENV)
    use_stage_profile(stack, Stage.DEV)
    use_naming(stack, Naming.service_stage_resource("shared", Stage.DEV))
    return stack


def _build(app: Any) -> None:
    gateway = _stack(app, "Gateway")
    pool = cognito.UserPool.from_user_pool_id(gateway, "Pool", POOL_ID)
    api = ServerlessApi(
        gateway,
        "Api",
        kind=ApiKind.HTTP,
        user_pool=pool,
        jwt_audience=["client"],
        functions=[FunctionSpec("health", CODE, provisioned_concurrency=2)],
        routes=[RouteSpec("GET", "/health", "health", authorization="none")],
        cors_origins=["https://app.example.com"],
        cors_allow_methods=["POST", "put"],
        domain_name="api.example.com",
        certificate=acm.Certificate.from_certificate_arn(gateway, "Cert", CERT),
        alias_name="live",
        export_prefix="shared-dev-Api",
    )
    assert api.http_api is not None
    users = _stack(app, "Users")
    ServerlessApi(
        users,
        "Api",
        existing_http_api=api.http_api,
        existing_authorizer=api.authorizer,  # type: ignore[arg-type]
        functions=[FunctionSpec("getUsers", CODE)],
        routes=[RouteSpec("GET", "/users", "getUsers")],
        alias_name="live",
    )


@pytest.fixture(scope="module")
def result(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("serverless-api-sharing",), lambda: synth(make_app(), _build))


def test_routes_of_another_stack_use_the_shared_api_and_authorizer(result: SynthResult) -> None:
    users = result.template_json("Users")["Resources"]
    (route,) = [r for r in users.values() if r["Type"] == "AWS::ApiGatewayV2::Route"]
    props = route["Properties"]
    assert props["RouteKey"] == "GET /users"
    assert props["AuthorizationType"] == "JWT"
    assert "Fn::ImportValue" in props["ApiId"] and "Fn::ImportValue" in props["AuthorizerId"]
    types = {r["Type"] for r in users.values()}
    assert "AWS::ApiGatewayV2::Api" not in types and "AWS::ApiGatewayV2::Stage" not in types
    assert "AWS::Logs::LogGroup" in types  # the function's own
    artifacts = json.loads((result.outdir / "manifest.json").read_text())["artifacts"]
    assert [d for d in artifacts["Users"]["dependencies"] if d in artifacts and not
            d.endswith(".assets")] == ["Gateway"]  # fmt: skip


def test_the_creating_api_has_the_authorizer_even_without_a_protected_route(
    result: SynthResult,
) -> None:
    template = result.template("Gateway")
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "JwtConfiguration": {
                "Issuer": f"https://cognito-idp.us-west-2.amazonaws.com/{POOL_ID}",
                "Audience": ["client"],
            },
        },
    )
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {"CorsConfiguration": {"AllowMethods": ["GET", "POST", "PUT"]}},
    )


def test_regional_custom_domain_with_tls_1_2_mapped_to_the_stage(result: SynthResult) -> None:
    template = result.template("Gateway")
    template.has_resource_properties(
        "AWS::ApiGatewayV2::DomainName",
        {
            "DomainName": "api.example.com",
            "DomainNameConfigurations": [
                {"CertificateArn": CERT, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}
            ],
        },
    )
    template.resource_count_is("AWS::ApiGatewayV2::ApiMapping", 1)
    template.has_output("*", {"Export": {"Name": "shared-dev-Api-DomainName"}})


def test_alias_with_provisioned_concurrency_is_what_the_api_calls(result: SynthResult) -> None:
    for stack in ("Gateway", "Users"):
        resources = result.template_json(stack)["Resources"]
        aliases = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Alias"]
        versions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Version"]
        assert len(aliases) == len(versions) == 1
        (alias,) = aliases
        assert alias["Properties"]["Name"] == "live"
        pc = alias["Properties"].get("ProvisionedConcurrencyConfig")
        assert pc == ({"ProvisionedConcurrentExecutions": 2} if stack == "Gateway" else None)
        (integration,) = [
            r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Integration"
        ]
        alias_id = next(k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Alias")
        assert integration["Properties"]["IntegrationUri"] == {"Ref": alias_id}


def _problems(**props: Any) -> list[str]:
    app = make_app()
    stack = _stack(app, "Bad")
    kwargs: dict[str, Any] = {
        "functions": [FunctionSpec("echo", CODE)],
        "routes": [RouteSpec("GET", "/echo", "echo", authorization="none")],
        **props,
    }
    with pytest.raises(PropError) as raised:
        ServerlessApi(stack, "Api", **kwargs)
    error = raised.value
    return [str(e) for e in (error.errors if isinstance(error, PropErrors) else [error])]


def test_a_shared_api_refuses_props_of_the_api_itself_and_rest() -> None:
    app = make_app()
    owner = _stack(app, "Owner")
    api = ServerlessApi(
        owner,
        "Api",
        kind=ApiKind.HTTP,
        functions=[FunctionSpec("echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "echo", authorization="none")],
    )
    stack = _stack(app, "Other")
    with pytest.raises(PropErrors) as raised:
        ServerlessApi(
            stack,
            "Api",
            existing_http_api=api.http_api,  # type: ignore[typeddict-item]
            kind=ApiKind.REST,
            cors_origins=["https://app.example.com"],
            throttling_rate_limit=5,
            functions=[FunctionSpec("other", CODE)],
            routes=[RouteSpec("GET", "/other", "other")],
        )
    messages = "\n".join(str(e) for e in raised.value.errors)
    assert "remove cors_origins, throttling_rate_limit or drop existing_http_api" in messages
    assert "kind='REST'; ApiKind.HTTP" in messages
    assert "routes[GET /other]" in messages  # a cognito route without existing_authorizer


def test_domain_alias_and_provisioned_concurrency_rules_all_at_once() -> None:
    messages = "\n".join(
        _problems(
            kind=ApiKind.HTTP,
            domain_name="API.example.com",
            certificate=acm.Certificate.from_certificate_arn(
                Stack(make_app(), "C"), "Cert", EAST_CERT
            ),
            alias_name="123",
            functions=[FunctionSpec("echo", CODE, provisioned_concurrency=0)],
        )
    )
    assert "domain_name='API.example.com'; a lowercase DNS name" in messages
    assert "an ACM certificate in the API's region (us-west-2)" in messages
    assert "alias_name='123'; 1-128 letters" in messages
    assert "functions[echo].provisioned_concurrency=0; at least 1" in messages


def test_provisioned_concurrency_needs_an_alias_and_a_domain_its_certificate() -> None:
    messages = "\n".join(
        _problems(
            kind=ApiKind.HTTP,
            domain_name="api.example.com",
            functions=[FunctionSpec("echo", CODE, provisioned_concurrency=1)],
        )
    )
    assert "provisioned_concurrency=1; needs alias_name" in messages
    assert "domain_name and certificate go together" in messages
