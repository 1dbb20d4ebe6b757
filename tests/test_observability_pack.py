"""ObservabilityPack: alert topic, dashboard, alarms with runbooks, budgets, discovery."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_cdk import Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template
from constructs import Construct

from petplatform_constructs import (
    AppClient,
    AuthPool,
    DataTable,
    ImageBuckets,
    ProfilesTable,
    PropError,
    SecureBucket,
    StageProfile,
    configure_platform,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.core.watch import Observable, Watcher
from petplatform_constructs.observability.pack import (
    AlarmRule,
    AlarmThresholds,
    AlarmWindow,
    BudgetSpec,
    ObservabilityPack,
    Panel,
    SlackChannel,
    WatchPlan,
)
from petplatform_constructs.observability.plans import alarm_panel
from petplatform_constructs.testing import (
    SynthResult,
    find_resources,
    make_app,
    resource_named,
    synth,
)

ALARM = "AWS::CloudWatch::Alarm"
TOPIC = "AWS::SNS::Topic"
BUDGET = "AWS::Budgets::Budget"
FILTER = "AWS::Logs::MetricFilter"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:dogcare-handler"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs-dlq"
TRAIL_LOG_GROUP = "aws-cloudtrail-logs-123456789012"

Synth = Callable[..., SynthResult]
_PACKS: dict[tuple[str, str], ObservabilityPack] = {}


# -- builders (one synthesis each per stage, shared by the whole session) ----------------------


def _default(stack: Stack) -> None:
    """Default props; the pack finds the table and the pool by walking the tree."""
    DataTable(stack, "Profiles", partition_key="id")
    AuthPool(stack, "Auth", clients=[AppClient("web", oauth=False)])
    _PACKS["default", _stage(stack)] = ObservabilityPack(stack, "Monitoring", discover=True)


def _full(stack: Stack) -> None:
    _PACKS["full", _stage(stack)] = _build_full(stack)


def _build_full(stack: Stack) -> ObservabilityPack:
    """Every feature and every resource type, shaped like Dog Care + HomeForPup."""
    stage = _stage(stack)
    profiles = DataTable(stack, "Profiles", partition_key="id")
    dogs = DataTable(stack, "Dogs", partition_key="id")
    pool = AuthPool(
        stack,
        "Auth",
        clients=[
            AppClient("web", callback_urls=["https://app.example.com/callback"]),
            AppClient("mobile", oauth=False),
        ],
    )
    images = ImageBuckets(stack, "Images")
    function = lambda_.Function.from_function_attributes(
        stack, "Handler", function_arn=FUNCTION_ARN, same_environment=True
    )
    pack = ObservabilityPack(
        stack,
        "Monitoring",
        name="ops",
        alarm_email_addresses=["ops@example.com", "oncall@example.com"],
        budgets=[
            BudgetSpec.monthly_cost_alerts(50, 100),
            BudgetSpec(
                "platform",
                500,
                email_addresses=["finance@example.com"],
                cost_allocation_tags={"Environment": stage},
            ),
        ],
        access_denied_log_group=TRAIL_LOG_GROUP,
        watch=[pool, images, profiles],
        export_prefix="PetTest-Monitoring",
    )
    pack.watch_table(dogs, throttle_threshold=5)
    pack.watch_lambda(function, duration_threshold=Duration.seconds(4))
    pack.watch_queue(sqs.Queue.from_queue_arn(stack, "Jobs", QUEUE_ARN))
    pack.watch_queue(sqs.Queue.from_queue_arn(stack, "JobsDlq", DLQ_ARN), dlq=True)
    pack.watch_rest_api(
        apigateway.RestApi.from_rest_api_id(stack, "RestApi", "a1b2c3d4e5"),
        api_name="dogcare-api",
        stage_name=stage,
    )
    pack.watch_http_api(
        apigatewayv2.HttpApi.from_http_api_attributes(stack, "HttpApi", http_api_id="h1i2j3k4l5")
    )
    return pack


def _existing_topic(stack: Stack) -> None:
    """An existing topic, explicit alarms in dev, a custom window and thresholds."""
    topic = sns.Topic(
        stack,
        "OpsTopic",
        master_key=kms.Key(stack, "OpsKey", enable_key_rotation=True),
        enforce_ssl=True,
    )
    ObservabilityPack(
        stack,
        "Monitoring",
        existing_alert_topic=topic,
        alarms_enabled=True,
        dashboard_name="pettest-operations",
        alarm_window=AlarmWindow(
            period=Duration.minutes(5), evaluation_periods=3, datapoints_to_alarm=2
        ),
        thresholds=AlarmThresholds(table_throttle_events=10),
        budgets=[BudgetSpec("dev-cost", 20)],
        watch=[DataTable(stack, "Orders", partition_key="id")],
    )


BUILDERS: dict[str, Callable[[Stack], None]] = {
    "default": _default,
    "full": _full,
    "existing-topic": _existing_topic,
}


def _stage(stack: Stack) -> str:
    return StageProfile.of(stack).stage.value


def _synth(stack_synth: Synth, builder: str, stage: str = "dev") -> SynthResult:
    return stack_synth(f"observability-{builder}", BUILDERS[builder], stage=stage)


def _template(stack_synth: Synth, builder: str, stage: str = "dev") -> Template:
    return _synth(stack_synth, builder, stage).template("Test")


def _json(stack_synth: Synth, builder: str, stage: str = "dev") -> dict[str, Any]:
    return _synth(stack_synth, builder, stage).template_json("Test")


def _alarm(template: dict[str, Any], path: str) -> dict[str, Any]:
    """The alarm at ``Monitoring/{path}``, e.g. ``Table-Profiles/Throttles``."""
    properties: dict[str, Any] = resource_named(template, ALARM, f"Monitoring/{path}")[1][
        "Properties"
    ]
    return properties


def _topic_ref(template: dict[str, Any], name: str = "Monitoring/AlertTopic") -> dict[str, str]:
    return {"Ref": resource_named(template, TOPIC, name)[0]}


def _dashboard(template: dict[str, Any]) -> dict[str, Any]:
    """The dashboard body as JSON; tokens (Refs, GetAtts) become ``"<token>"``."""
    (dashboard,) = find_resources(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    return json.loads("".join(p if isinstance(p, str) else "<token>" for p in parts))  # type: ignore[no-any-return]


def _widget_metrics(dashboard: dict[str, Any]) -> Iterator[list[Any]]:
    for widget in dashboard["widgets"]:
        if widget["type"] == "metric":
            yield from widget["properties"]["metrics"]


def _metric_names(dashboard: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m[0], m[1]) for m in _widget_metrics(dashboard) if isinstance(m[0], str)}


def _stack(stage: str = "dev") -> Stack:
    """A cheap stack for construction-time tests (no synthesis)."""
    app = make_app()
    configure_platform(app, project="PetTest", stage=stage, compliance=None)
    return Stack(app, "Test", env=Environment(account="123456789012", region="us-east-1"))


def _logical_id(construct: Construct) -> str:
    stack = Stack.of(construct)
    return str(stack.resolve(stack.get_logical_id(construct.node.default_child)))  # type: ignore[arg-type]


# -- stages, topic, dashboard ----------------------------------------------------------------------


def test_dev_has_the_dashboard_and_topic_but_no_alarms(stack_synth: Synth) -> None:
    for builder in ("default", "full"):
        template = _template(stack_synth, builder, "dev")
        template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
        template.resource_count_is(ALARM, 0)
        template.resource_count_is(TOPIC, 1)
    assert _PACKS["full", "dev"].alarms == []
    assert not _PACKS["full", "dev"].alarms_enabled


@pytest.mark.checklist("001#51")
def test_prod_alarms_notify_the_encrypted_ssl_only_topic_on_alarm_and_ok(
    stack_synth: Synth,
) -> None:
    template = _json(stack_synth, "default", "prod")
    assertions = Template.from_json(template)
    assertions.resource_count_is(ALARM, 2)
    key_id = resource_named(template, "AWS::KMS::Key", "Monitoring/AlertTopicKey")[0]
    assertions.has_resource_properties(
        TOPIC, {"KmsMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}, "TopicName": Match.absent()}
    )
    assertions.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    # the service principal's use of the key is scoped to this account's alarms and topics
    assertions.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Sid": "AllowCloudWatchAlarmsToUseTheKey",
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                                    "ArnLike": {
                                        "aws:SourceArn": Match.any_value(),
                                        "kms:EncryptionContext:aws:sns:topicArn": (
                                            Match.any_value()
                                        ),
                                    },
                                },
                            }
                        )
                    ]
                )
            }
        },
    )
    assertions.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Condition": Match.object_like(
                                    {"StringEquals": {"aws:SourceAccount": "123456789012"}}
                                ),
                            }
                        ),
                    ]
                )
            }
        },
    )
    topic = _topic_ref(template)
    for alarm in find_resources(template, ALARM).values():
        assert alarm["Properties"]["AlarmActions"] == [topic]
        assert alarm["Properties"]["OKActions"] == [topic]
        assert "Runbook: " in alarm["Properties"]["AlarmDescription"]


def test_the_topic_key_is_retained_in_prod_and_disposable_in_dev(stack_synth: Synth) -> None:
    for stage, policy in (("prod", "Retain"), ("dev", "Delete")):
        _template(stack_synth, "default", stage).has_resource(
            "AWS::KMS::Key", {"DeletionPolicy": policy, "UpdateReplacePolicy": policy}
        )


@pytest.mark.checklist("001#51")
def test_email_subscriptions_and_named_resources(stack_synth: Synth) -> None:
    template = _template(stack_synth, "full", "prod")
    for address in ("ops@example.com", "oncall@example.com"):
        template.has_resource_properties(
            "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": address}
        )
    template.resource_count_is("AWS::SNS::Subscription", 2)
    template.has_resource_properties(TOPIC, {"TopicName": "pettest-prod-ops"})
    template.has_resource_properties(
        "AWS::CloudWatch::Dashboard", {"DashboardName": "pettest-prod-ops"}
    )
    template.has_output(
        "*", {"Export": {"Name": "PetTest-Monitoring-AlertTopicArn"}, "Value": Match.any_value()}
    )
    template.has_output("*", {"Export": {"Name": "PetTest-Monitoring-DashboardName"}})


@pytest.mark.checklist("001#47", "000#61")
def test_dashboard_shows_api_lambda_dynamodb_and_cognito_metrics(stack_synth: Synth) -> None:
    for stage in ("dev", "prod"):
        names = _metric_names(_dashboard(_json(stack_synth, "full", stage)))
        assert {
            ("AWS/ApiGateway", "Count"),
            ("AWS/ApiGateway", "4XXError"),
            ("AWS/ApiGateway", "5XXError"),
            ("AWS/ApiGateway", "Latency"),
            ("AWS/ApiGateway", "5xx"),  # HTTP API
            ("AWS/Lambda", "Invocations"),
            ("AWS/Lambda", "Errors"),
            ("AWS/Lambda", "Duration"),
            ("AWS/Lambda", "Throttles"),
            ("AWS/DynamoDB", "ReadThrottleEvents"),
            ("AWS/DynamoDB", "WriteThrottleEvents"),
            ("AWS/DynamoDB", "ThrottledRequests"),
            ("AWS/DynamoDB", "ConsumedReadCapacityUnits"),
            ("AWS/Cognito", "SignInSuccesses"),
            ("AWS/Cognito", "SignUpSuccesses"),
            ("AWS/Cognito", "TokenRefreshSuccesses"),
            ("AWS/Cognito", "SignInThrottles"),
            ("AWS/S3", "BucketSizeBytes"),
            ("AWS/S3", "5xxErrors"),
            ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
            ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
            ("CloudTrailMetrics", f"AccessDenied-{stage}"),
        } <= names


def test_dashboard_draws_thresholds_and_alarm_status_only_where_alarms_exist(
    stack_synth: Synth,
) -> None:
    prod = _dashboard(_json(stack_synth, "default", "prod"))
    dev = _dashboard(_json(stack_synth, "default", "dev"))
    for body in (prod, dev):
        titles = [w["properties"].get("title") for w in body["widgets"]]
        throttles = body["widgets"][titles.index("Throttle events")]
        assert throttles["properties"]["annotations"]["horizontal"][0]["value"] == 1
    assert [w for w in prod["widgets"] if w["type"] == "alarm"]
    assert not [w for w in dev["widgets"] if w["type"] == "alarm"]
    assert "Alarms are off in stage dev" in dev["widgets"][0]["properties"]["markdown"]


# -- alarms, type by type ------------------------------------------------------------------------


@pytest.mark.checklist("000#59")
def test_dynamodb_throttle_alarm_per_table(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    table_id = resource_named(template, "AWS::DynamoDB::GlobalTable", "Profiles/Table")[0]
    alarm = _alarm(template, "Table-Profiles/Throttles")
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (5, 3)
    assert alarm["TreatMissingData"] == "notBreaching"
    stats = {m["Id"]: m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m}
    for metric_id, name in (("reads", "ReadThrottleEvents"), ("writes", "WriteThrottleEvents")):
        assert stats[metric_id]["Metric"] == {
            "Namespace": "AWS/DynamoDB",
            "MetricName": name,
            "Dimensions": [{"Name": "TableName", "Value": {"Ref": table_id}}],
        }
        assert stats[metric_id]["Stat"] == "Sum"
    assert [m["Expression"] for m in alarm["Metrics"] if "Expression" in m] == [
        "FILL(reads, 0) + FILL(writes, 0)"
    ]
    # A per-table override.
    assert _alarm(template, "Table-Dogs/Throttles")["Threshold"] == 5


@pytest.mark.checklist("000#61")
def test_cognito_sign_in_throttle_alarm_per_app_client(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    pool_id = resource_named(template, "AWS::Cognito::UserPool", "Auth/UserPool")[0]
    for client in ("web", "mobile"):
        client_id = resource_named(template, "AWS::Cognito::UserPoolClient", f"Client-{client}")[0]
        alarm = _alarm(template, f"UserPool-Auth/SignInThrottles-{client}")
        assert alarm["Namespace"] == "AWS/Cognito"
        assert alarm["MetricName"] == "SignInThrottles"
        assert alarm["Dimensions"] == [
            {"Name": "UserPool", "Value": {"Ref": pool_id}},
            {"Name": "UserPoolClient", "Value": {"Ref": client_id}},
        ]
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
            1,
            "GreaterThanOrEqualToThreshold",
        )


@pytest.mark.checklist("000#62")
def test_access_denied_metric_filter_and_alarm_only_with_a_trail_log_group(
    stack_synth: Synth,
) -> None:
    template = _json(stack_synth, "full", "prod")
    Template.from_json(template).has_resource_properties(
        FILTER,
        {
            "LogGroupName": TRAIL_LOG_GROUP,
            "FilterPattern": '{ ($.errorCode = "*UnauthorizedOperation") || '
            '($.errorCode = "AccessDenied*") }',
            "MetricTransformations": [
                {
                    "MetricNamespace": "CloudTrailMetrics",
                    "MetricName": "AccessDenied-prod",
                    "MetricValue": "1",
                }
            ],
        },
    )
    alarm = _alarm(template, "AccessDenied/Alarm")
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "CloudTrailMetrics",
        "AccessDenied-prod",
        "Sum",
    )
    assert alarm["Threshold"] == 1
    # The dev stage keeps the filter (the dashboard shows it) without the alarm.
    _template(stack_synth, "full", "dev").resource_count_is(FILTER, 1)
    # No log group configured: nothing (conflict 39).
    _template(stack_synth, "default", "prod").resource_count_is(FILTER, 0)


@pytest.mark.checklist("001#48")
def test_api_and_lambda_error_rate_alarms_use_metric_math(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    rest = _alarm(template, "RestApi-RestApi-prod/ErrorRate")
    assert (rest["Threshold"], rest["ComparisonOperator"]) == (5, "GreaterThanThreshold")
    assert [m["Expression"] for m in rest["Metrics"] if "Expression" in m] == [
        "100 * errors / requests"
    ]
    stats = {m["Id"]: m["MetricStat"]["Metric"] for m in rest["Metrics"] if "MetricStat" in m}
    dimensions = [{"Name": "ApiName", "Value": "dogcare-api"}, {"Name": "Stage", "Value": "prod"}]
    assert stats["errors"] == {
        "Namespace": "AWS/ApiGateway",
        "MetricName": "5XXError",
        "Dimensions": dimensions,
    }
    assert stats["requests"]["MetricName"] == "Count"
    http = _alarm(template, "HttpApi-HttpApi/ErrorRate")
    http_stats = {m["Id"]: m["MetricStat"]["Metric"] for m in http["Metrics"] if "MetricStat" in m}
    assert http_stats["errors"]["MetricName"] == "5xx"
    assert http_stats["errors"]["Dimensions"] == [{"Name": "ApiId", "Value": "h1i2j3k4l5"}]
    function = _alarm(template, "Function-Handler/ErrorRate")
    assert [m["Expression"] for m in function["Metrics"] if "Expression" in m] == [
        "100 * errors / invocations"
    ]
    assert (function["Threshold"], function["ComparisonOperator"]) == (5, "GreaterThanThreshold")


@pytest.mark.checklist("001#50")
def test_api_latency_alarms_above_two_seconds(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    for path, dimension in (
        ("RestApi-RestApi-prod/Latency", {"Name": "ApiName", "Value": "dogcare-api"}),
        ("HttpApi-HttpApi/Latency", {"Name": "ApiId", "Value": "h1i2j3k4l5"}),
    ):
        alarm = _alarm(template, path)
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/ApiGateway", "Latency")
        assert dimension in alarm["Dimensions"]
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (2000, "GreaterThanThreshold")
        assert alarm["ExtendedStatistic"] == "p90"


def test_lambda_throttle_and_duration_alarms(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    throttles = _alarm(template, "Function-Handler/Throttles")
    assert (throttles["Namespace"], throttles["MetricName"]) == ("AWS/Lambda", "Throttles")
    assert throttles["Dimensions"] == [{"Name": "FunctionName", "Value": "dogcare-handler"}]
    duration = _alarm(template, "Function-Handler/Duration")
    assert (duration["MetricName"], duration["ExtendedStatistic"]) == ("Duration", "p99")
    assert (duration["Threshold"], duration["ComparisonOperator"]) == (4000, "GreaterThanThreshold")


def test_queue_age_and_dead_letter_alarms(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    age = _alarm(template, "Queue-Jobs/OldestMessageAge")
    assert (age["Namespace"], age["MetricName"], age["Statistic"]) == (
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        "Maximum",
    )
    assert age["Dimensions"] == [{"Name": "QueueName", "Value": "jobs"}]
    assert age["Threshold"] == 300
    dlq = _alarm(template, "DeadLetterQueue-JobsDlq/Messages")
    assert dlq["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert dlq["Dimensions"] == [{"Name": "QueueName", "Value": "jobs-dlq"}]
    assert (dlq["Threshold"], dlq["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert (dlq["EvaluationPeriods"], dlq["DatapointsToAlarm"]) == (1, 1)


@pytest.mark.checklist("001#51")
def test_pack_alarms_lists_exactly_the_alarms_in_the_template(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    pack = _PACKS["full", "prod"]
    assert sorted(_logical_id(a) for a in pack.alarms) == sorted(find_resources(template, ALARM))
    assert len(pack.alarms) == 14
    topic = _topic_ref(template)
    for alarm in find_resources(template, ALARM).values():
        assert alarm["Properties"]["AlarmActions"] == [topic]
        assert alarm["Properties"]["OKActions"] == [topic]


# -- budgets -------------------------------------------------------------------------------


@pytest.mark.checklist("001#49", "001#51")
def test_cost_budgets_notify_the_topic(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full", "prod")
    assertions = Template.from_json(template)
    topic = _topic_ref(template)
    (monthly,) = [
        b["Properties"]
        for b in find_resources(template, BUDGET).values()
        if b["Properties"]["Budget"]["BudgetName"] == "pettest-prod-monthly-cost"
    ]
    assert monthly["Budget"] == {
        "BudgetName": "pettest-prod-monthly-cost",
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": 100, "Unit": "USD"},
    }
    assert [n["Notification"] for n in monthly["NotificationsWithSubscribers"]] == [
        {
            "ComparisonOperator": "GREATER_THAN",
            "NotificationType": "ACTUAL",
            "Threshold": amount,
            "ThresholdType": "ABSOLUTE_VALUE",
        }
        for amount in (50, 100)
    ]
    for notification in monthly["NotificationsWithSubscribers"]:
        assert notification["Subscribers"] == [{"SubscriptionType": "SNS", "Address": topic}]
    assertions.has_resource_properties(
        BUDGET,
        {
            "Budget": Match.object_like(
                {
                    "BudgetName": "pettest-prod-platform",
                    "BudgetLimit": {"Amount": 500, "Unit": "USD"},
                    "CostFilters": {"TagKeyValue": ["user:Environment$prod"]},
                }
            ),
            "NotificationsWithSubscribers": [
                {
                    "Notification": Match.object_like(
                        {"Threshold": percent, "ThresholdType": "PERCENTAGE"}
                    ),
                    "Subscribers": [
                        {"SubscriptionType": "SNS", "Address": topic},
                        {"SubscriptionType": "EMAIL", "Address": "finance@example.com"},
                    ],
                }
                for percent in (80, 100)
            ],
        },
    )
    # Budgets may publish (topic policy) and encrypt (key policy), scoped to this account.
    budgets_statement = Match.object_like(
        {
            "Principal": {"Service": "budgets.amazonaws.com"},
            "Condition": Match.object_like({"StringEquals": {"aws:SourceAccount": "123456789012"}}),
        }
    )
    assertions.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {"PolicyDocument": {"Statement": Match.array_with([budgets_statement])}},
    )
    assertions.has_resource_properties(
        "AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([budgets_statement])}}
    )
    # The policy exists before Budgets checks it.
    policy_id = next(iter(find_resources(template, "AWS::SNS::TopicPolicy")))
    for budget in find_resources(template, BUDGET).values():
        assert policy_id in budget["DependsOn"]


# -- an existing topic, explicit settings -----------------------------------------------------


def test_existing_topic_custom_window_thresholds_and_alarms_in_dev(stack_synth: Synth) -> None:
    template = _json(stack_synth, "existing-topic", "dev")
    assertions = Template.from_json(template)
    assertions.resource_count_is(TOPIC, 1)  # the given one; none created
    assertions.resource_count_is("AWS::KMS::Key", 1)
    topic = _topic_ref(template, "OpsTopic")
    alarm = _alarm(template, "Table-Orders/Throttles")
    assert alarm["AlarmActions"] == alarm["OKActions"] == [topic]
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (
        10,
        3,
        2,
    )
    assert {m["MetricStat"]["Period"] for m in alarm["Metrics"] if "MetricStat" in m} == {300}
    assertions.has_resource_properties(
        "AWS::CloudWatch::Dashboard", {"DashboardName": "pettest-operations"}
    )
    assertions.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [topic],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Principal": {"Service": "budgets.amazonaws.com"}})]
                )
            },
        },
    )
    assertions.has_resource_properties(
        BUDGET, {"Budget": Match.object_like({"BudgetName": "pettest-dev-dev-cost"})}
    )


def _warnings(result: SynthResult) -> list[str]:
    return [
        f"{path}: {entry['data']}"
        for metadata in result.outdir.glob("*.metadata.json")
        for path, entries in json.loads(metadata.read_text()).items()
        for entry in entries
        if entry["type"] in ("aws:cdk:warning", "aws:cdk:error")
    ]


# -- compliance ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "stage"),
    [
        ("default", "dev"),
        ("default", "prod"),
        ("full", "dev"),
        ("full", "prod"),
        ("existing-topic", "dev"),
    ],
)
def test_no_findings_and_no_cdk_warnings(stack_synth: Synth, builder: str, stage: str) -> None:
    result = _synth(stack_synth, builder, stage)
    assert result.error is None
    assert [str(f) for f in result.findings] == []
    # a prod-like pack whose topic nobody receives says so (the full pack has addresses)
    expected = [NO_SUBSCRIBER] if (builder, stage) == ("default", "prod") else []
    assert _warnings(result) == expected


NO_SUBSCRIBER = (
    "/Test/Monitoring: the alert topic has no subscriber in a prod-like stage, so alarms notify "
    "no one: give alarm email addresses, or subscribe an on-call tool to alert_topic "
    "[ack: petplatform:alert-topic-without-subscriber]"
)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_subscription_added_later_counts(stage: str) -> None:
    def build(app: Any) -> None:
        configure_platform(app, project="PetTest", stage=stage)
        stack = Stack(app, "Test", env=Environment(account="123456789012", region="us-east-1"))
        pack = ObservabilityPack(stack, "Monitoring")
        # an on-call tool, subscribed from another stack after the pack was built
        oncall = Stack(app, "OnCall", env=Environment(account="123456789012", region="us-east-1"))
        sns.Subscription(
            oncall,
            "Pager",
            topic=pack.alert_topic,
            protocol=sns.SubscriptionProtocol.HTTPS,
            endpoint="https://events.pager.example.com/integration",
        )

    result = synth(make_app(), build)
    assert [w for w in _warnings(result) if "subscriber" in w] == []


def test_full_pack_passes_strict_builtin_cloudformation_validation() -> None:
    """CloudFormation's own schema checks (budgets, filters, math alarms), warnings as errors."""
    app = make_app(strict=True)
    configure_platform(app, project="PetTest", stage="prod")
    _build_full(Stack(app, "Test", env=Environment(account="123456789012", region="us-east-1")))
    result = synth(app)
    assert result.error is None
    assert [str(f) for f in result.findings] == []


# -- construction-time behaviour (no synthesis) -------------------------------------------------


def test_discovery_walks_the_tree_and_lists_alarms_at_once() -> None:
    stack = _stack("prod")
    data = Construct(stack, "Data")
    tables = [DataTable(data, "Dogs", partition_key="id"), ProfilesTable(data, "Profiles")]
    pool = AuthPool(Construct(stack, "Identity"), "Auth", clients=[AppClient("web", oauth=False)])
    images = ImageBuckets(stack, "Images", access_logs=False)
    pack = ObservabilityPack(stack, "Monitoring")
    assert pack.alarms == []

    explicit = pack.watch_table(tables[0], throttle_threshold=7)
    found = pack.watch_all_in(stack)

    assert found == [tables[1], pool, images]  # Dogs was watched already: explicit wins
    assert pack.watched == [tables[0], tables[1], pool, images, *images.buckets]
    assert [a.node.path for a in pack.alarms] == [
        "Test/Monitoring/Table-Data-Dogs/Throttles",
        "Test/Monitoring/Table-Data-Profiles/Throttles",
        "Test/Monitoring/UserPool-Identity-Auth/SignInThrottles-web",
    ]
    assert explicit == pack.alarms[:1]
    assert Stack.of(pack).resolve(explicit[0].node.default_child.threshold) == 7  # type: ignore[union-attr]
    assert pack.watch_all_in(stack) == []  # idempotent


def test_discover_prop_and_dev_profile() -> None:
    stack = _stack("dev")
    DataTable(stack, "Dogs", partition_key="id")
    pack = ObservabilityPack(stack, "Monitoring", discover=True)
    assert [c.node.path for c in pack.watched] == ["Test/Dogs"]
    assert pack.alarms == []
    on = ObservabilityPack(stack, "Paging", alarms_enabled=True, discover=True)
    assert len(on.alarms) == 1  # the Dogs table; the other pack is not watched


class _Pipeline(Construct):
    """A stand-in for a later construct (FifoPipeline, EventBus) that registers its own parts.

    It uses only the ``Watcher`` protocol of ``core.watch`` and the plan types: the pack knows
    nothing about it, yet watches it explicitly or by discovery.
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        keep = RemovalPolicy.RETAIN
        self.dead_letters = sqs.Queue(self, "Dlq", enforce_ssl=True, removal_policy=keep)
        self.queue = sqs.Queue(
            self,
            "Queue",
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=self.dead_letters),
            removal_policy=keep,
        )
        self.worker = lambda_.Function(
            self,
            "Worker",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context): pass"),
            timeout=Duration.seconds(10),
        )

    def metric_lag(self) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="PetTest", metric_name="Lag", dimensions_map={"Pipeline": self.node.id}
        )

    def register_observability(self, watcher: Watcher) -> None:
        watcher.watch_queue(self.queue)  # its dead-letter queue comes along
        watcher.watch_lambda(self.worker)
        watcher.add_plan(
            self,
            WatchPlan(
                kind="Pipeline",
                title=f"Pipeline {self.node.path}",
                panels=[
                    alarm_panel(
                        "Lag",
                        self.metric_lag(),
                        id="Lag",
                        threshold=100,
                        comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        summary="The pipeline lags.",
                        runbook="scale the workers.",
                    ),
                    Panel("Throughput", [self.queue.metric_number_of_messages_sent()]),
                ],
            ),
        )


PIPELINE_ALARMS = [
    "Queue-{path}-Queue/OldestMessageAge",
    "DeadLetterQueue-{path}-Dlq/Messages",
    "Function-{path}-Worker/ErrorRate",
    "Function-{path}-Worker/Throttles",
    "Function-{path}-Worker/Duration",
    "Pipeline-{path}/Lag",
]


def _alarm_paths(alarms: list[cloudwatch.Alarm]) -> list[str]:
    return [a.node.path.removeprefix("Test/Monitoring/") for a in alarms]


def test_constructs_register_their_own_parts_through_the_protocol() -> None:
    stack = _stack("prod")
    pipeline = _Pipeline(stack, "Pipeline")
    pack = ObservabilityPack(stack, "Monitoring")
    alarms = pack.watch(pipeline)
    assert _alarm_paths(alarms) == [a.format(path="Pipeline") for a in PIPELINE_ALARMS]
    duration = alarms[4].node.default_child
    assert duration.threshold == 8000  # type: ignore[union-attr] # 0.8 x the 10 s timeout
    assert pack.watch_all_in(stack) == []  # registered parts are not found twice


def test_a_custom_observable_is_found_by_discovery() -> None:
    """A construct the library does not know, defined here, needs no edit in the pack."""
    stack = _stack("prod")
    orders = _Pipeline(Construct(stack, "Integration"), "Orders")
    table = DataTable(stack, "Dogs", partition_key="id")
    pack = ObservabilityPack(stack, "Monitoring", discover=True)
    assert isinstance(orders, Observable)
    assert pack.watched[:2] == [orders, orders.queue]
    assert table in pack.watched
    assert _alarm_paths(pack.alarms) == [
        *(a.format(path="Integration-Orders") for a in PIPELINE_ALARMS),
        "Table-Dogs/Throttles",
    ]
    assert pack.is_watched(orders) and pack.is_watched(orders.dead_letters)
    assert pack.watch_all_in(stack) == []
    template = Template.from_stack(stack)
    template.has_resource_properties(
        ALARM,
        {
            "MetricName": "Lag",
            "Namespace": "PetTest",
            "Dimensions": [{"Name": "Pipeline", "Value": "Orders"}],
            "AlarmDescription": "The pipeline lags. Runbook: scale the workers.",
        },
    )
    dashboard = _dashboard(template.to_json())
    texts = [w["properties"].get("markdown") for w in dashboard["widgets"] if w["type"] == "text"]
    assert "### Pipeline Test/Integration/Orders" in texts


def test_the_pack_implements_the_watcher_protocol_and_plans_are_per_service() -> None:
    watcher: Watcher = ObservabilityPack(_stack(), "Monitoring")
    assert {"watch_table", "watch_queue", "watch_lambda", "add_plan", "is_watched"} <= set(
        dir(watcher)
    )
    code = (
        "import json, sys; import petplatform_constructs.observability.plans.{module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(("
        "'aws_cdk.aws_', 'petplatform_constructs.observability')))))"
    )
    own = {"dynamodb": [], "sqs": [], "apigateway": ["aws_cdk.aws_apigateway"]}
    for module, services in own.items():
        loaded = json.loads(
            subprocess.check_output([sys.executable, "-c", code.format(module=module)], text=True)
        )
        plans = "petplatform_constructs.observability.plans"
        assert [m for m in loaded if m.startswith("petplatform_constructs")] == sorted(
            ["petplatform_constructs.observability", plans, f"{plans}.common", f"{plans}.{module}"]
        )
        assert {m.split("._")[0] for m in loaded if m.startswith("aws_cdk")} <= {
            "aws_cdk.aws_cloudwatch",
            "aws_cdk.aws_iam",  # what aws_apigateway itself loads
            *services,
        }


def test_generic_watch_dispatches_l2_interfaces() -> None:
    stack = _stack("prod")
    pack = ObservabilityPack(stack, "Monitoring")
    alarms = pack.watch(
        lambda_.Function.from_function_arn(stack, "Fn", FUNCTION_ARN),
        sqs.Queue.from_queue_arn(stack, "Jobs", QUEUE_ARN),
        apigateway.RestApi.from_rest_api_id(stack, "Rest", "a1b2c3d4e5"),
        apigatewayv2.HttpApi.from_http_api_attributes(stack, "Http", http_api_id="h1i2j3k4l5"),
        SecureBucket(stack, "Bucket"),
    )
    assert _alarm_paths(alarms) == [
        # An imported function has no known timeout: no duration alarm (and a warning).
        "Function-Fn/ErrorRate",
        "Function-Fn/Throttles",
        "Queue-Jobs/OldestMessageAge",
        "RestApi-Rest/ErrorRate",
        "RestApi-Rest/Latency",
        "HttpApi-Http/ErrorRate",
        "HttpApi-Http/Latency",
    ]
    warnings = [str(e.data) for e in pack.node.metadata if e.type == "aws:cdk:warning"]
    assert any("Test/Fn has no known timeout" in w for w in warnings)


# -- bad input: props --------------------------------------------------------------------------


class _Contains(str):
    """Equal to any message that contains it (to compare ``_problems`` in one assertion)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other

    __hash__ = str.__hash__


def _problems(build: Callable[[], object]) -> dict[str, str]:
    """``{prop: message}`` of every problem ``build`` raises (one PropError or PropErrors)."""
    with pytest.raises(PropError) as caught:
        build()
    errors = caught.value.errors if isinstance(caught.value, PropErrors) else [caught.value]
    return {e.prop: str(e) for e in errors}


def test_every_problem_is_reported_at_once_and_nothing_is_created() -> None:
    stack = _stack()
    problems = _problems(
        lambda: ObservabilityPack(
            stack,
            "Monitoring",
            alarm_emails=["ops@example.com"],  # type: ignore[typeddict-unknown-key]
            alarm_email_addresses=["ops-at-example.com", "a@example.com", "a@example.com"],
            dashboard_name="ops dashboard",
            alarm_window=AlarmWindow(datapoints_to_alarm=6),
            thresholds=AlarmThresholds(api_error_rate_percent=150),
            budgets=[BudgetSpec("cost", 0)],
            access_denied_log_group="bad group!",
            export_prefix="bad prefix!",
            discover="yes",  # type: ignore[typeddict-item]
        )
    )
    assert set(problems) == {
        "alarm_emails",
        "alarm_email_addresses",
        "dashboard_name",
        "alarm_window.datapoints_to_alarm",
        "thresholds.api_error_rate_percent",
        "budgets[0].limit_usd",
        "access_denied_log_group",
        "export_prefix",
        "discover",
    }
    assert (
        "not a prop of ObservabilityPack; known props: access_denied_log_group"
        in (problems["alarm_emails"])
    )
    assert "invalid discover='yes'; expected bool (got str)" in problems["discover"]
    assert stack.node.find_child("Monitoring").node.children == []


@pytest.mark.parametrize(
    ("prop", "value", "expected"),
    [
        ("alarm_email_addresses", "ops@example.com", "a list of str"),
        ("name", 5, "str"),
        ("topic_name", ["ops"], "str"),
        ("alarms_enabled", "yes", "bool"),
        ("alarm_window", 5, "AlarmWindow"),
        ("thresholds", {"api_latency_ms": 1000}, "AlarmThresholds"),
        ("watch", "Test/Dogs", "a list of Observable or dynamodb.ITable"),
        ("budgets", BudgetSpec("cost", 50), "a list of BudgetSpec"),
        ("access_denied_log_group", 42, "logs.ILogGroup or str"),
        ("encryption_key", "alias/ops", "kms.IKey"),
        ("export_prefix", 7, "str"),
        ("stage_profile", "prod", "StageProfile"),
        ("naming", "{resource}", "Naming"),
    ],
)
def test_refuses_a_wrong_python_type_naming_the_prop(
    prop: str, value: object, expected: str
) -> None:
    problems = _problems(lambda: ObservabilityPack(_stack(), "Monitoring", **{prop: value}))
    assert list(problems) == [prop]
    assert f"invalid {prop}={value!r}; expected {expected}" in problems[prop]


def test_refuses_wrong_types_inside_windows_thresholds_and_budgets() -> None:
    problems = _problems(
        lambda: ObservabilityPack(
            _stack(),
            "Monitoring",
            alarm_window=AlarmWindow(period=60, evaluation_periods="5"),  # type: ignore[arg-type]
            thresholds=AlarmThresholds(api_latency_ms="2000"),  # type: ignore[arg-type]
            budgets=[
                BudgetSpec(
                    "cost",
                    "50",  # type: ignore[arg-type]
                    thresholds_percent="80",  # type: ignore[arg-type]
                    cost_allocation_tags=["Environment"],  # type: ignore[arg-type]
                )
            ],
        )
    )
    assert problems == {
        "alarm_window.period": _Contains("alarm_window.period=60; a Duration (got int)"),
        "alarm_window.evaluation_periods": _Contains("'5'; an int (got str)"),
        "thresholds.api_latency_ms": _Contains("'2000'; a number (got str)"),
        "budgets[0].limit_usd": _Contains("'50'; a number (got str)"),
        "budgets[0].thresholds_percent": _Contains("'80'; a list or tuple of numbers"),
        "budgets[0].cost_allocation_tags": _Contains("a mapping (got list)"),
    }


def test_rejects_an_invalid_email_address() -> None:
    with pytest.raises(PropError, match=r"alarm_email_addresses='ops-at-example\.com'"):
        ObservabilityPack(_stack(), "Monitoring", alarm_email_addresses=["ops-at-example.com"])
    with pytest.raises(PropError, match=r"alarm_email_addresses=\['a@x\.io'\]; each address once"):
        ObservabilityPack(_stack(), "Monitoring", alarm_email_addresses=["a@x.io", "a@x.io"])


def test_rejects_thresholds_at_or_below_zero_and_percentages_above_100() -> None:
    stack = _stack()
    with pytest.raises(PropError, match=r"thresholds\.api_error_rate_percent=150.*\(0, 100\]"):
        ObservabilityPack(stack, "Other", thresholds=AlarmThresholds(api_error_rate_percent=150))
    with pytest.raises(PropError, match=r"thresholds\.queue_oldest_message_age_seconds=-5"):
        ObservabilityPack(
            stack, "Third", thresholds=AlarmThresholds(queue_oldest_message_age_seconds=-5)
        )
    with pytest.raises(PropError, match=r"lambda_duration_timeout_fraction=1\.5.*\(0, 1\]"):
        ObservabilityPack(
            stack, "Fourth", thresholds=AlarmThresholds(lambda_duration_timeout_fraction=1.5)
        )


def test_rejects_bad_budgets() -> None:
    with pytest.raises(PropError, match=r"budgets\[0\]\.limit_usd=0; must be > 0"):
        ObservabilityPack(_stack(), "Monitoring", budgets=[BudgetSpec("cost", 0)])
    with pytest.raises(PropError, match=r"budgets\[\]\.name=\['cost'\].*unique"):
        ObservabilityPack(
            _stack(), "Monitoring", budgets=[BudgetSpec("cost", 50), BudgetSpec("cost", 100)]
        )
    with pytest.raises(PropError, match=r"budgets\[0\]\.thresholds_percent=120"):
        ObservabilityPack(
            _stack(), "Monitoring", budgets=[BudgetSpec("cost", 50, thresholds_percent=(120,))]
        )
    with pytest.raises(PropError, match=r"budgets\[0\]\.name='a:b'"):
        ObservabilityPack(_stack(), "Monitoring", budgets=[BudgetSpec("a:b", 50)])
    problems = _problems(
        lambda: ObservabilityPack(
            _stack(),
            "Monitoring",
            budgets=[
                BudgetSpec(
                    "cost",
                    50,
                    thresholds_percent=(50, 50),
                    thresholds_usd=(10, 20, 30, 40),
                    email_addresses=[f"f{i}@example.com" for i in range(11)],
                    cost_allocation_tags={"Env$": "prod"},
                )
            ],
        )
    )
    assert set(problems) == {
        "budgets[0].thresholds_percent",  # repeated, and six thresholds in all
        "budgets[0].email_addresses",
        "budgets[0].cost_allocation_tags",
    }


def test_rejects_unsupported_things_and_says_what_is_supported() -> None:
    stack = _stack()
    pack = ObservabilityPack(stack, "Monitoring")
    topic = sns.Topic(stack, "Topic")
    with pytest.raises(
        PropError, match=r"invalid watch=.Topic at Test/Topic.*supported: a construct of this"
    ):
        pack.watch(topic)  # type: ignore[arg-type]
    with pytest.raises(PropError, match=r"invalid watch=\[.*Topic.*\]; expected a list of"):
        ObservabilityPack(stack, "Other", watch=[topic])  # type: ignore[list-item]
    table = DataTable(stack, "Dogs", partition_key="id")
    with pytest.raises(PropError, match=r"invalid watch=\['Test/Dogs'\]; each resource once"):
        ObservabilityPack(stack, "Third", watch=[table, table])


# -- bad input: the existing topic -----------------------------------------------------------


def test_an_existing_topic_refuses_every_topic_creation_prop() -> None:
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "Ops", "arn:aws:sns:us-east-1:123456789012:ops")
    with pytest.raises(
        PropError,
        match=r"existing_alert_topic='\w+ at Test/Ops'; an existing resource takes no creation "
        r"props; remove alarm_email_addresses, encryption_key, topic_name or drop "
        r"existing_alert_topic",
    ):
        ObservabilityPack(
            stack,
            "Monitoring",
            existing_alert_topic=topic,
            alarm_email_addresses=["ops@example.com"],
            topic_name="ops",
            encryption_key=kms.Key(stack, "Key"),
        )
    # Several problems at once: the conflict and a bad dashboard name.
    problems = _problems(
        lambda: ObservabilityPack(
            stack, "Other", existing_alert_topic=topic, topic_name="ops", dashboard_name="a b"
        )
    )
    assert set(problems) == {"existing_alert_topic", "dashboard_name"}


def test_an_existing_topic_takes_the_shared_props_and_creates_no_topic() -> None:
    stack = _stack("prod")
    topic = sns.Topic.from_topic_arn(stack, "Ops", "arn:aws:sns:us-east-1:123456789012:ops")
    pack = ObservabilityPack(stack, "Monitoring", existing_alert_topic=topic, name="ops")
    assert pack.alert_topic is topic
    assert pack.imported
    assert (pack.created_topic, pack.topic_key) == (None, None)
    template = Template.from_stack(stack)
    template.resource_count_is(TOPIC, 0)
    template.resource_count_is("AWS::KMS::Key", 0)
    template.has_resource_properties(
        "AWS::CloudWatch::Dashboard", {"DashboardName": "pettest-prod-ops"}
    )
    with pytest.raises(
        PropError, match=r"invalid existing_alert_topic='arn:aws:sns:.*'; an sns\.ITopic"
    ):
        ObservabilityPack(stack, "Other", existing_alert_topic="arn:aws:sns:us-east-1:1:ops")  # type: ignore[arg-type]


# -- bad input: names ------------------------------------------------------------------------


def test_names_are_validated_and_unique_per_account() -> None:
    app = make_app()
    configure_platform(app, project="PetTest", stage="prod", compliance=None)
    east = Stack(app, "East", env=Environment(account="123456789012", region="us-east-1"))
    west = Stack(app, "West", env=Environment(account="123456789012", region="eu-west-1"))
    other = Stack(app, "Other", env=Environment(account="210987654321", region="us-east-1"))
    budgets = [BudgetSpec("cost", 50)]
    ObservabilityPack(east, "Monitoring", name="ops", budgets=budgets)
    ObservabilityPack(other, "Monitoring", name="ops", budgets=budgets)  # another account
    problems = _problems(lambda: ObservabilityPack(west, "Monitoring", name="ops", budgets=budgets))
    # Dashboards and budgets are global: one name per account. Topics are regional.
    assert set(problems) == {"name", "budgets[0].name"}
    assert (
        "a unique CloudWatch dashboard name: East/Monitoring already uses it" in (problems["name"])
    )
    assert "a unique budget name" in problems["budgets[0].name"]
    # A literal overrides name for its resource; both are validated.
    problems = _problems(
        lambda: ObservabilityPack(
            west, "Named", name="west-ops", topic_name="ops.topic", dashboard_name="west ops"
        )
    )
    assert set(problems) == {"topic_name", "dashboard_name"}
    problems = _problems(lambda: ObservabilityPack(west, "Empty", name=" "))
    assert set(problems) == {"name"}


def test_without_a_naming_strategy_short_names_are_used_literally() -> None:
    app = make_app()
    stack = Stack(app, "Plain", env=Environment(account="123456789012", region="us-east-1"))
    ObservabilityPack(
        stack,
        "Monitoring",
        name="ops",
        budgets=[BudgetSpec("cost", 50)],
        stage_profile=StageProfile.for_stage("dev"),
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(TOPIC, {"TopicName": "ops"})
    template.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardName": "ops"})
    template.has_resource_properties(BUDGET, {"Budget": Match.object_like({"BudgetName": "cost"})})


# -- bad input: watch_* overrides ------------------------------------------------------------


def test_watch_methods_refuse_bad_overrides_all_at_once() -> None:
    stack = _stack()
    pack = ObservabilityPack(stack, "Monitoring")
    table = DataTable(stack, "Dogs", partition_key="id")
    with pytest.raises(PropError, match=r"invalid throttle_threshold=0; must be > 0"):
        pack.watch_table(table, throttle_threshold=0)
    with pytest.raises(PropError, match=r"invalid throttle_threshold='5'; a number"):
        pack.watch_table(table, throttle_threshold="5")  # type: ignore[arg-type]
    rest = apigateway.RestApi.from_rest_api_id(stack, "Rest", "a1")
    problems = _problems(
        lambda: pack.watch_rest_api(
            rest,
            error_rate_percent=150,
            latency=Duration.seconds(0),
            latency_statistic="p999x",
        )
    )
    assert set(problems) == {"error_rate_percent", "latency", "latency_statistic"}
    function = lambda_.Function.from_function_arn(stack, "Fn", FUNCTION_ARN)
    problems = _problems(
        lambda: pack.watch_lambda(
            function,
            error_rate_percent=0,
            throttle_threshold=-1,
            duration_threshold=4000,  # type: ignore[arg-type]
        )
    )
    assert problems == {
        "error_rate_percent": _Contains("(0, 100]"),
        "throttle_threshold": _Contains("must be > 0"),
        "duration_threshold": _Contains("a Duration (got int)"),
    }
    queue = sqs.Queue.from_queue_arn(stack, "Dlq", DLQ_ARN)
    with pytest.raises(PropError, match=r"max_age='5 minutes'; applies to work queues only"):
        pack.watch_queue(queue, dlq=True, max_age=Duration.minutes(5))
    assert not pack.watched  # nothing was watched by a refused call


def test_rejects_watching_a_resource_twice_and_bad_custom_plans() -> None:
    stack = _stack()
    pack = ObservabilityPack(stack, "Monitoring")
    table = DataTable(stack, "Dogs", partition_key="id")
    pack.watch_table(table)
    with pytest.raises(PropError, match=r"invalid watch='Test/Dogs'; each resource once"):
        pack.watch_table(table, throttle_threshold=3)
    cats = DataTable(stack, "Cats", partition_key="id")
    pack.watch(cats)
    with pytest.raises(PropError, match=r"invalid watch='Test/Cats'; each construct once"):
        pack.watch(cats)
    with pytest.raises(PropError, match=r"alarm_window\.period='30 seconds'"):
        ObservabilityPack(stack, "Third", alarm_window=AlarmWindow(period=Duration.seconds(30)))
    metric = cloudwatch.Metric(namespace="PetTest", metric_name="Lag")
    rule = AlarmRule(
        id="Lag",
        metric=metric,
        threshold=1,
        comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        summary="x" * 1100,
        runbook="scale.",
        datapoints_to_alarm=9,
    )
    bad = WatchPlan(kind="Custom", title="Custom", panels=[Panel("a", [metric], rule)] * 2)
    problems = _problems(lambda: pack.add_plan(Construct(stack, "Custom"), bad))
    assert set(problems) == {
        "plan.alarm ids",
        "plan Custom alarm Lag.datapoints_to_alarm",
        "plan Custom alarm Lag description",
    }


PAGERDUTY = "https://events.pagerduty.com/integration/abc123/enqueue"


def test_pagerduty_and_slack_receive_the_alarms() -> None:
    stack = _stack()
    pack = ObservabilityPack(
        stack,
        "Monitoring",
        alarm_https_endpoints=[PAGERDUTY],
        slack_channel=SlackChannel("T0123ABCD", "C0123ABCD", "ops-alerts"),
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "https", "Endpoint": PAGERDUTY}
    )
    topic = stack.resolve(pack.alert_topic.topic_arn)
    template.has_resource_properties(
        "AWS::Chatbot::SlackChannelConfiguration",
        {
            "ConfigurationName": "ops-alerts",
            "SlackWorkspaceId": "T0123ABCD",
            "SlackChannelId": "C0123ABCD",
            "SnsTopicArns": [topic],
            "GuardrailPolicies": ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
        },
    )
    (role,) = find_resources(template.to_json(), "AWS::IAM::Role").values()
    assert "Policies" not in role["Properties"] and "ManagedPolicyArns" not in role["Properties"]


def test_rejects_bad_channels_and_channels_on_an_existing_topic() -> None:
    with pytest.raises(PropErrors) as raised:
        ObservabilityPack(
            _stack(),
            "Monitoring",
            alarm_https_endpoints=["http://events.pagerduty.com/x"],
            slack_channel=SlackChannel("t0123", "C-1", "ops alerts"),
        )
    props = sorted(e.prop for e in raised.value.errors)
    assert props == [
        "alarm_https_endpoints",
        "slack_channel.channel_id",
        "slack_channel.configuration_name",
        "slack_channel.workspace_id",
    ]
    stack = _stack()
    with pytest.raises(PropError, match="remove alarm_https_endpoints or drop existing_alert"):
        ObservabilityPack(
            stack,
            "Monitoring",
            existing_alert_topic=sns.Topic(stack, "Topic"),
            alarm_https_endpoints=[PAGERDUTY],
        )
