"""``moto_extensions.apigatewayv2`` and Lambda versions and aliases: an HTTP API and its children
from a hand-written template, read back through the service APIs, served by ``LocalHttpApi``
through a function alias, then deleted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from localcloud_templates import ACCOUNT, LAMBDA_ROLE, Json, join, write_assembly

from petplatform_localcloud import LocalCloud, LocalHttpApi, deploy, destroy

pytestmark = pytest.mark.localcloud

STACK = "HttpApiExt"
FUNCTION_ARN = f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:items"
ISSUER = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Example1"


def _template() -> Json:
    api = {"Ref": "Api"}
    return {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Name": "items", "ProtocolType": "HTTP", "Tags": {"team": "x"}},
            },
            "Stage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {"ApiId": api, "StageName": "$default", "AutoDeploy": True},
            },
            "Authorizer": {
                "Type": "AWS::ApiGatewayV2::Authorizer",
                "Properties": {
                    "ApiId": api,
                    "AuthorizerType": "JWT",
                    "Name": "jwt",
                    "IdentitySource": ["$request.header.Authorization"],
                    "JwtConfiguration": {"Audience": ["client-1"], "Issuer": ISSUER},
                },
            },
            "Integration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": api,
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": FUNCTION_ARN,
                    "PayloadFormatVersion": "2.0",
                    "TimeoutInMillis": 29000,
                },
            },
            "Route": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": api,
                    "RouteKey": "GET /items/{id}",
                    "AuthorizationType": "JWT",
                    "AuthorizerId": {"Ref": "Authorizer"},
                    "Target": join("integrations/", {"Ref": "Integration"}),
                },
            },
            "Role": LAMBDA_ROLE,
            "Echo": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": "echo",
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
                },
            },
            "Version": {
                "Type": "AWS::Lambda::Version",
                "Properties": {"FunctionName": {"Ref": "Echo"}},
            },
            "Alias": {
                "Type": "AWS::Lambda::Alias",
                "Properties": {
                    "FunctionName": {"Ref": "Echo"},
                    "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]},
                    "Name": "live",
                },
            },
            "AliasPermission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Ref": "Alias"},
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": join(
                        f"arn:aws:execute-api:us-west-2:{ACCOUNT}:", api, "/*/*/open"
                    ),
                },
            },
            "OpenIntegration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": api,
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": {"Ref": "Alias"},
                    "PayloadFormatVersion": "2.0",
                },
            },
            "OpenRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": api,
                    "RouteKey": "GET /open",
                    "Target": join("integrations/", {"Ref": "OpenIntegration"}),
                },
            },
            "LegacyPermission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Ref": "Alias"},
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": join(
                        f"arn:aws:execute-api:us-west-2:{ACCOUNT}:", api, "/*/*/legacy"
                    ),
                },
            },
            "LegacyIntegration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": api,
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": {"Ref": "Alias"},
                    "PayloadFormatVersion": "1.0",
                },
            },
            "LegacyRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": api,
                    "RouteKey": "GET /legacy",
                    "Target": join("integrations/", {"Ref": "LegacyIntegration"}),
                },
            },
            "Domain": {
                "Type": "AWS::ApiGatewayV2::DomainName",
                "Properties": {
                    "DomainName": "api.example.com",
                    "DomainNameConfigurations": [
                        {"CertificateArn": "arn:aws:acm:us-west-2:1:certificate/x"}
                    ],
                },
            },
            "Mapping": {
                "Type": "AWS::ApiGatewayV2::ApiMapping",
                "Properties": {"ApiId": api, "DomainName": {"Ref": "Domain"}, "Stage": "$default"},
                "DependsOn": ["Stage"],
            },
        },
        "Outputs": {
            "ApiId": {"Value": api},
            "Endpoint": {"Value": {"Fn::GetAtt": ["Api", "ApiEndpoint"]}},
            "Regional": {"Value": {"Fn::GetAtt": ["Domain", "RegionalDomainName"]}},
            "Zone": {"Value": {"Fn::GetAtt": ["Domain", "RegionalHostedZoneId"]}},
            "Mapping": {"Value": {"Ref": "Mapping"}},
            "Alias": {"Value": {"Ref": "Alias"}},
            "Version": {"Value": {"Fn::GetAtt": ["Version", "Version"]}},
        },
    }


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_assembly(tmp_path_factory.mktemp("http-api-ext"), STACK, _template())
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["artifacts"][STACK]["environment"] = f"aws://{ACCOUNT}/us-west-2"  # a regional API
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(account_id=ACCOUNT, log=None) as started:
        yield started


def test_http_api_deploys_reads_back_serves_through_an_alias_and_is_deleted(
    cloud: LocalCloud, assembly: Path
) -> None:
    report = deploy(cloud, assembly)
    outputs = report.stacks[0].outputs
    v2 = cloud.client("apigatewayv2", region="us-west-2")
    api_id = outputs["ApiId"]
    (api,) = v2.get_apis()["Items"]
    assert (api["ApiId"], api["Name"], api["ProtocolType"]) == (api_id, "items", "HTTP")
    assert outputs["Endpoint"] == f"https://{api_id}.execute-api.us-west-2.amazonaws.com"
    routes = {r["RouteKey"]: r for r in v2.get_routes(ApiId=api_id)["Items"]}
    integrations = {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=api_id)["Items"]}
    route = routes["GET /items/{id}"]
    assert route["AuthorizationType"] == "JWT"
    integration = integrations[route["Target"].removeprefix("integrations/")]
    assert (integration["IntegrationUri"], integration["PayloadFormatVersion"]) == (
        FUNCTION_ARN,
        "2.0",
    )
    assert [s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]] == ["$default"]
    assert outputs["Regional"].endswith(".execute-api.us-west-2.amazonaws.com")
    assert outputs["Zone"] == "Z2OJLYMUO9EFXC"
    assert outputs["Mapping"]
    # The alias exists in the Lambda backend, on the published version.
    lam = cloud.client("lambda", region="us-west-2")
    alias = lam.get_alias(FunctionName="echo", Name="live")
    assert (alias["AliasArn"], alias["FunctionVersion"]) == (outputs["Alias"], outputs["Version"])
    with LocalHttpApi(cloud, assembly, region="us-west-2") as served:
        with urlopen(f"{served.url}/open?q=1", timeout=30) as answer:
            event = json.loads(answer.read())
        assert (event["routeKey"], event["rawQueryString"]) == ("GET /open", "q=1")
        with pytest.raises(HTTPError) as refused:
            urlopen(f"{served.url}/items/1", timeout=30)
        assert refused.value.code == 401
        # Payload format 1.0 is not emulated: a 500, never a 2.0 event in its place.
        with pytest.raises(HTTPError) as legacy:
            urlopen(f"{served.url}/legacy", timeout=30)
        assert legacy.value.code == 500
        assert [i.function for i in served.invocations] == ["echo"]  # /open only
    destroy(cloud, assembly)
    assert v2.get_apis()["Items"] == []
