"""Each serverless and monitoring model of ``moto_extensions``: created, read back through the
service APIs, updated and deleted. Templates are written by hand (no synthesis)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from botocore.exceptions import ClientError
from localcloud_templates import ACCOUNT, LAMBDA_ROLE, Json, join, lambda_uri, write_assembly

from petplatform_localcloud import LocalCloud, deploy, destroy, moto_extensions
from petplatform_localcloud.moto_extensions import (
    MotoVersionError,
    apigateway,
    apigateway_children,
    awslambda,
    budgets,
    cloudwatch,
    kms,
    messaging,
    secretsmanager,
    wafv2,
)

SERVERLESS = (
    secretsmanager, kms, awslambda, messaging, cloudwatch, budgets, wafv2, apigateway,
    apigateway_children,
)  # fmt: skip

pytestmark = pytest.mark.localcloud


def _template(version: int) -> Json:
    """Every extended type; version 2 changes what an update must apply in place."""
    key_statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    if version == 2:
        key_statement["Sid"] = "Root"
    api = {"Ref": "Api"}
    resources: Json = {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": f"ext key v{version}",
                "EnableKeyRotation": True,
                "PendingWindowInDays": 7,
                "KeyPolicy": {"Version": "2012-10-17", "Statement": [key_statement]},
                "Tags": [{"Key": "team", "Value": "pets"}],
            },
        },
        "Generated": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Name": "ext/generated",
                "Description": f"generated v{version}",
                "GenerateSecretString": {
                    "SecretStringTemplate": '{"user": "app"}',
                    "GenerateStringKey": "password",
                    "PasswordLength": 24,
                    "ExcludePunctuation": True,
                },
                "Tags": [{"Key": "team", "Value": "pets"}],
            },
        },
        "Literal": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {"SecretString": '{"api_key": "k"}', "KmsKeyId": {"Ref": "Key"}},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "ext-alerts"}},
        "Subscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": "Topic"},
                "Protocol": "email",
                "Endpoint": "oncall@example.com",
                "FilterPolicy": {"severity": ["high"]},
            },
        },
        "TopicPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "Topic"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AlarmsPublish",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudwatch.amazonaws.com"},
                            "Action": "sns:Publish",
                            "Resource": {"Ref": "Topic"},
                        }
                    ],
                },
            },
        },
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "ext-queue"}},
        "QueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": "Queue"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "TopicSends",
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
                        }
                    ],
                },
            },
        },
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": "ext-latency",
                "Namespace": "AWS/ApiGateway",
                "MetricName": "Latency",
                "Dimensions": [{"Name": "ApiName", "Value": "ext"}],
                "ExtendedStatistic": "p95",
                "Period": 60,
                "EvaluationPeriods": 5,
                "Threshold": 2000 if version == 1 else 3000,
                "ComparisonOperator": "GreaterThanThreshold",
                "AlarmActions": [{"Ref": "Topic"}],
                "TreatMissingData": "notBreaching",
            },
        },
        "MathAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": "error rate",
                "EvaluationPeriods": 3,
                "Threshold": 5,
                "ComparisonOperator": "GreaterThanThreshold",
                "Metrics": [
                    {"Id": "rate", "Expression": "100 * errors / calls", "ReturnData": True},
                    {
                        "Id": "errors",
                        "ReturnData": False,
                        "MetricStat": {
                            "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors"},
                            "Period": 60,
                            "Stat": "Sum",
                        },
                    },
                    {
                        "Id": "calls",
                        "ReturnData": False,
                        "MetricStat": {
                            "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations"},
                            "Period": 60,
                            "Stat": "Sum",
                        },
                    },
                ],
            },
        },
        "Budget": {
            "Type": "AWS::Budgets::Budget",
            "Properties": {
                "Budget": {
                    "BudgetName": "ext-monthly",
                    "BudgetType": "COST",
                    "TimeUnit": "MONTHLY",
                    "BudgetLimit": {"Amount": 100, "Unit": "USD"},
                },
                "NotificationsWithSubscribers": [
                    {
                        "Notification": {
                            "NotificationType": "ACTUAL",
                            "ComparisonOperator": "GREATER_THAN",
                            "Threshold": threshold,
                            "ThresholdType": "ABSOLUTE_VALUE",
                        },
                        "Subscribers": [{"SubscriptionType": "SNS", "Address": {"Ref": "Topic"}}],
                    }
                    for threshold in (50, 100)
                ],
            },
        },
        "Role": LAMBDA_ROLE,
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "FunctionName": "ext-fn",
                "Runtime": "python3.11",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return {}\n"},
            },
        },
        "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "ext-pool"}},
        "Api": {
            "Type": "AWS::ApiGateway::RestApi",
            "Properties": {
                "Name": "ext-api",
                "Description": f"v{version}",
                "BinaryMediaTypes": ["image/png"],
                "Tags": [{"Key": "team", "Value": "pets"}],
            },
        },
        "Items": {
            "Type": "AWS::ApiGateway::Resource",
            "Properties": {
                "RestApiId": api,
                "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "PathPart": "items",
            },
        },
        "Authorizer": {
            "Type": "AWS::ApiGateway::Authorizer",
            "Properties": {
                "RestApiId": api,
                "Name": "pool",
                "Type": "COGNITO_USER_POOLS",
                "IdentitySource": "method.request.header.Authorization",
                "ProviderARNs": [{"Fn::GetAtt": ["Pool", "Arn"]}],
            },
        },
        "Model": {
            "Type": "AWS::ApiGateway::Model",
            "Properties": {
                "RestApiId": api,
                "Name": "Item",
                "ContentType": "application/json",
                "Schema": {"type": "object", "required": ["name"]},
            },
        },
        "Validator": {
            "Type": "AWS::ApiGateway::RequestValidator",
            "Properties": {
                "RestApiId": api,
                "ValidateRequestBody": True,
                "ValidateRequestParameters": False,
            },
        },
        "Post": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": api,
                "ResourceId": {"Ref": "Items"},
                "HttpMethod": "POST",
                "AuthorizationType": "COGNITO_USER_POOLS",
                "AuthorizerId": {"Ref": "Authorizer"},
                "RequestModels": {"application/json": {"Ref": "Model"}},
                "RequestValidatorId": {"Ref": "Validator"},
                "RequestParameters": {"method.request.header.Idempotency-Key": True},
                "Integration": {
                    "Type": "AWS_PROXY",
                    "IntegrationHttpMethod": "POST",
                    "TimeoutInMillis": 29000,
                    "Uri": lambda_uri("Function"),
                },
            },
        },
        "Options": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": api,
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
                                "method.response.header.Access-Control-Allow-Origin": "'*'"
                            },
                        }
                    ],
                },
                "MethodResponses": [
                    {
                        "StatusCode": "204",
                        "ResponseParameters": {
                            "method.response.header.Access-Control-Allow-Origin": True
                        },
                    }
                ],
            },
        },
        "Deployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": ["Post", "Options"],
            "Properties": {"RestApiId": api, "Description": "first"},
        },
        "Stage": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {
                "RestApiId": api,
                "DeploymentId": {"Ref": "Deployment"},
                "StageName": "live",
                "TracingEnabled": True,
                "Variables": {"color": "blue" if version == 1 else "green"},
                "MethodSettings": [
                    {
                        "HttpMethod": "*",
                        "ResourcePath": "/*",
                        "ThrottlingRateLimit": 100,
                        "ThrottlingBurstLimit": 200,
                        "MetricsEnabled": True,
                        "LoggingLevel": "INFO",
                    }
                ],
            },
        },
        "Gateway4xx": {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": api,
                "ResponseType": "DEFAULT_4XX",
                "ResponseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
            },
        },
        "Account": {
            "Type": "AWS::ApiGateway::Account",
            "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
        },
        "WebAcl": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": "ext-acl",
                "Scope": "REGIONAL",
                "DefaultAction": {"Allow": {}},
                "VisibilityConfig": {
                    "CloudWatchMetricsEnabled": True,
                    "MetricName": "ext",
                    "SampledRequestsEnabled": True,
                },
                "Rules": [
                    {
                        "Name": "PerIp",
                        "Priority": 0,
                        "Action": {"Block": {}},
                        "Statement": {
                            "RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 1000}
                        },
                        "VisibilityConfig": {
                            "CloudWatchMetricsEnabled": True,
                            "MetricName": "PerIp",
                            "SampledRequestsEnabled": True,
                        },
                    }
                ],
            },
        },
        "WebAclAssociation": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {
                "WebACLArn": {"Fn::GetAtt": ["WebAcl", "Arn"]},
                "ResourceArn": join(
                    "arn:aws:apigateway:us-east-1::/restapis/", api, "/stages/", {"Ref": "Stage"}
                ),
            },
        },
        "WafLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": "aws-waf-logs-ext", "RetentionInDays": 7},
        },
        "WafLogging": {
            "Type": "AWS::WAFv2::LoggingConfiguration",
            "DependsOn": ["WafLogs"],
            "Properties": {
                "ResourceArn": {"Fn::GetAtt": ["WebAcl", "Arn"]},
                "LogDestinationConfigs": [
                    f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-ext"
                ],
                "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}],
            },
        },
    }
    if version == 1:  # version 2 removes the permission: its statement must go
        resources["Permission"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Fn::GetAtt": ["Function", "Arn"]},
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": join(f"arn:aws:execute-api:us-east-1:{ACCOUNT}:", api, "/*/*/*"),
            },
        }
    outputs = {
        "KeyArn": {"Fn::GetAtt": ["Key", "Arn"]},
        "KeyId": {"Ref": "Key"},
        "GeneratedArn": {"Ref": "Generated"},
        "LiteralId": {"Fn::GetAtt": ["Literal", "Id"]},
        "SubscriptionArn": {"Ref": "Subscription"},
        "AlarmArn": {"Fn::GetAtt": ["Alarm", "Arn"]},
        "MathAlarmName": {"Ref": "MathAlarm"},
        "BudgetName": {"Ref": "Budget"},
        "ApiId": {"Ref": "Api"},
        "RootResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
        "DeploymentId": {"Ref": "Deployment"},
        "StageName": {"Ref": "Stage"},
        "AuthorizerId": {"Ref": "Authorizer"},
        "ValidatorId": {"Ref": "Validator"},
        "ModelName": {"Ref": "Model"},
        "WebAclArn": {"Fn::GetAtt": ["WebAcl", "Arn"]},
    }
    return {"Resources": resources, "Outputs": {k: {"Value": v} for k, v in outputs.items()}}


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(log=None) as started:
        yield started


@pytest.fixture(scope="module")
def outputs(cloud: LocalCloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Json]:
    root = write_assembly(tmp_path_factory.mktemp("ext-v1"), "ServerlessExt", _template(1))
    report = deploy(cloud, root)
    yield dict(report.outputs("ServerlessExt"))
    destroy(cloud, root)


# ---- registration ------------------------------------------------------------------------------


def test_install_needs_a_supported_moto(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_extensions.metadata, "version", lambda name: "5.3.0")
    with pytest.raises(MotoVersionError, match=r"moto>=5\.2\.5,<5\.3"):
        moto_extensions.install()


def test_every_extended_type_is_supported(cloud: LocalCloud) -> None:
    supported = moto_extensions.supported_types()
    for model in (model for module in SERVERLESS for model in module.EXTENSIONS):
        assert model.cloudformation_type() in supported
        assert parsing_model(model.cloudformation_type()) is model


def parsing_model(resource_type: str) -> Any:
    from moto.cloudformation import parsing

    return parsing.get_model_map()[resource_type]


# ---- each type, as the service APIs see it ------------------------------------------------


def test_kms_key_policy_tags_rotation(cloud: LocalCloud, outputs: Json) -> None:
    kms = cloud.client("kms")
    key_id = outputs["KeyId"]
    assert outputs["KeyArn"].endswith(f":key/{key_id}")
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Action"] == "kms:*"
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "team", "TagValue": "pets"}]
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "ext key v1"


def test_secrets_generated_and_literal(cloud: LocalCloud, outputs: Json) -> None:
    sm = cloud.client("secretsmanager")
    generated = json.loads(sm.get_secret_value(SecretId=outputs["GeneratedArn"])["SecretString"])
    assert generated["user"] == "app" and len(generated["password"]) == 24
    assert generated["password"].isalnum()  # ExcludePunctuation
    described = sm.describe_secret(SecretId="ext/generated")
    assert described["ARN"] == outputs["GeneratedArn"]
    assert described["Tags"] == [{"Key": "team", "Value": "pets"}]
    literal = sm.get_secret_value(SecretId=outputs["LiteralId"])["SecretString"]
    assert literal == '{"api_key": "k"}'
    assert sm.describe_secret(SecretId=outputs["LiteralId"])["KmsKeyId"] == outputs["KeyId"]


def test_sns_subscription_and_topic_policy(cloud: LocalCloud, outputs: Json) -> None:
    sns = cloud.client("sns")
    arn = outputs["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert (attributes["Protocol"], attributes["Endpoint"]) == ("email", "oncall@example.com")
    assert json.loads(attributes["FilterPolicy"]) == {"severity": ["high"]}
    topic = attributes["TopicArn"]
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["AlarmsPublish"]


def test_sqs_queue_policy(cloud: LocalCloud, outputs: Json) -> None:
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="ext-queue")["QueueUrl"]
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(policy["Policy"])["Statement"][0]["Sid"] == "TopicSends"


def test_alarms_single_metric_and_metric_math(cloud: LocalCloud, outputs: Json) -> None:
    cloudwatch = cloud.client("cloudwatch")
    (latency,) = cloudwatch.describe_alarms(AlarmNames=["ext-latency"])["MetricAlarms"]
    assert latency["AlarmArn"] == outputs["AlarmArn"]
    assert (latency["ExtendedStatistic"], latency["Threshold"]) == ("p95", 2000)
    assert latency["AlarmActions"] == [outputs["SubscriptionArn"].rsplit(":", 1)[0]]
    (rate,) = cloudwatch.describe_alarms(AlarmNames=[outputs["MathAlarmName"]])["MetricAlarms"]
    expression = [m for m in rate["Metrics"] if "Expression" in m]
    assert expression[0]["Expression"] == "100 * errors / calls"
    assert {m["Id"] for m in rate["Metrics"]} == {"rate", "errors", "calls"}


def test_budget_with_notifications(cloud: LocalCloud, outputs: Json) -> None:
    budgets = cloud.client("budgets")
    budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName=outputs["BudgetName"])["Budget"]
    assert budget["BudgetLimit"] == {"Amount": "100", "Unit": "USD"}
    notifications = budgets.describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName="ext-monthly"
    )["Notifications"]
    assert sorted(n["Threshold"] for n in notifications) == [50, 100]


def test_lambda_permission_has_an_id_and_a_statement(cloud: LocalCloud, outputs: Json) -> None:
    resources = cloud.client("cloudformation").describe_stack_resources(StackName="ServerlessExt")
    (permission,) = [
        r for r in resources["StackResources"] if r["ResourceType"] == "AWS::Lambda::Permission"
    ]
    statement_id = permission["PhysicalResourceId"]
    policy = json.loads(cloud.client("lambda").get_policy(FunctionName="ext-fn")["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Sid"] == statement_id
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}


def test_rest_api_is_complete_in_the_api_gateway_backend(cloud: LocalCloud, outputs: Json) -> None:
    apigw = cloud.client("apigateway")
    api_id = outputs["ApiId"]
    api = apigw.get_rest_api(restApiId=api_id)
    assert (api["name"], api["binaryMediaTypes"], api["tags"]) == (
        "ext-api",
        ["image/png"],
        {"team": "pets"},
    )
    assert api["rootResourceId"] == outputs["RootResourceId"]
    items = {r["path"]: r for r in apigw.get_resources(restApiId=api_id)["items"]}["/items"]
    post = apigw.get_method(restApiId=api_id, resourceId=items["id"], httpMethod="POST")
    assert post["authorizerId"] == outputs["AuthorizerId"]
    assert post["requestModels"] == {"application/json": "Item"}
    assert post["requestValidatorId"] == outputs["ValidatorId"]
    assert post["requestParameters"] == {"method.request.header.Idempotency-Key": True}
    assert post["methodIntegration"]["timeoutInMillis"] == 29000
    assert post["methodIntegration"]["uri"].endswith(":function:ext-fn/invocations")
    options = apigw.get_method(restApiId=api_id, resourceId=items["id"], httpMethod="OPTIONS")
    response = options["methodIntegration"]["integrationResponses"]["204"]
    assert response["responseParameters"] == {
        "method.response.header.Access-Control-Allow-Origin": "'*'"
    }
    assert options["methodResponses"]["204"]["responseParameters"]
    (authorizer,) = apigw.get_authorizers(restApiId=api_id)["items"]
    assert authorizer["type"] == "COGNITO_USER_POOLS" and authorizer["providerARNs"][0].startswith(
        f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/"
    )
    model = apigw.get_model(restApiId=api_id, modelName=outputs["ModelName"])
    assert json.loads(model["schema"]) == {"type": "object", "required": ["name"]}
    (validator,) = apigw.get_request_validators(restApiId=api_id)["items"]
    assert (validator["validateRequestBody"], validator["validateRequestParameters"]) == (
        True,
        False,
    )
    stage = apigw.get_stage(restApiId=api_id, stageName=outputs["StageName"])
    assert stage["deploymentId"] == outputs["DeploymentId"]
    assert stage["tracingEnabled"] is True and stage["variables"] == {"color": "blue"}
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 100
    assert stage["webAclArn"] == outputs["WebAclArn"]
    response_4xx = apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert response_4xx["responseParameters"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"
    }


def test_web_acl_with_its_rules(cloud: LocalCloud, outputs: Json) -> None:
    wafv2 = cloud.client("wafv2")
    arn = outputs["WebAclArn"]
    acl_id = arn.rsplit("/", 1)[-1]
    acl = wafv2.get_web_acl(Name="ext-acl", Scope="REGIONAL", Id=acl_id)["WebACL"]
    assert acl["Rules"][0]["Statement"]["RateBasedStatement"]["Limit"] == 1000
    stage_arn = f"arn:aws:apigateway:us-east-1::/restapis/{outputs['ApiId']}/stages/live"
    assert wafv2.get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]["ARN"] == arn
    logging = wafv2.get_logging_configuration(ResourceArn=arn)["LoggingConfiguration"]
    assert logging["LogDestinationConfigs"] == [
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-ext"
    ]
    assert logging["RedactedFields"] == [{"SingleHeader": {"Name": "authorization"}}]


# ---- update and delete --------------------------------------------------------------------------


def test_update_in_place_then_delete_everything(
    cloud: LocalCloud, outputs: Json, tmp_path: Path
) -> None:
    """Last in the module: updates the module's stack to version 2, then deletes it."""
    v2 = write_assembly(tmp_path, "ServerlessExt", _template(2))
    first = outputs
    sm, kms, apigw = cloud.client("secretsmanager"), cloud.client("kms"), cloud.client("apigateway")
    value = sm.get_secret_value(SecretId=first["GeneratedArn"])["SecretString"]

    updated = deploy(cloud, v2)
    assert updated.stacks[0].action == "update"
    second = dict(updated.outputs("ServerlessExt"))
    for kept in ("GeneratedArn", "KeyId", "ApiId", "StageName", "DeploymentId", "BudgetName"):
        assert second[kept] == first[kept], kept
    assert sm.get_secret_value(SecretId=first["GeneratedArn"])["SecretString"] == value
    assert sm.describe_secret(SecretId=first["GeneratedArn"])["Description"] == "generated v2"
    policy = json.loads(kms.get_key_policy(KeyId=first["KeyId"], PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Sid"] == "Root"
    assert apigw.get_rest_api(restApiId=first["ApiId"])["description"] == "v2"
    stage = apigw.get_stage(restApiId=first["ApiId"], stageName="live")
    assert stage["variables"] == {"color": "green"}
    (alarm,) = cloud.client("cloudwatch").describe_alarms(AlarmNames=["ext-latency"])[
        "MetricAlarms"
    ]
    assert alarm["Threshold"] == 3000
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        cloud.client("lambda").get_policy(FunctionName="ext-fn")  # the permission went

    destroy(cloud, v2)
    assert sm.list_secrets()["SecretList"] == []
    assert kms.describe_key(KeyId=first["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert apigw.get_rest_apis()["items"] == []
    assert cloud.client("sns").list_subscriptions()["Subscriptions"] == []
    assert cloud.client("cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert cloud.client("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []
    assert cloud.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    with pytest.raises(ClientError, match="WAFNonexistentItemException"):
        cloud.client("wafv2").get_logging_configuration(ResourceArn=first["WebAclArn"])
