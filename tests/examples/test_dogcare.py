"""examples/dogcare reproduces seed 001 (Dog Care App MVP) in dev, staging and prod.

Every template-checkable item of checklist section 001 is asserted here; the handlers'
behaviour (owner isolation, validation, idempotent payments) is tested in tests/examples/dogcare.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from dogcare.checklist import ADMIN_ROUTES, SEED_ROUTES
from stateful_manifest import check_stateful_manifest

import dogcare
from dogcare import DogCareConfig
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth

Json = dict[str, Any]
FUNCTIONS = ("dog-management", "owner-management", "booking-management", "payment-processing")


@pytest.fixture(scope="session", params=dogcare.STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def result(synth_cache: SynthCache, stage: str) -> SynthResult:
    return synth_cache.get(
        ("dogcare", stage), lambda: synth(make_app(), lambda app: dogcare.build(app, stage))
    )


@pytest.fixture(scope="session")
def template(result: SynthResult, stage: str) -> Template:
    return result.template(f"DogCareStack-{stage}")


@pytest.fixture(scope="session")
def resources(result: SynthResult, stage: str) -> Json:
    resources: Json = result.template_json(f"DogCareStack-{stage}")["Resources"]
    return resources


def _of_type(resources: Json, rtype: str) -> dict[str, Json]:
    return {k: v for k, v in resources.items() if v["Type"] == rtype}


def _paths(resources: Json) -> dict[str, str]:
    """Logical id of each API Gateway resource -> its full path."""
    api_resources = _of_type(resources, "AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        props = api_resources[logical_id]["Properties"]
        parent = props["ParentId"]
        prefix = path(parent["Ref"]) if "Ref" in parent else ""
        return f"{prefix}/{props['PathPart']}"

    return {lid: path(lid) for lid in api_resources}


def _methods(resources: Json) -> dict[tuple[str, str], Json]:
    paths = _paths(resources)
    methods = {}
    for method in _of_type(resources, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        ref = props["ResourceId"]
        path = paths[ref["Ref"]] if "Ref" in ref else "/"
        methods[(props["HttpMethod"], path)] = props
    return methods


def _function_ids(resources: Json) -> dict[str, str]:
    return {
        f["Properties"]["FunctionName"].split("-", 2)[2]: lid
        for lid, f in _of_type(resources, "AWS::Lambda::Function").items()
    }


def _role_statements(resources: Json, function: str) -> list[Json]:
    fn = resources[_function_ids(resources)[function]]
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        s
        for p in _of_type(resources, "AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _tables(resources: Json, stage: str) -> dict[str, Json]:
    return {
        t["Properties"]["TableName"].removeprefix(f"dogcare-{stage}-"): t
        for t in _of_type(resources, "AWS::DynamoDB::GlobalTable").values()
    }


# -- A. API Gateway --------------------------------------------------------------------------


@pytest.mark.checklist("001#1")
def test_one_rest_api_with_a_stage_per_environment(template: Template, stage: str) -> None:
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    template.resource_count_is("AWS::ApiGatewayV2::Api", 0)
    template.resource_count_is("AWS::ApiGateway::Deployment", 1)
    template.has_resource_properties("AWS::ApiGateway::Stage", {"StageName": stage})


@pytest.mark.checklist("001#2")
def test_cors_preflight_on_every_resource(resources: Json) -> None:
    methods = _methods(resources)
    callable_paths = {path for verb, path in methods if verb != "OPTIONS"}
    assert len(callable_paths) == 10
    for path in callable_paths:  # a browser preflights every path it calls
        options = methods[("OPTIONS", path)]
        assert options["Integration"]["Type"] == "MOCK"
        params = options["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert "method.response.header.Access-Control-Allow-Origin" in params


@pytest.mark.checklist("001#3", "001#28", "001#29", "001#30", "001#31")
def test_request_validation_with_entity_models(resources: Json) -> None:
    (validator,) = _of_type(resources, "AWS::ApiGateway::RequestValidator").values()
    assert validator["Properties"]["ValidateRequestBody"] is True
    assert validator["Properties"]["ValidateRequestParameters"] is True
    models = {
        m["Properties"]["Name"]: m["Properties"]["Schema"]
        for m in _of_type(resources, "AWS::ApiGateway::Model").values()
    }
    dog = models["Dog"]
    assert {
        "id",
        "name",
        "breed",
        "age",
        "size",
        "owner_id",
        "vaccination_status",
        "special_needs",
        "emergency_contact",
        "created_at",
        "updated_at",
    } <= set(dog["properties"])
    assert {"name", "breed"} <= set(dog["required"])
    assert dog["properties"]["age"]["type"] == "integer"
    assert set(models["Owner"]["properties"]["address"]["properties"]) == {
        "street",
        "city",
        "state",
        "zip",
    }
    assert models["Booking"]["properties"]["price"]["type"] == "number"
    assert {"booking_id", "amount"} <= set(models["Payment"]["properties"])
    for (verb, path), method in _methods(resources).items():
        if verb in ("POST", "PUT"):
            assert "RequestValidatorId" in method, (verb, path)
            assert set(method["RequestModels"]) == {"application/json"}


@pytest.mark.checklist("001#4")
def test_stage_throttling(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {"MethodSettings": Match.array_with([Match.object_like({
            "HttpMethod": "*", "ResourcePath": "/*",
            "ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200,
        })])},
    )  # fmt: skip


@pytest.mark.checklist("001#5", "001#6", "001#7", "001#8", "001#41")
def test_endpoint_resources(resources: Json) -> None:
    assert set(_paths(resources).values()) == {
        "/dogs", "/dogs/{id}", "/owners", "/owners/profile", "/owners/register", "/bookings",
        "/bookings/{id}", "/payments", "/payments/{id}", "/admin", "/admin/owners",
        "/admin/bookings",
    }  # fmt: skip


# -- B. routes -------------------------------------------------------------------------------


@pytest.mark.checklist(*(f"001#{i}" for i in range(9, 25)), "001#39")
def test_the_seed_routes_plus_admin_all_proxy_behind_cognito(resources: Json) -> None:
    methods = {k: v for k, v in _methods(resources).items() if k[0] != "OPTIONS"}
    assert set(methods) == SEED_ROUTES | ADMIN_ROUTES  # 15 seed methods + 2 admin (001#41)
    expected_function = {
        "dogs": "dog-management", "owners": "owner-management", "bookings": "booking-management",
        "payments": "payment-processing",
    }  # fmt: skip
    ids = _function_ids(resources)
    for (verb, path), method in methods.items():
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS", (verb, path)
        assert "AuthorizerId" in method
        assert method["Integration"]["Type"] == "AWS_PROXY"
        area = path.split("/")[1]
        function = expected_function.get(area) or (
            "owner-management" if path == "/admin/owners" else "booking-management"
        )
        assert ids[function] in json.dumps(method["Integration"]["Uri"]), (verb, path)
    permissions = _of_type(resources, "AWS::Lambda::Permission").values()
    invoked = {
        json.dumps(p["Properties"]["FunctionName"])
        for p in permissions
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }
    assert all(any(ids[f] in i for i in invoked) for f in FUNCTIONS)


@pytest.mark.checklist("001#39")
def test_cognito_authorizer(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
            "ProviderARNs": [Match.object_like({"Fn::GetAtt": Match.array_with(["Arn"])})],
        },
    )


@pytest.mark.checklist("001#41")
def test_admin_group_and_admin_routes_declared_to_handlers(
    template: Template, resources: Json
) -> None:
    template.has_resource_properties("AWS::Cognito::UserPoolGroup", {"GroupName": "admin"})
    for name in ("owner-management", "booking-management"):
        env = resources[_function_ids(resources)[name]]["Properties"]["Environment"]["Variables"]
        groups = json.loads(env["ROUTE_GROUPS"])
        assert "admin" in groups.values()


# -- C. functions ----------------------------------------------------------------------------


def _api_functions(resources: Json) -> dict[str, Json]:
    """The API's functions (the pool's MFA-guard trigger aside)."""
    return {
        lid: f
        for lid, f in _of_type(resources, "AWS::Lambda::Function").items()
        if "/Api/" in f["Metadata"]["aws:cdk:path"]
    }


@pytest.mark.checklist("001#25", "001#26", "001#27")
def test_four_python_functions(resources: Json, stage: str) -> None:
    functions = _api_functions(resources)
    assert len(functions) == 4
    assert len(_of_type(resources, "AWS::Lambda::Function")) == 5  # + the MFA guard
    for function in functions.values():
        props = function["Properties"]
        assert props["FunctionName"] in {f"dogcare-{stage}-{f}" for f in FUNCTIONS}
        assert (props["Runtime"], props["MemorySize"], props["Timeout"]) == ("python3.11", 512, 30)
        assert props["Handler"].endswith(".app.handler")
        assert props["TracingConfig"] == {"Mode": "Active"}
        # prod (its own account) reserves, and caps, each function's concurrency
        assert props.get("ReservedConcurrentExecutions") == (25 if stage == "prod" else None)


@pytest.mark.checklist("001#41")
def test_admins_get_the_admin_group_only_with_mfa(resources: Json, stage: str) -> None:
    """MFA stays optional for dog owners; the admin group needs it (AuthPool privileged_groups)."""
    ((_, pool),) = _of_type(resources, "AWS::Cognito::UserPool").items()
    guard_id = _function_ids(resources)["users-mfa-guard"]
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"
    assert pool["Properties"]["LambdaConfig"]["PreTokenGenerationConfig"] == {
        "LambdaArn": {"Fn::GetAtt": [guard_id, "Arn"]},
        "LambdaVersion": "V2_0",
    }
    guard = resources[guard_id]["Properties"]
    assert guard["FunctionName"] == f"dogcare-{stage}-users-mfa-guard"
    assert json.loads(guard["Environment"]["Variables"]["PRIVILEGED_GROUPS"]) == ["admin"]


# -- D. tables -------------------------------------------------------------------------------


@pytest.mark.checklist("001#32", "001#33", "001#34", "001#35")
def test_four_on_demand_tables_keyed_by_id_with_owner_indexes(resources: Json, stage: str) -> None:
    tables = _tables(resources, stage)
    assert set(tables) == {"dogs-table", "owners-table", "bookings-table", "payments-table"}
    for name, table in tables.items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        gsis = {g["IndexName"]: g["KeySchema"] for g in props.get("GlobalSecondaryIndexes", [])}
        if name in ("dogs-table", "bookings-table"):
            assert gsis == {"owner_id-index": [{"AttributeName": "owner_id", "KeyType": "HASH"}]}


@pytest.mark.checklist("001#46")
def test_tables_and_secret_retained_in_prod_like_stages(resources: Json, stage: str) -> None:
    policy = "Delete" if stage == "dev" else "Retain"
    for table in _tables(resources, stage).values():
        assert table["DeletionPolicy"] == policy
    (secret,) = _of_type(resources, "AWS::SecretsManager::Secret").values()
    assert secret["DeletionPolicy"] == policy


# -- E. supporting services ------------------------------------------------------------------


@pytest.mark.checklist("001#36")
def test_logging_for_every_function_and_the_api(
    resources: Json, stage: str, template: Template
) -> None:
    groups = [g["Properties"] for g in _of_type(resources, "AWS::Logs::LogGroup").values()]
    names = {g["LogGroupName"] for g in groups if isinstance(g.get("LogGroupName"), str)}
    assert {f"/aws/lambda/dogcare-{stage}-{f}" for f in FUNCTIONS} <= names
    retention = {"dev": 7, "staging": 30, "prod": 365}[stage]
    assert {g["RetentionInDays"] for g in groups} == {retention}
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
            "MethodSettings": [
                Match.object_like(
                    {"LoggingLevel": Match.string_like_regexp("INFO|ERROR"), "MetricsEnabled": True}
                )
            ],
        },
    )


@pytest.mark.checklist("001#37")
def test_each_function_reaches_only_its_tables(resources: Json, stage: str) -> None:
    table_ids = {
        n: lid
        for lid, t in _of_type(resources, "AWS::DynamoDB::GlobalTable").items()
        for n in [t["Properties"]["TableName"].removeprefix(f"dogcare-{stage}-")]
    }
    allowed = {
        "dog-management": {"dogs-table"},
        "owner-management": {"owners-table", "dogs-table"},
        "booking-management": {"bookings-table", "dogs-table"},
        "payment-processing": {"payments-table", "bookings-table"},
    }
    roles = {r["Properties"]["Role"]["Fn::GetAtt"][0] for r in _api_functions(resources).values()}
    assert len(roles) == 4  # a role per function
    for function, tables in allowed.items():
        statements = _role_statements(resources, function)
        text = json.dumps(statements)
        assert {n for n, lid in table_ids.items() if lid in text} == tables, function
        for statement in statements:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            assert "dynamodb:*" not in actions
            if statement["Resource"] == "*":  # X-Ray only: no resource-level permissions
                assert all(a.startswith("xray:") for a in actions)


@pytest.mark.checklist("001#38")
def test_payment_key_in_secrets_manager_readable_by_payments_only(
    resources: Json, stage: str
) -> None:
    ((secret_id, secret),) = _of_type(resources, "AWS::SecretsManager::Secret").items()
    assert secret["Properties"]["Name"] == f"dogcare/{stage}/payment-api-key"
    for function in FUNCTIONS:
        text = json.dumps(_role_statements(resources, function))
        assert ("secretsmanager:GetSecretValue" in text) is (function == "payment-processing")
        if function == "payment-processing":
            assert secret_id in text
    env = resources[_function_ids(resources)["payment-processing"]]["Properties"]["Environment"][
        "Variables"
    ]
    assert env["PAYMENT_SECRET_ARN"] == {"Ref": secret_id}  # the ARN, never the value


# -- F. security -----------------------------------------------------------------------------


def _rate_rule(statement: Json) -> object:
    return Match.object_like({"Statement": {"RateBasedStatement": Match.object_like(statement)}})


@pytest.mark.checklist("001#42")
def test_waf_rate_limits_per_ip_and_user_in_prod_like_stages(
    template: Template, stage: str
) -> None:
    if stage not in ("staging", "prod"):
        template.resource_count_is("AWS::WAFv2::WebACL", 0)
        return
    template.has_resource_properties(
        "AWS::WAFv2::WebACL",
        {
            "Scope": "REGIONAL",
            "Rules": Match.array_with([_rate_rule({"AggregateKeyType": "IP", "Limit": 1000})]),
        },
    )
    per_user = {
        "AggregateKeyType": "CUSTOM_KEYS",
        "CustomKeys": [Match.object_like({"Header": Match.object_like({"Name": "authorization"})})],
    }
    template.has_resource_properties(
        "AWS::WAFv2::WebACL", {"Rules": Match.array_with([_rate_rule(per_user)])}
    )
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)


def test_waf_blocks_managed_rule_groups_and_logs_in_prod_like_stages(
    template: Template, stage: str
) -> None:
    if stage not in ("staging", "prod"):
        template.resource_count_is("AWS::WAFv2::LoggingConfiguration", 0)
        return
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        template.has_resource_properties(
            "AWS::WAFv2::WebACL",
            {
                "Rules": Match.array_with(
                    [Match.object_like({"Name": group, "OverrideAction": {"None": {}}})]
                )
            },
        )
    template.resource_count_is("AWS::WAFv2::LoggingConfiguration", 1)
    template.has_resource(
        "AWS::Logs::LogGroup",
        {
            "Properties": Match.object_like(
                {
                    "LogGroupName": Match.string_like_regexp("^aws-waf-logs-"),
                    "DeletionProtectionEnabled": True,
                }
            ),
            "DeletionPolicy": "Retain",
        },
    )


# -- H. deployment strategy ------------------------------------------------------------------


@pytest.mark.checklist("001#44", "001#45", "001#46")
def test_dev_and_staging_share_an_account_prod_has_its_own(synth_cache: SynthCache) -> None:
    accounts = {}
    for stage in dogcare.STAGES:
        result = synth_cache.get(
            ("dogcare", stage), lambda s=stage: synth(make_app(), lambda app: dogcare.build(app, s))
        )
        manifest = json.loads((result.outdir / "manifest.json").read_text())
        accounts[stage] = manifest["artifacts"][f"DogCareStack-{stage}"]["environment"].split("/")[
            2
        ]
    assert accounts["dev"] == accounts["staging"] != accounts["prod"]


def test_prod_account_comes_from_context() -> None:
    app = make_app(context={"prod_account": "333333333333"})
    assert DogCareConfig.from_context(app, "prod").account == "333333333333"
    assert DogCareConfig.from_context(app, "dev").account == dogcare.config.DEFAULT_ACCOUNTS["dev"]


# -- I. monitoring ---------------------------------------------------------------------------


@pytest.mark.checklist("001#47")
def test_dashboard_with_api_lambda_and_dynamodb_metrics(
    template: Template, resources: Json
) -> None:
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    (dashboard,) = _of_type(resources, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for namespace, metric in (
        ("AWS/ApiGateway", "Count"), ("AWS/ApiGateway", "5XXError"), ("AWS/ApiGateway", "Latency"),
        ("AWS/Lambda", "Invocations"), ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Duration"),
        ("AWS/Lambda", "Throttles"), ("AWS/DynamoDB", "ConsumedReadCapacityUnits"),
    ):  # fmt: skip
        assert namespace in body and metric in body, (namespace, metric)


def _alarms(resources: Json) -> list[Json]:
    return [a["Properties"] for a in _of_type(resources, "AWS::CloudWatch::Alarm").values()]


@pytest.mark.checklist("001#48", "001#50", "001#51")
def test_error_rate_and_latency_alarms_in_prod_like_stages(resources: Json, stage: str) -> None:
    alarms = _alarms(resources)
    if stage == "dev":
        assert alarms == []  # the dev profile turns alarms off; the dashboard stays
        return
    error_rate = [
        a
        for a in alarms
        if a["Threshold"] == 5 and any("Expression" in m for m in a.get("Metrics", []))
    ]
    assert error_rate and all(a["ComparisonOperator"] == "GreaterThanThreshold" for a in error_rate)
    assert any("AWS/ApiGateway" in json.dumps(a["Metrics"]) for a in error_rate)
    latency = [a for a in alarms if "Latency" in json.dumps(a) and a["Threshold"] == 2000]
    assert latency and latency[0]["ComparisonOperator"] == "GreaterThanThreshold"
    topic = next(iter(_of_type(resources, "AWS::SNS::Topic")))
    assert all({"Ref": topic} in a["AlarmActions"] for a in alarms)


@pytest.mark.checklist("001#49", "001#51")
def test_cost_alerts_at_50_and_100_dollars(template: Template, stage: str) -> None:
    template.has_resource_properties(
        "AWS::Budgets::Budget",
        {
            "Budget": Match.object_like(
                {
                    "BudgetType": "COST",
                    "TimeUnit": "MONTHLY",
                    "BudgetName": f"dogcare-{stage}-monthly-cost",
                }
            ),
            "NotificationsWithSubscribers": [
                Match.object_like(
                    {
                        "Notification": Match.object_like(
                            {"ThresholdType": "ABSOLUTE_VALUE", "Threshold": t}
                        )
                    }
                )
                for t in (50, 100)
            ],
        },
    )
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@dogcare.example.com"}
    )


# -- compliance ------------------------------------------------------------------------------


def test_cdk_nag_and_data_protection_clean(result: SynthResult) -> None:
    assert [str(f) for f in result.findings] == []


def test_stateful_resources_keep_their_logical_ids(result: SynthResult, stage: str) -> None:
    check_stateful_manifest("dogcare", stage, result.templates)
