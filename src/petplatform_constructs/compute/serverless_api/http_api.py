"""The HTTP API of a ServerlessApi: routes, JWT authorizer, CORS, stage and access logs.

Construct ids under the ServerlessApi (a public contract): ``Api``, ``Stage``, the JWT
authorizer ``Authorizer``, and with a custom domain ``Domain`` and ``ApiMapping``. Routes added
to another ServerlessApi's API are named ``{METHOD}-{path}`` under the adding ServerlessApi.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import jsii
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from petplatform_constructs.compute.serverless_api.validation import ApiPlan
from petplatform_constructs.platform.compliance import acknowledge

__all__ = ["HttpParts", "build_http"]

# aws-cdk-lib refuses HTTP integration timeouts above 29 s, although API Gateway allows 30 s.
_CDK_HTTP_TIMEOUT_MS = 29_000
# One JSON object per request: who (IP, user), what (route, status), how long.
_ACCESS_LOG = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "user": "$context.authorizer.claims.sub",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "error": "$context.error.message",
    "integrationError": "$context.integrationErrorMessage",
}


@dataclass(frozen=True)
class HttpParts:
    """What :func:`build_http` created."""

    api: apigatewayv2.HttpApi
    stage: apigatewayv2.HttpStage
    authorizer: apigatewayv2.IHttpRouteAuthorizer | None
    domain: apigatewayv2.DomainName | None


def build_http(
    scope: Construct,
    plan: ApiPlan,
    functions: Mapping[str, lambda_.IFunction],
    access_log_group: logs.ILogGroup,
) -> HttpParts:
    """Create the HTTP API of ``plan`` in ``scope``, its routes calling ``functions``."""
    cors = plan.cors
    methods = sorted(
        {route.method.upper() for route in plan.routes} | set(plan.sharing.cors_methods)
    )
    api = apigatewayv2.HttpApi(
        scope,
        "Api",
        api_name=plan.api_name,
        description=f"{scope.node.path} ({len(plan.routes)} routes)",
        create_default_stage=False,
        cors_preflight=(
            apigatewayv2.CorsPreflightOptions(
                allow_origins=list(cors.origins),
                allow_methods=[apigatewayv2.CorsHttpMethod[m] for m in methods],
                allow_headers=list(cors.headers),
                max_age=cors.max_age,
            )
            if cors.origins
            else None
        ),
    )
    stage = apigatewayv2.HttpStage(
        scope,
        "Stage",
        http_api=api,
        stage_name=plan.stage_name,
        auto_deploy=True,
        throttle=apigatewayv2.ThrottleSettings(
            rate_limit=plan.rate_limit, burst_limit=plan.burst_limit
        ),
        detailed_metrics_enabled=True,
        access_log_settings=_AccessLogSettings(
            apigatewayv2.LogGroupLogDestination(access_log_group),
            apigateway.AccessLogFormat.custom(json.dumps(_ACCESS_LOG)),
        ),
    )
    issuer = plan.jwt_issuer or (_cognito_issuer(plan.user_pool) if plan.user_pool else None)
    authorizer: apigatewayv2.IHttpRouteAuthorizer | None = None
    if issuer is not None:
        # Created with the API, not with its first route, so that routes of other stacks
        # (existing_http_api) share it.
        created = apigatewayv2.HttpAuthorizer(
            scope,
            "Authorizer",
            http_api=api,
            type=apigatewayv2.HttpAuthorizerType.JWT,
            identity_source=["$request.header.Authorization"],
            jwt_issuer=issuer,
            jwt_audience=list(plan.jwt_audience),
        )
        authorizer = apigatewayv2.HttpAuthorizer.from_http_authorizer_attributes(
            scope, "RouteAuthorizer", authorizer_id=created.authorizer_id, authorizer_type="JWT"
        )
    add_http_routes(scope, plan, api, functions, authorizer)
    domain = None
    if plan.sharing.domain_name is not None and plan.sharing.certificate is not None:
        domain = apigatewayv2.DomainName(
            scope,
            "Domain",
            domain_name=plan.sharing.domain_name,
            certificate=plan.sharing.certificate,
            endpoint_type=apigatewayv2.EndpointType.REGIONAL,
            security_policy=apigatewayv2.SecurityPolicy.TLS_1_2,
        )
        apigatewayv2.ApiMapping(scope, "ApiMapping", api=api, domain_name=domain, stage=stage)
    return HttpParts(api=api, stage=stage, authorizer=authorizer, domain=domain)


def add_http_routes(
    scope: Construct,
    plan: ApiPlan,
    api: apigatewayv2.IHttpApi,
    functions: Mapping[str, lambda_.IFunction],
    authorizer: apigatewayv2.IHttpRouteAuthorizer | None,
    *,
    shared: bool = False,
) -> None:
    """One Lambda proxy integration per function, and the routes of ``plan`` on ``api``.

    ``shared``: ``api`` belongs to another ServerlessApi (maybe in another stack), so the
    routes are created here, in ``scope``, rather than under the API.
    """
    timeout = plan.timeout
    # Timeouts above what aws-cdk-lib accepts are set on the L1 below.
    cdk_timeout = timeout if timeout.to_milliseconds() <= _CDK_HTTP_TIMEOUT_MS else None
    lambda_integrations = {
        name: integrations.HttpLambdaIntegration(
            f"{name}-integration", function, timeout=cdk_timeout
        )
        for name, function in functions.items()
    }
    for route in plan.routes:
        method = apigatewayv2.HttpMethod[route.method.upper()]
        integration = lambda_integrations[route.function]
        route_authorizer = authorizer if route.authorization == "cognito" else None
        created: list[apigatewayv2.HttpRoute]
        if not shared and isinstance(api, apigatewayv2.HttpApi):
            created = api.add_routes(
                path=route.path,
                methods=[method],
                integration=integration,
                authorizer=route_authorizer,
            )
        else:  # another ServerlessApi's API: the routes belong here
            route_key = apigatewayv2.HttpRouteKey.with_(route.path, method)
            created = [
                apigatewayv2.HttpRoute(
                    scope,
                    f"{method.value}{route.path}".replace("/", "-"),
                    http_api=api,
                    route_key=route_key,
                    integration=integration,
                    authorizer=route_authorizer,
                )
            ]
        if route.authorization == "none":
            for public in created:
                acknowledge(
                    public.node.default_child or public,
                    "AwsSolutions-APIG4",
                    f"{route.key} is public by design (RouteSpec authorization='none', e.g. a "
                    "health check); the stage's throttling still applies.",
                )
    if cdk_timeout is None:
        for child in scope.node.find_all():
            if isinstance(child, apigatewayv2.CfnIntegration):
                child.add_property_override("TimeoutInMillis", timeout.to_milliseconds())


def _cognito_issuer(user_pool: cognito.IUserPool) -> str:
    region = user_pool.env.region
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool.user_pool_id}"


@jsii.implements(apigatewayv2.IAccessLogSettings)
class _AccessLogSettings:
    """``IAccessLogSettings`` is an interface in the CDK; this is its plain implementation."""

    def __init__(
        self,
        destination: apigatewayv2.IAccessLogDestination,
        log_format: apigateway.AccessLogFormat,
    ) -> None:
        self._destination = destination
        self._format = log_format

    @property
    def destination(self) -> apigatewayv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return self._format
