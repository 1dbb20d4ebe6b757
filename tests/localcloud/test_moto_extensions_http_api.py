"""``moto_extensions.apigatewayv2``: an HTTP API and its children from a hand-written template,
read back through the API Gateway v2 API, with a custom domain's attributes, then deleted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from localcloud_templates import ACCOUNT, Json, join, write_assembly

from petplatform_localcloud import LocalCloud, deploy, destroy

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


def test_http_api_deploys_reads_back_and_is_deleted(cloud: LocalCloud, assembly: Path) -> None:
    report = deploy(cloud, assembly)
    outputs = report.stacks[0].outputs
    v2 = cloud.client("apigatewayv2", region="us-west-2")
    api_id = outputs["ApiId"]
    (api,) = v2.get_apis()["Items"]
    assert (api["ApiId"], api["Name"], api["ProtocolType"]) == (api_id, "items", "HTTP")
    assert outputs["Endpoint"] == f"https://{api_id}.execute-api.us-west-2.amazonaws.com"
    (route,) = v2.get_routes(ApiId=api_id)["Items"]
    (integration,) = v2.get_integrations(ApiId=api_id)["Items"]
    assert route["RouteKey"] == "GET /items/{id}"
    assert route["AuthorizationType"] == "JWT"
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    assert (integration["IntegrationUri"], integration["PayloadFormatVersion"]) == (
        FUNCTION_ARN,
        "2.0",
    )
    assert [s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]] == ["$default"]
    assert outputs["Regional"].endswith(".execute-api.us-west-2.amazonaws.com")
    assert outputs["Zone"] == "Z2OJLYMUO9EFXC"
    assert outputs["Mapping"]
    destroy(cloud, assembly)
    assert v2.get_apis()["Items"] == []
