"""ServerlessApi: REST and HTTP APIs in front of least-privilege Lambda functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match, Template

from petplatform_constructs import (
    DataTable,
    IndexSpec,
    Naming,
    ResourceKind,
    Stage,
    StageProfile,
)
from petplatform_constructs.compute.serverless_api import (
    ApiKind,
    FunctionSpec,
    RouteSpec,
    ServerlessApi,
    TableAccess,
    WafRules,
)
from petplatform_constructs.compute.serverless_api.runtimes import latest_runtime_of_family
from petplatform_constructs.testing import SynthResult, find_resources, resource_named

Synth = Callable[..., SynthResult]

CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
POOL_ID = "us-east-1_DogCare1"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dogcare/payment-api-key-AbCdEf"
SHARED_ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/11111111-2222-3333"
ORIGIN = "https://app.dogcare.example"

METHOD = "AWS::ApiGateway::Method"
FUNCTION = "AWS::Lambda::Function"
LOG_GROUP = "AWS::Logs::LogGroup"
POLICY = "AWS::IAM::Policy"

DOG = {
    "title": "Dog",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "breed": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "size": {"type": "string"},
        "vaccination_status": {"type": "string"},
        "special_needs": {"type": "array", "items": {"type": "string"}},
        "emergency_contact": {"type": "string"},
    },
    "required": ["name", "breed"],
    "additionalProperties": False,
}
ADDRESS = {
    "type": "object",
    "properties": {k: {"type": "string"} for k in ("street", "city", "state", "zip")},
}
OWNER = {
    "title": "Owner",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "email": {"type": "string"},
        "phone": {"type": "string"},
        "address": ADDRESS,
    },
}
PAYMENT = {
    "title": "Payment",
    "type": "object",
    "properties": {"booking_id": {"type": "string"}, "amount": {"type": "number"}},
    "required": ["booking_id", "amount"],
}

BUILT: dict[str, ServerlessApi] = {}


# -- builders (one synthesis each per stage, shared by the session) ---------------------------


def _stage(stack: Stack) -> str:
    return StageProfile.of(stack).stage.value


def _pool(stack: Stack) -> cognito.IUserPool:
    return cognito.UserPool.from_user_pool_id(stack, "Pool", POOL_ID)


def build_rest_full(stack: Stack) -> None:
    """Dog Care's shape: 3 functions, 11 routes, 3 models, tables, a secret, WAF, CORS."""
    key = kms.Key(stack, "TableKey", enable_key_rotation=True)
    dogs = DataTable(
        stack,
        "Dogs",
        name="dogs-table",
        partition_key="id",
        global_indexes=[IndexSpec("owner_id-index", partition_key="owner_id")],
        encryption_key=key,
    )
    owners = dynamodb.TableV2.from_table_attributes(
        stack, "Owners", table_name="owners-table", global_indexes=["email-index"]
    )
    payment_key = secretsmanager.Secret.from_secret_complete_arn(stack, "PaymentKey", SECRET_ARN)
    seed: dict[str, Any] = {
        "runtime": lambda_.Runtime.PYTHON_3_11,
        "memory_mb": 512,
        "timeout": Duration.seconds(30),
    }
    BUILT[f"rest-full-{_stage(stack)}"] = ServerlessApi(
        stack,
        "DogCareApi",
        user_pool=_pool(stack),
        name="api",
        functions=[
            FunctionSpec(
                "dog-management",
                CODE,
                tables={"DOGS_TABLE": dogs},
                architecture=lambda_.Architecture.ARM_64,
                reserved_concurrency=10,
                **seed,
            ),
            FunctionSpec(
                "owner-management",
                CODE,
                tables={"OWNERS_TABLE": owners, "DOGS_TABLE": TableAccess.read(dogs)},
                environment={"LOG_LEVEL": "INFO"},
                **seed,
            ),
            FunctionSpec(
                "payment-processing",
                CODE,
                secrets={"PAYMENT_API_KEY_SECRET_ARN": payment_key},
                **seed,
            ),
        ],
        routes=[
            RouteSpec("GET", "/dogs", "dog-management"),
            RouteSpec("POST", "/dogs", "dog-management", request_model=DOG),
            RouteSpec("GET", "/dogs/{id}", "dog-management"),
            RouteSpec("PUT", "/dogs/{id}", "dog-management", request_model=DOG),
            RouteSpec("DELETE", "/dogs/{id}", "dog-management"),
            RouteSpec("GET", "/owners/profile", "owner-management"),
            RouteSpec("PUT", "/owners/profile", "owner-management", request_model=OWNER),
            RouteSpec(
                "POST",
                "/payments",
                "payment-processing",
                request_model=PAYMENT,
                required_headers=("Idempotency-Key",),
            ),
            RouteSpec("GET", "/payments/{id}", "payment-processing"),
            RouteSpec("GET", "/admin/owners", "owner-management", required_group="admin"),
            RouteSpec("GET", "/health", "dog-management", authorization="none"),
        ],
        cors_origins=[ORIGIN],
        waf=WafRules(
            ip_rate_limit=1000,
            user_rate_limit=300,
            managed_rule_groups=("AWSManagedRulesCommonRuleSet",),
        ),
        export_prefix="PetTest-DogCareApi",
    )


def build_http_full(stack: Stack) -> None:
    """ListBackup's shape: an HTTP API with a JWT authorizer, arm64 functions of 1 GB."""
    prod = StageProfile.of(stack).prod_like
    users = dynamodb.TableV2.from_table_name(stack, "Users", "listbackup-users")
    api_keys = secretsmanager.Secret.from_secret_complete_arn(stack, "ApiKeys", SECRET_ARN)
    sizing: dict[str, Any] = {"memory_mb": 1024, "architecture": lambda_.Architecture.ARM_64}
    BUILT[f"http-full-{_stage(stack)}"] = ServerlessApi(
        stack,
        "Api",
        kind=ApiKind.HTTP,
        user_pool=_pool(stack),
        jwt_audience=["web-client-id", "mobile-client-id"],
        functions=[
            FunctionSpec("getUsers", CODE, tables={"USERS_TABLE": users}, **sizing),
            FunctionSpec(
                "accounts",
                CODE,
                tables={"USERS_TABLE": TableAccess.read(users)},
                secrets={"API_KEYS_SECRET_ARN": api_keys},
                timeout=Duration.seconds(20),
                **sizing,
            ),
            FunctionSpec("auth", CODE, **sizing),
        ],
        routes=[
            RouteSpec("GET", "/users", "getUsers"),
            RouteSpec("GET", "/users/me", "getUsers"),
            RouteSpec("PUT", "/users/me", "getUsers"),
            RouteSpec("GET", "/accounts", "accounts"),
            RouteSpec("POST", "/accounts", "accounts"),
            RouteSpec("GET", "/accounts/{accountId}", "accounts"),
            RouteSpec("GET", "/admin/accounts", "accounts", required_group="admin"),
            RouteSpec("POST", "/auth/login", "auth", authorization="none"),
        ],
        cors_origins=["https://app.listbackup.ai", "http://localhost:3000"],
        throttling_rate_limit=1000 if prod else 100,
        throttling_burst_limit=2000 if prod else 200,
        export_prefix="ListBackup-Api",
    )


def build_defaults(stack: Stack) -> None:
    """The smallest useful instance of each kind: nothing but required props."""
    pool = _pool(stack)
    ServerlessApi(
        stack,
        "Rest",
        user_pool=pool,
        functions=[FunctionSpec("echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "echo")],
    )
    ServerlessApi(  # Lambda function names are unique per account and region
        stack,
        "Http",
        kind=ApiKind.HTTP,
        user_pool=pool,
        jwt_audience=["client-id"],
        functions=[FunctionSpec("http-echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "http-echo")],
    )


def build_variants(stack: Stack) -> None:
    """Less common options: a shared web ACL, no account role, an OIDC issuer, overrides."""
    shared = ServerlessApi(
        stack,
        "Shared",
        user_pool=_pool(stack),
        functions=[FunctionSpec("echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "echo"), RouteSpec("POST", "/", "echo")],
        web_acl_arn=SHARED_ACL,
        cloud_watch_role=False,
        execution_log_level=apigateway.MethodLoggingLevel.ERROR,
        integration_timeout=Duration.seconds(10),
        cors_origins=["*"],
        stage_name="v1",
        stage_profile=StageProfile.for_stage(Stage.PROD),
    )
    # A wildcard the user adds by hand must still be reported (only inherent ones are not).
    shared.functions["echo"].add_to_role_policy(
        iam.PolicyStatement(actions=["s3:ListAllMyBuckets"], resources=["*"])
    )
    ServerlessApi(
        stack,
        "Oidc",
        kind=ApiKind.HTTP,
        jwt_issuer="https://auth.example.com/",
        jwt_audience=["api://default"],
        functions=[FunctionSpec("oidc-echo", CODE)],
        routes=[RouteSpec("GET", "/echo", "oidc-echo")],
        integration_timeout=Duration.seconds(20),
        stage_name="v1",
    )


def _listbackup_naming(stage: str) -> Naming:
    return Naming.service_stage_resource(
        "listbackup",
        stage,
        per_kind={ResourceKind.LAMBDA_FUNCTION: "{service}-api-{stage}-{resource}"},
    )


def _synth(stack_synth: Synth, key: str, stage: str = "dev") -> SynthResult:
    builders = {
        "rest-full": build_rest_full,
        "http-full": build_http_full,
        "defaults": build_defaults,
        "variants": build_variants,
    }
    naming = _listbackup_naming(stage) if key == "http-full" else None
    return stack_synth(f"serverless-api-{key}", builders[key], stage=stage, naming=naming)


def _template(stack_synth: Synth, key: str, stage: str = "dev") -> Template:
    return _synth(stack_synth, key, stage).template("Test")


def _json(stack_synth: Synth, key: str, stage: str = "dev") -> dict[str, Any]:
    return _synth(stack_synth, key, stage).template_json("Test")


def _logical_id(template: dict[str, Any], resource_type: str, name: str) -> str:
    return resource_named(template, resource_type, name)[0]


def _methods(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        lid: r
        for lid, r in find_resources(template, METHOD).items()
        if r["Properties"]["HttpMethod"] != "OPTIONS"
    }


def _policy_of(template: dict[str, Any], function: str) -> dict[str, Any]:
    lid = _logical_id(template, POLICY, f"Function-{function}/Role/DefaultPolicy")
    document: dict[str, Any] = template["Resources"][lid]["Properties"]["PolicyDocument"]
    return document


def _references(value: object) -> set[str]:
    """Logical ids a CloudFormation value refers to (Ref / Fn::GetAtt), recursively."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value:
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for item in value.values():
            found |= _references(item)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item)
    return found


# -- REST: the API ---------------------------------------------------------------------------


@pytest.mark.checklist("001#1")
def test_rest_api_is_one_regional_rest_api_with_a_stage_per_profile(stack_synth: Synth) -> None:
    template = _template(stack_synth, "rest-full")
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    template.resource_count_is("AWS::ApiGatewayV2::Api", 0)
    template.resource_count_is("AWS::ApiGateway::Deployment", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        {"Name": "pettest-dev-api", "EndpointConfiguration": {"Types": ["REGIONAL"]}},
    )
    template.has_resource_properties("AWS::ApiGateway::Stage", {"StageName": "dev"})
    _template(stack_synth, "rest-full", "prod").has_resource_properties(
        "AWS::ApiGateway::Stage", {"StageName": "prod"}
    )


@pytest.mark.checklist("001#5", "001#6", "001#7", "001#8", "001#41")
def test_paths_become_a_resource_tree(stack_synth: Synth) -> None:
    resources = find_resources(_json(stack_synth, "rest-full"), "AWS::ApiGateway::Resource")
    parts = sorted(r["Properties"]["PathPart"] for r in resources.values())
    assert parts == sorted(
        ["dogs", "{id}", "owners", "profile", "payments", "{id}", "admin", "owners", "health"]
    )


@pytest.mark.checklist("001#9", "001#10", "001#11", "001#12", "001#13", "001#24", "001#39")
def test_every_route_is_a_lambda_proxy_method_behind_the_cognito_authorizer(
    stack_synth: Synth,
) -> None:
    template = _json(stack_synth, "rest-full")
    methods = _methods(template)
    assert len(methods) == 11
    authorizer = _logical_id(template, "AWS::ApiGateway::Authorizer", "Authorizer")
    dog_function = _logical_id(template, FUNCTION, "Function-dog-management/Handler")
    get_dogs = [
        m
        for m in methods.values()
        if m["Properties"]["HttpMethod"] == "GET"
        and m["Metadata"]["aws:cdk:path"].endswith("/Api/Default/dogs/GET/Resource")
    ]
    assert len(get_dogs) == 1
    assert dog_function in _references(get_dogs[0]["Properties"]["Integration"]["Uri"])
    for logical_id, method in methods.items():
        props = method["Properties"]
        assert props["Integration"]["Type"] == "AWS_PROXY", logical_id
        if method["Metadata"]["aws:cdk:path"].endswith("/health/GET/Resource"):
            assert props["AuthorizationType"] == "NONE"
            assert "AuthorizerId" not in props
        else:
            assert props["AuthorizationType"] == "COGNITO_USER_POOLS", logical_id
            assert props["AuthorizerId"] == {"Ref": authorizer}
    Template.from_json(template).has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
        },
    )
    providers = next(iter(find_resources(template, "AWS::ApiGateway::Authorizer").values()))
    assert f"userpool/{POOL_ID}" in json.dumps(providers["Properties"]["ProviderARNs"])


@pytest.mark.checklist("001#24")
def test_each_method_may_invoke_only_its_own_function(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    permissions = find_resources(template, "AWS::Lambda::Permission")
    # One scoped permission per method; the console's test-invoke permissions are not created.
    assert len(permissions) == 11
    assert {p["Properties"]["Principal"] for p in permissions.values()} == {
        "apigateway.amazonaws.com"
    }
    functions = {
        _logical_id(template, FUNCTION, f"Function-{name}/Handler")
        for name in ("dog-management", "owner-management", "payment-processing")
    }
    targets = {p["Properties"]["FunctionName"]["Fn::GetAtt"][0] for p in permissions.values()}
    assert targets == functions


@pytest.mark.checklist("001#2")
def test_cors_preflight_on_every_routed_path_and_on_gateway_errors(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    options = [
        m
        for m in find_resources(template, METHOD).values()
        if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert len(options) == 7  # one per routed path
    for method in options:
        props = method["Properties"]
        assert props["AuthorizationType"] == "NONE"
        assert props["Integration"]["Type"] == "MOCK"
        params = props["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert params["method.response.header.Access-Control-Allow-Origin"] == f"'{ORIGIN}'"
        assert "Authorization" in params["method.response.header.Access-Control-Allow-Headers"]
    dogs_id = [
        m for m in options if m["Metadata"]["aws:cdk:path"].endswith("/dogs/{id}/OPTIONS/Resource")
    ]
    allowed = dogs_id[0]["Properties"]["Integration"]["IntegrationResponses"][0][
        "ResponseParameters"
    ]["method.response.header.Access-Control-Allow-Methods"]
    assert allowed == "'GET,PUT,DELETE'"
    responses = find_resources(template, "AWS::ApiGateway::GatewayResponse")
    assert {r["Properties"]["ResponseType"] for r in responses.values()} == {
        "DEFAULT_4XX",
        "DEFAULT_5XX",
    }
    for response in responses.values():
        assert response["Properties"]["ResponseParameters"] == {
            "gatewayresponse.header.Access-Control-Allow-Origin": f"'{ORIGIN}'"
        }


def test_functions_receive_the_allowed_origins_for_their_own_responses(stack_synth: Synth) -> None:
    _template(stack_synth, "rest-full").has_resource_properties(
        FUNCTION,
        {
            "FunctionName": "pettest-dev-payment-processing",
            "Environment": {"Variables": Match.object_like({"CORS_ALLOWED_ORIGINS": ORIGIN})},
        },
    )


@pytest.mark.checklist("001#3", "001#10", "001#12", "001#15", "001#22")
def test_bodies_are_validated_against_json_schema_models(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    validator = _logical_id(template, "AWS::ApiGateway::RequestValidator", "RequestValidator")
    Template.from_json(template).has_resource_properties(
        "AWS::ApiGateway::RequestValidator",
        {"ValidateRequestBody": True, "ValidateRequestParameters": True},
    )
    models = {
        m["Properties"]["Name"]: lid
        for lid, m in find_resources(template, "AWS::ApiGateway::Model").items()
    }
    assert set(models) == {"Dog", "Owner", "Payment"}
    with_body = {
        lid: m for lid, m in _methods(template).items() if "RequestModels" in m["Properties"]
    }
    assert len(with_body) == 4  # POST/PUT /dogs, PUT /owners/profile, POST /payments
    for method in with_body.values():
        props = method["Properties"]
        assert props["HttpMethod"] in {"POST", "PUT"}
        assert props["RequestValidatorId"] == {"Ref": validator}
        assert set(props["RequestModels"]) == {"application/json"}
    without_body = [
        m for m in _methods(template).values() if "RequestModels" not in m["Properties"]
    ]
    assert all("RequestValidatorId" not in m["Properties"] for m in without_body)


@pytest.mark.checklist("001#28", "001#29", "001#31")
def test_models_carry_the_schema_unchanged_in_draft_4(stack_synth: Synth) -> None:
    template = _template(stack_synth, "rest-full")
    template.has_resource_properties(
        "AWS::ApiGateway::Model",
        {
            "Name": "Dog",
            "ContentType": "application/json",
            "Schema": {**DOG, "$schema": "http://json-schema.org/draft-04/schema#"},
        },
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Model",
        {
            "Name": "Owner",
            "Schema": Match.object_like({"properties": Match.object_like({"address": ADDRESS})}),
        },
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Model",
        {"Name": "Payment", "Schema": Match.object_like({"required": ["booking_id", "amount"]})},
    )


def test_required_headers_are_validated_before_the_function_runs(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    with_headers = {
        m["Metadata"]["aws:cdk:path"]: m["Properties"]
        for m in _methods(template).values()
        if "RequestParameters" in m["Properties"]
    }
    assert list(with_headers) == ["Test/DogCareApi/Api/Default/payments/POST/Resource"]
    props = next(iter(with_headers.values()))
    assert props["RequestParameters"] == {"method.request.header.Idempotency-Key": True}
    assert "RequestValidatorId" in props


@pytest.mark.checklist("001#4", "001#36")
def test_stage_throttles_logs_traces_and_measures(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    access_logs = _logical_id(template, LOG_GROUP, "DogCareApi/AccessLogs")
    Template.from_json(template).has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "TracingEnabled": True,
            "MethodSettings": [
                {
                    "HttpMethod": "*",
                    "ResourcePath": "/*",
                    "ThrottlingRateLimit": 100,
                    "ThrottlingBurstLimit": 200,
                    "LoggingLevel": "INFO",
                    "MetricsEnabled": True,
                    "DataTraceEnabled": False,
                }
            ],
            "AccessLogSetting": {
                "DestinationArn": {"Fn::GetAtt": [access_logs, "Arn"]},
                "Format": Match.any_value(),
            },
        },
    )


def test_access_logs_are_json_with_request_caller_status_and_latency(stack_synth: Synth) -> None:
    for key, kind in (
        ("rest-full", "AWS::ApiGateway::Stage"),
        ("http-full", "AWS::ApiGatewayV2::Stage"),
    ):
        stage = next(iter(find_resources(_json(stack_synth, key), kind).values()))
        settings = (
            stage["Properties"].get("AccessLogSetting") or stage["Properties"]["AccessLogSettings"]
        )
        fields = json.loads(settings["Format"])
        assert fields["requestId"] == "$context.requestId"
        assert fields["ip"] == "$context.identity.sourceIp"
        assert fields["user"] == "$context.authorizer.claims.sub"
        assert fields["status"] == "$context.status"
        assert fields["latency"] == "$context.responseLatency"


@pytest.mark.checklist("001#36")
def test_execution_logs_have_a_precreated_group_with_retention(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    api = _logical_id(template, "AWS::ApiGateway::RestApi", "DogCareApi/Api")
    Template.from_json(template).has_resource_properties(
        LOG_GROUP,
        {
            "LogGroupName": {
                "Fn::Join": ["", ["API-Gateway-Execution-Logs_", {"Ref": api}, "/dev"]]
            },
            "RetentionInDays": 7,
        },
    )


def test_account_logging_role_is_least_privilege_retained_and_precedes_the_stage(
    stack_synth: Synth,
) -> None:
    template = _json(stack_synth, "rest-full")
    assertions = Template.from_json(template)
    assertions.resource_count_is("AWS::ApiGateway::Account", 1)
    role_id = _logical_id(template, "AWS::IAM::Role", "PetPlatformApiGatewayCloudWatchLogging/Role")
    role = template["Resources"][role_id]
    assert role["DeletionPolicy"] == "Retain"
    assert "ManagedPolicyArns" not in role["Properties"]  # no AmazonAPIGatewayPushToCloudWatchLogs
    statement = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":logs:us-east-1:123456789012:log-group:*"],
        ]
    }
    assert all(action.startswith("logs:") for action in statement["Action"])
    assertions.has_resource(
        "AWS::ApiGateway::Account",
        {
            "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": [role_id, "Arn"]}},
            "DeletionPolicy": "Retain",
        },
    )
    account_id = _logical_id(
        template, "AWS::ApiGateway::Account", "PetPlatformApiGatewayCloudWatchLogging/Account"
    )
    stage = next(iter(find_resources(template, "AWS::ApiGateway::Stage").values()))
    assert account_id in stage["DependsOn"]


def test_exports_url_and_id(stack_synth: Synth) -> None:
    outputs = _json(stack_synth, "rest-full")["Outputs"]
    exported = {o["Export"]["Name"] for o in outputs.values() if "Export" in o}
    assert {"PetTest-DogCareApi-ApiUrl", "PetTest-DogCareApi-ApiId"} <= exported


# -- REST: WAF -------------------------------------------------------------------------------


@pytest.mark.checklist("001#42")
def test_waf_rate_limits_per_ip_and_per_user_and_is_associated_with_the_stage(
    stack_synth: Synth,
) -> None:
    template = _json(stack_synth, "rest-full")
    assertions = Template.from_json(template)
    too_many = {"Block": {"CustomResponse": {"ResponseCode": 429}}}
    assertions.has_resource_properties(
        "AWS::WAFv2::WebACL",
        {
            "Scope": "REGIONAL",
            "DefaultAction": {"Allow": {}},
            "Rules": [
                Match.object_like(
                    {
                        "Name": "RateLimitPerIp",
                        "Action": too_many,
                        "Statement": {
                            "RateBasedStatement": {
                                "AggregateKeyType": "IP",
                                "Limit": 1000,
                                "EvaluationWindowSec": 300,
                            }
                        },
                    }
                ),
                Match.object_like(
                    {
                        "Name": "RateLimitPerUser",
                        "Action": too_many,
                        "Statement": {
                            "RateBasedStatement": {
                                "AggregateKeyType": "CUSTOM_KEYS",
                                "Limit": 300,
                                "EvaluationWindowSec": 300,
                                "CustomKeys": [
                                    {
                                        "Header": {
                                            "Name": "authorization",
                                            "TextTransformations": [
                                                {"Priority": 0, "Type": "NONE"}
                                            ],
                                        }
                                    }
                                ],
                            }
                        },
                    }
                ),
                Match.object_like(
                    {
                        "Name": "AWSManagedRulesCommonRuleSet",
                        "OverrideAction": {"None": {}},
                        "Statement": {
                            "ManagedRuleGroupStatement": {
                                "VendorName": "AWS",
                                "Name": "AWSManagedRulesCommonRuleSet",
                            }
                        },
                    }
                ),
            ],
        },
    )
    acl = _logical_id(template, "AWS::WAFv2::WebACL", "DogCareApi/Waf/WebAcl")
    stage = next(iter(find_resources(template, "AWS::ApiGateway::Stage")))
    association = next(iter(find_resources(template, "AWS::WAFv2::WebACLAssociation").values()))
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl, "Arn"]}
    assert stage in _references(association["Properties"]["ResourceArn"])


def test_an_existing_web_acl_is_associated_without_creating_one(stack_synth: Synth) -> None:
    template = _template(stack_synth, "variants")
    template.resource_count_is("AWS::WAFv2::WebACL", 0)
    template.has_resource_properties("AWS::WAFv2::WebACLAssociation", {"WebACLArn": SHARED_ACL})


# -- REST: functions -------------------------------------------------------------------------


@pytest.mark.checklist("001#25", "001#26", "001#27")
def test_functions_use_the_seed_runtime_memory_timeout_and_names(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    functions = find_resources(template, FUNCTION)
    assert len(functions) == 3  # no log-retention or other custom-resource functions
    names = set()
    for function in functions.values():
        props = function["Properties"]
        assert props["Runtime"] == "python3.11"
        assert props["MemorySize"] == 512
        assert props["Timeout"] == 30
        assert props["Handler"] == "app.handler"
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        names.add(props["FunctionName"])
    assert names == {
        "pettest-dev-dog-management",
        "pettest-dev-owner-management",
        "pettest-dev-payment-processing",
    }
    Template.from_json(template).has_resource_properties(
        FUNCTION,
        {
            "FunctionName": "pettest-dev-dog-management",
            "Architectures": ["arm64"],
            "ReservedConcurrentExecutions": 10,
        },
    )


@pytest.mark.checklist("001#36")
def test_each_function_logs_to_its_own_explicit_log_group(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    for name in ("dog-management", "owner-management", "payment-processing"):
        group = _logical_id(template, LOG_GROUP, f"/aws/lambda/pettest-dev-{name}")
        function = template["Resources"][
            _logical_id(template, FUNCTION, f"Function-{name}/Handler")
        ]
        assert function["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": group}
        assert template["Resources"][group]["Properties"]["RetentionInDays"] == 7
        statements = _policy_of(template, name)["Statement"]
        logs_statement = [
            s for s in statements if s["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        ]
        assert logs_statement == [
            {
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [group, "Arn"]},
            }
        ]


@pytest.mark.checklist("001#37")
def test_each_function_has_its_own_role_with_grants_on_its_tables_only(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    roles = {
        name: _logical_id(template, "AWS::IAM::Role", f"Function-{name}/Role")
        for name in ("dog-management", "owner-management", "payment-processing")
    }
    assert len(set(roles.values())) == 3
    for name, role in roles.items():
        props = template["Resources"][role]["Properties"]
        assert "ManagedPolicyArns" not in props, name  # no AWSLambdaBasicExecutionRole
        function = template["Resources"][
            _logical_id(template, FUNCTION, f"Function-{name}/Handler")
        ]
        assert function["Properties"]["Role"] == {"Fn::GetAtt": [role, "Arn"]}
    dogs = _logical_id(template, "AWS::DynamoDB::GlobalTable", "Dogs/Table")

    def dynamo(name: str) -> list[dict[str, Any]]:
        return [
            s
            for s in _policy_of(template, name)["Statement"]
            if any(a.startswith("dynamodb:") for a in s["Action"])
        ]

    dog_statements = dynamo("dog-management")
    assert all(_references(s["Resource"]) == {dogs} for s in dog_statements)
    assert "dynamodb:PutItem" in {a for s in dog_statements for a in s["Action"]}
    owner_statements = dynamo("owner-management")
    owners_only = [s for s in owner_statements if "owners-table" in json.dumps(s["Resource"])]
    dogs_only = [s for s in owner_statements if _references(s["Resource"]) == {dogs}]
    assert owners_only and dogs_only
    assert "dynamodb:PutItem" in {a for s in owners_only for a in s["Action"]}
    assert not {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & {
        a for s in dogs_only for a in s["Action"]
    }
    assert dynamo("payment-processing") == []
    for name in roles:
        for statement in _policy_of(template, name)["Statement"]:
            assert not any(a.endswith(":*") for a in statement["Action"])
            if statement["Resource"] == "*":
                assert statement["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


@pytest.mark.checklist("001#38")
def test_secrets_are_readable_by_their_function_only_and_passed_by_arn(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    reads = [
        s
        for s in _policy_of(template, "payment-processing")["Statement"]
        if s["Action"] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    ]
    assert reads == [
        {
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Effect": "Allow",
            "Resource": SECRET_ARN,
        }
    ]
    for other in ("dog-management", "owner-management"):
        assert "secretsmanager" not in json.dumps(_policy_of(template, other))
    Template.from_json(template).has_resource_properties(
        FUNCTION,
        {
            "FunctionName": "pettest-dev-payment-processing",
            "Environment": {
                "Variables": Match.object_like({"PAYMENT_API_KEY_SECRET_ARN": SECRET_ARN})
            },
        },
    )


def test_table_names_reach_their_functions_in_environment_variables(stack_synth: Synth) -> None:
    template = _json(stack_synth, "rest-full")
    dogs = _logical_id(template, "AWS::DynamoDB::GlobalTable", "Dogs/Table")
    Template.from_json(template).has_resource_properties(
        FUNCTION,
        {
            "FunctionName": "pettest-dev-owner-management",
            "Environment": {
                "Variables": {
                    "OWNERS_TABLE": "owners-table",
                    "DOGS_TABLE": {"Ref": dogs},
                    "LOG_LEVEL": "INFO",
                    "ROUTE_GROUPS": json.dumps({"GET /admin/owners": "admin"}),
                    "CORS_ALLOWED_ORIGINS": ORIGIN,
                }
            },
        },
    )


@pytest.mark.checklist("001#41")
def test_admin_routes_are_authenticated_and_their_group_goes_to_the_handler(
    stack_synth: Synth,
) -> None:
    template = _json(stack_synth, "rest-full")
    admin = [
        m
        for m in _methods(template).values()
        if m["Metadata"]["aws:cdk:path"].endswith("/admin/owners/GET/Resource")
    ]
    assert admin[0]["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    variables = {
        f["Properties"]["FunctionName"]: f["Properties"]["Environment"]["Variables"]
        for f in find_resources(template, FUNCTION).values()
    }
    assert "ROUTE_GROUPS" in variables["pettest-dev-owner-management"]
    assert "ROUTE_GROUPS" not in variables["pettest-dev-dog-management"]


# -- REST: stages ----------------------------------------------------------------------------


@pytest.mark.checklist("001#36")
@pytest.mark.parametrize(
    ("stage", "days", "policy", "level"),
    [("dev", 7, "Delete", "INFO"), ("prod", 365, "Retain", "ERROR")],
)
def test_log_retention_removal_and_log_level_follow_the_stage(
    stack_synth: Synth, stage: str, days: int, policy: str, level: str
) -> None:
    template = _json(stack_synth, "rest-full", stage)
    groups = find_resources(template, LOG_GROUP)
    assert len(groups) == 6  # 3 functions, access logs, execution logs, WAF logs
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == days
        assert group["DeletionPolicy"] == policy
    stage_resource = next(iter(find_resources(template, "AWS::ApiGateway::Stage").values()))
    assert stage_resource["Properties"]["MethodSettings"][0]["LoggingLevel"] == level


def test_explicit_props_override_the_stage(stack_synth: Synth) -> None:
    template = _json(stack_synth, "variants")
    assertions = Template.from_json(template)
    assertions.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {"StageName": "v1", "MethodSettings": [Match.object_like({"LoggingLevel": "ERROR"})]},
    )
    shared_groups = [
        g
        for g in find_resources(template, LOG_GROUP).values()
        if "/Shared/" in g["Metadata"]["aws:cdk:path"]
    ]
    # stage_profile=prod on a dev stack: a year of retention, retained.
    assert {(g["Properties"]["RetentionInDays"], g["DeletionPolicy"]) for g in shared_groups} == {
        (365, "Retain")
    }
    assertions.resource_count_is("AWS::ApiGateway::Account", 0)  # cloud_watch_role=False


@pytest.mark.checklist("001#26")
def test_integration_timeout_defaults_to_29_s_and_bounds_the_default_function_timeout(
    stack_synth: Synth,
) -> None:
    full = _json(stack_synth, "rest-full")
    for method in _methods(full).values():
        assert method["Properties"]["Integration"]["TimeoutInMillis"] == 29000
    variants = _json(stack_synth, "variants")
    shared = [m for m in _methods(variants).values() if "/Shared/" in m["Metadata"]["aws:cdk:path"]]
    assert {m["Properties"]["Integration"]["TimeoutInMillis"] for m in shared} == {10000}
    Template.from_json(variants).has_resource_properties(
        FUNCTION,
        {
            "Timeout": 10,
            "Role": Match.any_value(),
            "Environment": Match.object_like({"Variables": {"CORS_ALLOWED_ORIGINS": "*"}}),
        },
    )


def test_a_function_outliving_the_integration_timeout_is_noted(stack_synth: Synth) -> None:
    _synth(stack_synth, "rest-full")
    api = BUILT["rest-full-dev"]
    notes = [
        str(entry.data)
        for entry in api.functions["dog-management"].node.metadata
        if entry.type == "aws:cdk:info"
    ]
    assert notes == [
        "dog-management may run 30 s, but the REST API answers 504 after its 29 s integration "
        "timeout: callers never see a slower result."
    ]


def test_defaults_are_small_and_explicit(stack_synth: Synth) -> None:
    template = _json(stack_synth, "defaults")
    rest = [
        f
        for f in find_resources(template, FUNCTION).values()
        if "/Rest/" in f["Metadata"]["aws:cdk:path"]
    ]
    assert len(rest) == 1
    props = rest[0]["Properties"]
    assert (props["Runtime"], props["MemorySize"], props["Timeout"], props["Architectures"]) == (
        "python3.13",
        512,
        29,
        ["x86_64"],
    )
    assertions = Template.from_json(template)
    assertions.resource_count_is("AWS::WAFv2::WebACL", 0)
    assertions.resource_count_is("AWS::ApiGateway::GatewayResponse", 0)
    options = [
        m
        for m in find_resources(template, METHOD).values()
        if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert options == []  # no CORS unless origins are given
    assertions.has_resource_properties("AWS::ApiGatewayV2::Stage", {"StageName": "$default"})
    assertions.has_resource_properties(
        "AWS::ApiGatewayV2::Api", {"CorsConfiguration": Match.absent()}
    )


# -- HTTP API --------------------------------------------------------------------------------


@pytest.mark.checklist("002#6")
def test_http_api_is_an_http_api(stack_synth: Synth) -> None:
    template = _template(stack_synth, "http-full")
    template.resource_count_is("AWS::ApiGateway::RestApi", 0)
    template.resource_count_is("AWS::ApiGateway::Account", 0)
    template.has_resource_properties("AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP"})


@pytest.mark.checklist("002#59", "002#10")
def test_http_routes_are_lambda_proxy_v2_integrations(stack_synth: Synth) -> None:
    template = _json(stack_synth, "http-full")
    routes = find_resources(template, "AWS::ApiGatewayV2::Route")
    keys = {r["Properties"]["RouteKey"] for r in routes.values()}
    assert keys == {
        "GET /users",
        "GET /users/me",
        "PUT /users/me",
        "GET /accounts",
        "POST /accounts",
        "GET /accounts/{accountId}",
        "GET /admin/accounts",
        "POST /auth/login",
    }
    integrations = find_resources(template, "AWS::ApiGatewayV2::Integration")
    assert len(integrations) == 3  # one per function, shared by its routes
    for integration in integrations.values():
        assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
        assert integration["Properties"]["TimeoutInMillis"] == 30000  # the HTTP API maximum
    get_users = _logical_id(template, FUNCTION, "Function-getUsers/Handler")
    users_route = next(r for r in routes.values() if r["Properties"]["RouteKey"] == "GET /users")
    target = users_route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
    assert integrations[target]["Properties"]["IntegrationUri"] == {
        "Fn::GetAtt": [get_users, "Arn"]
    }


@pytest.mark.checklist("002#51")
def test_http_routes_use_a_jwt_authorizer_of_the_user_pool(stack_synth: Synth) -> None:
    template = _json(stack_synth, "http-full")
    Template.from_json(template).has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {
                "Issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}",
                "Audience": ["web-client-id", "mobile-client-id"],
            },
        },
    )
    authorizer = _logical_id(template, "AWS::ApiGatewayV2::Authorizer", "Authorizer")
    for route in find_resources(template, "AWS::ApiGatewayV2::Route").values():
        props = route["Properties"]
        if props["RouteKey"] == "POST /auth/login":
            assert props["AuthorizationType"] == "NONE"
        else:
            assert props["AuthorizationType"] == "JWT"
            assert props["AuthorizerId"] == {"Ref": authorizer}


@pytest.mark.checklist("002#57")
def test_http_cors_configuration(stack_synth: Synth) -> None:
    _template(stack_synth, "http-full").has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {
            "CorsConfiguration": {
                "AllowOrigins": ["https://app.listbackup.ai", "http://localhost:3000"],
                "AllowMethods": ["GET", "POST", "PUT"],
                "AllowHeaders": ["Authorization", "Content-Type", "Idempotency-Key"],
                "MaxAge": 3600,
            }
        },
    )


@pytest.mark.checklist("002#56", "002#60")
@pytest.mark.parametrize(
    ("stage", "rate", "burst", "days"), [("dev", 100, 200, 7), ("prod", 1000, 2000, 365)]
)
def test_http_stage_throttles_measures_and_logs(
    stack_synth: Synth, stage: str, rate: int, burst: int, days: int
) -> None:
    template = _json(stack_synth, "http-full", stage)
    access_logs = _logical_id(template, LOG_GROUP, "Api/AccessLogs")
    Template.from_json(template).has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "DefaultRouteSettings": {
                "ThrottlingRateLimit": rate,
                "ThrottlingBurstLimit": burst,
                "DetailedMetricsEnabled": True,
            },
            "AccessLogSettings": {
                "DestinationArn": {"Fn::GetAtt": [access_logs, "Arn"]},
                "Format": Match.string_like_regexp(r"\$context\.routeKey"),
            },
        },
    )
    assert template["Resources"][access_logs]["Properties"]["RetentionInDays"] == days


@pytest.mark.checklist("002#8", "002#9", "002#11", "002#46", "002#47")
def test_http_functions_follow_the_naming_sizing_and_grant_rules(stack_synth: Synth) -> None:
    template = _json(stack_synth, "http-full")
    functions = find_resources(template, FUNCTION)
    names = {f["Properties"]["FunctionName"] for f in functions.values()}
    assert names == {
        "listbackup-api-dev-getUsers",
        "listbackup-api-dev-accounts",
        "listbackup-api-dev-auth",
    }
    for function in functions.values():
        assert function["Properties"]["MemorySize"] == 1024
        assert function["Properties"]["Architectures"] == ["arm64"]
        assert function["Properties"]["Timeout"] <= 30
    assert len(find_resources(template, "AWS::IAM::Role")) == 3
    accounts = _policy_of(template, "accounts")["Statement"]
    secret = [s for s in accounts if s["Action"][0].startswith("secretsmanager:")]
    assert secret[0]["Resource"] == SECRET_ARN
    users = [s for s in accounts if s["Action"][0].startswith("dynamodb:")]
    assert not any("dynamodb:PutItem" in s["Action"] for s in users)
    assert "dynamodb" not in json.dumps(_policy_of(template, "auth"))


def test_http_api_with_another_identity_provider_and_a_shorter_timeout(stack_synth: Synth) -> None:
    template = _json(stack_synth, "variants")
    assertions = Template.from_json(template)
    assertions.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "JwtConfiguration": {
                "Issuer": "https://auth.example.com/",
                "Audience": ["api://default"],
            }
        },
    )
    assertions.has_resource_properties("AWS::ApiGatewayV2::Integration", {"TimeoutInMillis": 20000})
    assertions.has_resource_properties("AWS::ApiGatewayV2::Stage", {"StageName": "v1"})
    oidc = [
        f
        for f in find_resources(template, FUNCTION).values()
        if "/Oidc/" in f["Metadata"]["aws:cdk:path"]
    ]
    assert oidc[0]["Properties"]["Timeout"] == 20


# -- metrics and attributes ------------------------------------------------------------------


def test_metrics_are_the_stage_metrics(stack_synth: Synth) -> None:
    _synth(stack_synth, "rest-full")
    _synth(stack_synth, "http-full")
    rest, http = BUILT["rest-full-dev"], BUILT["http-full-dev"]
    stack = Stack.of(rest)
    count = rest.metric_count()
    assert (count.namespace, count.metric_name, count.statistic) == (
        "AWS/ApiGateway",
        "Count",
        "Sum",
    )
    assert set(stack.resolve(count.dimensions)) == {"ApiName", "Stage"}
    assert rest.metric_server_error().metric_name == "5XXError"
    assert rest.metric_client_error().metric_name == "4XXError"
    latency = rest.metric_latency()
    assert (latency.metric_name, latency.statistic) == ("Latency", "p95")
    assert rest.metric_integration_latency(period=Duration.minutes(1)).period.to_seconds() == 60
    assert set(Stack.of(http).resolve(http.metric_count().dimensions)) == {"ApiId", "Stage"}
    # What ObservabilityPack watches: plain attributes.
    assert rest.kind is ApiKind.REST and rest.stage_name == "dev" and rest.rest_api is rest.api
    assert set(rest.functions) == {"dog-management", "owner-management", "payment-processing"}
    assert http.kind is ApiKind.HTTP and http.stage_name == "$default" and http.http_api is http.api
    assert set(rest.models) == {"Dog", "Owner", "Payment"}
    assert rest.web_acl is not None and rest.execution_log_group is not None


# -- compliance ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["rest-full", "http-full", "defaults"])
@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_no_unacknowledged_findings(stack_synth: Synth, key: str, stage: str) -> None:
    result = _synth(stack_synth, key, stage)
    assert result.error is None
    assert result.findings == []


def test_a_wildcard_added_by_hand_is_still_reported(stack_synth: Synth) -> None:
    findings = _synth(stack_synth, "variants").findings
    assert [(f.rule, f.path) for f in findings] == [
        ("AwsSolutions-IAM5[Resource::*]", "Test/Shared/Function-echo/Role/DefaultPolicy/Resource")
    ]


def test_latest_runtime_rule_matches_cdk_nag() -> None:
    assert latest_runtime_of_family(lambda_.Runtime.PYTHON_3_11) == "python3.14"
    assert latest_runtime_of_family(lambda_.Runtime.PYTHON_3_9) == "python3.14"
    assert latest_runtime_of_family(lambda_.Runtime.PROVIDED_AL2023) is None
