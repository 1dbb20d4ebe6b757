"""The REST API of a ServerlessApi: methods, authorizer, models, CORS, logs and WAF.

Construct ids under the ServerlessApi (a public contract): ``Api``, ``ExecutionLogs``,
``RequestValidator``, ``Authorizer``, ``Model-{title}``, ``Waf`` (``WebAcl``, ``Logs``,
``Logging``) and ``WafAssociation``; at the stack root, one per stack,
``PetPlatformApiGatewayCloudWatchLogging`` (``Role``, ``Account``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from petplatform_constructs.compute.serverless_api.routes import (
    RouteSpec,
    model_name,
    request_schema,
)
from petplatform_constructs.compute.serverless_api.validation import ApiPlan
from petplatform_constructs.compute.serverless_api.waf import RateLimitWebAcl
from petplatform_constructs.core.iam import flatten_cfn_reference
from petplatform_constructs.platform.compliance import acknowledge

__all__ = ["ACCOUNT_LOGGING_ID", "RestParts", "build_rest"]

ACCOUNT_LOGGING_ID = "PetPlatformApiGatewayCloudWatchLogging"
"""Construct id of the account-level API Gateway logging role, at the stack root."""

# One JSON object per request: who (IP, user), what (route, status), how long.
_ACCESS_LOG = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "user": "$context.authorizer.claims.sub",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "error": "$context.error.message",
    "wafStatus": "$context.waf.status",
}


@dataclass
class RestParts:
    """What :func:`build_rest` created."""

    api: apigateway.RestApi
    execution_log_group: logs.LogGroup
    request_validator: apigateway.RequestValidator
    authorizer: apigateway.CognitoUserPoolsAuthorizer | None
    models: dict[str, apigateway.Model] = field(default_factory=dict)
    web_acl: wafv2.CfnWebACL | None = None
    web_acl_arn: str | None = None
    waf_log_group: logs.LogGroup | None = None


def build_rest(
    scope: Construct,
    plan: ApiPlan,
    functions: Mapping[str, lambda_.IFunction],
    access_log_group: logs.ILogGroup,
    log_key: kms.IKey | None = None,
) -> RestParts:
    """Create the REST API of ``plan`` in ``scope``, its methods calling ``functions``; its
    log groups are encrypted with ``log_key`` when given."""
    api = apigateway.RestApi(
        scope,
        "Api",
        rest_api_name=plan.api_name,
        description=f"{scope.node.path} ({len(plan.routes)} routes)",
        endpoint_types=[apigateway.EndpointType.REGIONAL],
        cloud_watch_role=False,
        deploy_options=apigateway.StageOptions(
            stage_name=plan.stage_name,
            throttling_rate_limit=plan.rate_limit,
            throttling_burst_limit=plan.burst_limit,
            logging_level=plan.log_level,
            data_trace_enabled=False,  # full request/response bodies would log personal data
            metrics_enabled=True,
            tracing_enabled=True,
            access_log_destination=apigateway.LogGroupLogDestination(access_log_group),
            access_log_format=apigateway.AccessLogFormat.custom(json.dumps(_ACCESS_LOG)),
        ),
    )
    # API Gateway would create this group on first use, with no retention at all.
    execution_logs = logs.LogGroup(
        scope,
        "ExecutionLogs",
        log_group_name=f"API-Gateway-Execution-Logs_{api.rest_api_id}/{plan.stage_name}",
        retention=plan.profile.log_retention,
        removal_policy=plan.profile.removal_policy,
        deletion_protection_enabled=plan.profile.deletion_protection,
        encryption_key=log_key,
    )
    api.deployment_stage.node.add_dependency(execution_logs)
    if plan.cloud_watch_role:
        api.deployment_stage.node.add_dependency(_account_logging(Stack.of(scope)).account)
    parts = RestParts(
        api=api,
        execution_log_group=execution_logs,
        # APIG2 wants a validator of bodies and parameters; methods with a model use it.
        request_validator=apigateway.RequestValidator(
            scope,
            "RequestValidator",
            rest_api=api,
            validate_request_body=True,
            validate_request_parameters=True,
        ),
        authorizer=(
            apigateway.CognitoUserPoolsAuthorizer(
                scope, "Authorizer", cognito_user_pools=[plan.user_pool]
            )
            if plan.user_pool is not None and any(r.authorization == "cognito" for r in plan.routes)
            else None
        ),
    )
    _add_methods(scope, plan, parts, functions)
    _add_waf(scope, plan, parts, log_key)
    return parts


def _add_methods(
    scope: Construct, plan: ApiPlan, parts: RestParts, functions: Mapping[str, lambda_.IFunction]
) -> None:
    api = parts.api
    integrations = {
        name: apigateway.LambdaIntegration(function, allow_test_invoke=False, timeout=plan.timeout)
        for name, function in functions.items()
    }
    methods_by_path: dict[str, list[str]] = {}
    for route in plan.routes:
        # Resource, then model, then method: the deployment's logical id hashes them in order.
        resource = api.root.resource_for_path(route.path)
        model = _request_model(scope, parts, route)
        cognito_route = route.authorization == "cognito"
        method = resource.add_method(
            route.method.upper(),
            integrations[route.function],
            authorization_type=(
                apigateway.AuthorizationType.COGNITO
                if cognito_route
                else apigateway.AuthorizationType.NONE
            ),
            authorizer=parts.authorizer if cognito_route else None,
            request_models={"application/json": model} if model else None,
            request_parameters={
                f"method.request.header.{header}": True for header in route.required_headers
            }
            or None,
            request_validator=(
                parts.request_validator if model or route.required_headers else None
            ),
        )
        methods_by_path.setdefault(route.path, []).append(route.method.upper())
        if route.authorization == "none":
            _acknowledge_public_method(method, route)
    cors = plan.cors
    if not cors.origins:
        return
    for path, methods in methods_by_path.items():
        api.root.resource_for_path(path).add_cors_preflight(
            allow_origins=list(cors.origins),
            allow_methods=methods,
            allow_headers=list(cors.headers),
            max_age=cors.max_age,
        )
    if len(cors.origins) == 1:
        # Errors API Gateway answers itself (401 from the authorizer, 429, 504...) also need
        # the header, or browsers hide them behind a CORS error.
        origin = {"Access-Control-Allow-Origin": f"'{cors.origins[0]}'"}
        for response_id, response_type in (
            ("Default4xx", apigateway.ResponseType.DEFAULT_4_XX),
            ("Default5xx", apigateway.ResponseType.DEFAULT_5_XX),
        ):
            api.add_gateway_response(response_id, type=response_type, response_headers=origin)


def _request_model(scope: Construct, parts: RestParts, route: RouteSpec) -> apigateway.Model | None:
    """The route's model, created once per title and shared by the routes that use it."""
    if route.request_model is None:
        return None
    title = model_name(route)
    if title not in parts.models:
        model = apigateway.Model(
            scope,
            f"Model-{title}",
            rest_api=parts.api,
            model_name=title,
            content_type="application/json",
            schema=apigateway.JsonSchema(
                schema=apigateway.JsonSchemaVersion.DRAFT4,
                title=title,
                type=apigateway.JsonSchemaType.OBJECT,
            ),
        )
        # The L2 takes a typed JsonSchema; the user's schema is plain JSON, which
        # CloudFormation takes as is, so it replaces the placeholder unchanged.
        cfn_model = model.node.default_child
        assert isinstance(cfn_model, apigateway.CfnModel)
        cfn_model.add_property_override("Schema", request_schema(route))
        parts.models[title] = model
    return parts.models[title]


def _add_waf(scope: Construct, plan: ApiPlan, parts: RestParts, log_key: kms.IKey | None) -> None:
    stage = parts.api.deployment_stage
    parts.web_acl_arn = plan.web_acl_arn
    if plan.waf is not None:
        acl = RateLimitWebAcl(
            scope, "Waf", rules=plan.waf, profile=plan.profile, log_encryption_key=log_key
        )
        parts.web_acl = acl.web_acl
        parts.web_acl_arn = acl.web_acl_arn
        parts.waf_log_group = acl.log_group
    if parts.web_acl_arn is None:
        acknowledge(
            stage.node.default_child or stage,
            "AwsSolutions-APIG3",
            "WAF is opt-in for ServerlessApi: a web ACL costs a monthly fee per ACL and per "
            "rule plus a per-request fee. The stage is throttled (rate and burst) and every "
            "data route needs a Cognito token; pass waf=WafRules(...) for per-IP and "
            "per-user rate limits, or web_acl_arn= for a shared web ACL.",
        )
        return
    wafv2.CfnWebACLAssociation(
        scope, "WafAssociation", resource_arn=stage.stage_arn, web_acl_arn=parts.web_acl_arn
    )


def _acknowledge_public_method(method: apigateway.Method, route: RouteSpec) -> None:
    target = method.node.default_child or method
    reason = (
        f"{route.key} is public by design (RouteSpec authorization='none', e.g. a health check "
        "or a webhook); the stage's throttling and any web ACL still apply."
    )
    acknowledge(target, "AwsSolutions-APIG4", reason)
    acknowledge(target, "AwsSolutions-COG4", reason)


class _AccountLogging(Construct):
    """The account-and-region-wide role API Gateway uses to write REST API logs.

    ``AWS::ApiGateway::Account`` is a singleton per account and region: one per stack here, and
    retained on deletion (like the CDK's own ``cloudWatchRole``), so deleting one stack never
    breaks logging of the other APIs of the account.
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        log_groups = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name="*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway: write REST API execution and access logs (account-wide)",
            inline_policies={
                "WriteLogs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=[
                                "logs:CreateLogGroup",
                                "logs:CreateLogStream",
                                "logs:DescribeLogGroups",
                                "logs:DescribeLogStreams",
                                "logs:PutLogEvents",
                                "logs:GetLogEvents",
                                "logs:FilterLogEvents",
                            ],
                            resources=[log_groups],
                        )
                    ]
                )
            },
        )
        self.role.apply_removal_policy(RemovalPolicy.RETAIN)
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::{flatten_cfn_reference(stack.resolve(log_groups))}]",
            "The API Gateway account setting holds one logging role for every REST API of the "
            "account and region: execution logs go to API-Gateway-Execution-Logs_{api-id}/"
            "{stage} groups created at runtime and access logs to any group an API names. The "
            "inline policy replaces the AWS managed AmazonAPIGatewayPushToCloudWatchLogs "
            "(Resource '*', AwsSolutions-IAM4) with the same log actions on this account's "
            "and region's log groups only.",
        )
        self.account = apigateway.CfnAccount(
            self, "Account", cloud_watch_role_arn=self.role.role_arn
        )
        self.account.apply_removal_policy(RemovalPolicy.RETAIN)


def _account_logging(stack: Stack) -> _AccountLogging:
    existing = stack.node.try_find_child(ACCOUNT_LOGGING_ID)
    if isinstance(existing, _AccountLogging):
        return existing
    return _AccountLogging(stack, ACCOUNT_LOGGING_ID)
