"""ServerlessApi: API Gateway (REST or HTTP API) in front of Lambda handlers declared as data.

Functions and routes are lists of plain specs. The construct builds one least-privilege function
per :class:`FunctionSpec` (own role, own log group, X-Ray), and an API that authenticates callers
with Cognito, validates request bodies against JSON-schema models (REST), answers CORS preflights,
throttles the stage, writes JSON access logs and, optionally, sits behind a WAF web ACL that
rate-limits each client IP and each user.

Two limits of API Gateway shape the design, and are documented rather than hidden:

* authorizers authenticate but cannot require a Cognito group, so a route's ``required_group`` is
  passed to its function (``ROUTE_GROUPS``) and enforced there by
  :mod:`petplatform_constructs.runtime.auth`;
* REST integrations time out at 29 s, HTTP API integrations at 30 s: a function may
  run longer than a REST integration waits, but the API answers 504 at 29 s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import jsii
from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from petplatform_constructs.compute.serverless_api.functions import (
    ApiFunction,
    FunctionSpec,
    TableAccess,
    check_function_spec,
)
from petplatform_constructs.compute.serverless_api.routes import (
    RouteSpec,
    check_routes,
    model_name,
    request_schema,
)
from petplatform_constructs.compute.serverless_api.waf import (
    RateLimitWebAcl,
    WafRules,
    check_waf_rules,
)
from petplatform_constructs.core.errors import PropError, require
from petplatform_constructs.core.exports import add_exports, check_export_prefix
from petplatform_constructs.core.iam import flatten_cfn_reference
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.naming import Naming, ResourceKind
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.runtime.auth import CORS_ORIGINS_ENV, ROUTE_GROUPS_ENV

__all__ = [
    "DEFAULT_CORS_HEADERS",
    "HTTP_INTEGRATION_TIMEOUT_LIMIT",
    "REST_INTEGRATION_TIMEOUT_LIMIT",
    "ApiKind",
    "FunctionSpec",
    "RouteSpec",
    "ServerlessApi",
    "TableAccess",
    "WafRules",
]

REST_INTEGRATION_TIMEOUT_LIMIT = Duration.seconds(29)
"""API Gateway's default quota for REST integrations (raising it needs a quota request)."""
HTTP_INTEGRATION_TIMEOUT_LIMIT = Duration.seconds(30)
"""API Gateway's hard limit for HTTP API integrations."""
DEFAULT_CORS_HEADERS: tuple[str, ...] = ("Authorization", "Content-Type", "Idempotency-Key")

_MIN_INTEGRATION_TIMEOUT_MS = 50
_CDK_HTTP_TIMEOUT_MS = 29_000
_STAGE_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_ORIGIN = re.compile(r"https://[A-Za-z0-9.-]+(?::\d{1,5})?|http://localhost(?::\d{1,5})?")
_ACCOUNT_LOGGING_ID = "PetPlatformApiGatewayCloudWatchLogging"
_LOG_LEVELS = {
    apigateway.MethodLoggingLevel.INFO: "INFO",
    apigateway.MethodLoggingLevel.ERROR: "ERROR",
}


class ApiKind(str, Enum):
    """REST APIs validate request bodies and take WAF; HTTP APIs are cheaper and simpler."""

    REST = "REST"
    HTTP = "HTTP"


class ServerlessApi(Construct):
    """API Gateway (REST or HTTP) + one least-privilege Lambda function per :class:`FunctionSpec`.

    Stable construct ids (a public contract: renaming one replaces the resource):
    ``Function-{name}`` per function (children ``Handler``, ``Role``, ``LogGroup``), ``Api``,
    ``AccessLogs``, ``Authorizer``; REST only: ``RequestValidator``, ``Model-{title}``,
    ``ExecutionLogs``, ``Waf`` (``WebAcl``), ``WafAssociation``; HTTP only: ``Stage``. Outputs:
    ``ApiUrlOutput``, ``ApiIdOutput``. The account-level API Gateway logging role is one per
    stack, at the stack root: ``PetPlatformApiGatewayCloudWatchLogging`` (``Role``, ``Account``).

    Args:
        scope: parent construct.
        id: construct id.
        functions: the functions, each serving at least one route.
        routes: the routes; method and path pairs are unique.
        kind: ``ApiKind.REST`` (default; 001) or ``ApiKind.HTTP`` (002).
        user_pool: Cognito user pool whose tokens the API accepts: a ``COGNITO_USER_POOLS``
            authorizer (REST) or the JWT issuer (HTTP). Needed by ``"cognito"`` routes.
        jwt_issuer: HTTP only: issuer URL of a non-Cognito identity provider, instead of
            ``user_pool``.
        jwt_audience: HTTP only: accepted audiences (Cognito app client ids, e.g.
            ``AuthPool.client_ids``); required with a JWT authorizer.
        name: short API name through the naming strategy. Default: generated.
        stage_name: Default: the stage profile's stage (``dev``...) for REST, ``$default`` for
            HTTP APIs (served at the URL root, ready for a custom domain).
        cors_origins: origins allowed to call the API from a browser, e.g.
            ``["https://app.example.com"]`` or ``["*"]``. Default: none (no CORS).
        cors_allow_headers: request headers browsers may send. Default ``Authorization``,
            ``Content-Type``, ``Idempotency-Key``.
        cors_max_age: how long browsers cache a preflight. Default 1 hour.
        throttling_rate_limit: steady requests per second for the whole stage. Default 100.
        throttling_burst_limit: burst size. Default 200.
        integration_timeout: how long the API waits for a function: 50 ms to 29 s (REST) or
            30 s (HTTP). Default: that limit.
        execution_log_level: REST execution logs, ``MethodLoggingLevel.INFO`` or ``ERROR``.
            Default: INFO, ERROR in prod-like stages (INFO logs every request's flow).
        cloud_watch_role: REST only: create the account-and-region-wide role that API Gateway
            needs to write logs, and point the account setting at it (one per stack, retained).
            Set ``False`` when another stack manages it. Default ``True`` for REST.
        waf: REST only: create a regional web ACL with these rules and associate it with the
            stage. Default: none.
        web_acl_arn: REST only: associate this existing regional web ACL instead. Default: none.
        export_prefix: export ``{prefix}-ApiUrl`` and ``{prefix}-ApiId``. Default: no outputs.
        stage_profile: Default: the profile in scope (log retention, removal policy, log level).
        naming: Default: the naming strategy in scope (function and API names); without one,
            CloudFormation generates the names.

    Attributes:
        kind: the API kind.
        rest_api: the ``RestApi`` (REST), else None; ``api`` gives either API.
        http_api: the ``HttpApi`` (HTTP), else None.
        stage: the ``apigateway.Stage`` or ``apigatewayv2.HttpStage``; ``stage_name`` its name.
        url: the stage's invoke URL.
        functions: ``{name: lambda.Function}``; ``roles`` and ``log_groups`` by the same names.
        access_log_group: the stage's access logs (JSON).
        execution_log_group: REST: the pre-created execution log group, with retention.
        authorizer: the Cognito or JWT authorizer, if any route uses one.
        models: REST: ``{title: apigateway.Model}``; ``request_validator``: REST: the validator.
        web_acl: the created ``CfnWebACL``, if any; ``web_acl_arn``: the associated ACL's ARN.
        routes: the route specs.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        functions: Sequence[FunctionSpec],
        routes: Sequence[RouteSpec],
        kind: ApiKind | str = ApiKind.REST,
        user_pool: cognito.IUserPool | None = None,
        jwt_issuer: str | None = None,
        jwt_audience: Sequence[str] = (),
        name: str | None = None,
        stage_name: str | None = None,
        cors_origins: Sequence[str] = (),
        cors_allow_headers: Sequence[str] = DEFAULT_CORS_HEADERS,
        cors_max_age: Duration | None = None,
        throttling_rate_limit: float = 100,
        throttling_burst_limit: int = 200,
        integration_timeout: Duration | None = None,
        execution_log_level: apigateway.MethodLoggingLevel | None = None,
        cloud_watch_role: bool | None = None,
        waf: WafRules | None = None,
        web_acl_arn: str | None = None,
        export_prefix: str | None = None,
        stage_profile: StageProfile | None = None,
        naming: Naming | None = None,
    ) -> None:
        super().__init__(scope, id)
        owner = f"ServerlessApi {self.node.path}"
        self._owner = owner
        self._note_long_functions: list[str] = []
        kind = _parse_kind(owner, kind)
        require(
            not isinstance(routes, str)
            and bool(routes)
            and all(isinstance(r, RouteSpec) for r in routes),
            owner,
            "routes",
            routes,
            "a non-empty list of RouteSpec",
        )
        rest = kind is ApiKind.REST
        profile = StageProfile.of(self, stage_profile)
        resolved_stage = stage_name or (profile.stage.value if rest else "$default")
        limit = REST_INTEGRATION_TIMEOUT_LIMIT if rest else HTTP_INTEGRATION_TIMEOUT_LIMIT
        timeout = integration_timeout or limit

        # -- validate everything before building anything -----------------------------------
        has_authorizer = self._check_auth_props(rest, user_pool, jwt_issuer, jwt_audience)
        specs = self._check_functions(functions, routes, cors_origins)
        check_routes(owner, routes, specs, rest=rest, has_authorizer=has_authorizer)
        self._check_timeouts(rest, timeout, limit, specs)
        _check_stage(owner, rest, resolved_stage, throttling_rate_limit, throttling_burst_limit)
        _check_cors(owner, cors_origins, cors_allow_headers)
        self._check_rest_only(
            rest,
            waf=waf,
            web_acl_arn=web_acl_arn,
            cloud_watch_role=cloud_watch_role,
            execution_log_level=execution_log_level,
        )
        check_export_prefix(owner, export_prefix)
        resolved_naming = _naming_or_none(self, naming)

        # -- functions ---------------------------------------------------------------------
        self.kind = kind
        self.routes: tuple[RouteSpec, ...] = tuple(routes)
        self.stage_name = resolved_stage
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        for spec in specs.values():
            built = ApiFunction(
                self,
                f"Function-{spec.name}",
                spec=spec,
                function_name=(
                    resolved_naming.name(spec.name, ResourceKind.LAMBDA_FUNCTION)
                    if resolved_naming
                    else None
                ),
                timeout=timeout,
                environment=self._generated_environment(spec.name, cors_origins),
                profile=profile,
            )
            self.functions[spec.name] = built.function
            self.roles[spec.name] = built.role
            self.log_groups[spec.name] = built.log_group
            if spec.name in self._note_long_functions:
                Annotations.of(built.function).add_info(
                    f"{spec.name} may run {_own_timeout_seconds(spec):g} s, but the "
                    f"{kind.value} API answers 504 after its {timeout.to_seconds():g} s "
                    "integration timeout: callers never see a slower result."
                )

        # -- the API -----------------------------------------------------------------------
        self.access_log_group = logs.LogGroup(
            self,
            "AccessLogs",
            retention=profile.log_retention,
            removal_policy=profile.removal_policy,
        )
        api_name = resolved_naming.name(name) if resolved_naming and name else name
        self.rest_api: apigateway.RestApi | None = None
        self.http_api: apigatewayv2.HttpApi | None = None
        self.execution_log_group: logs.LogGroup | None = None
        self.request_validator: apigateway.RequestValidator | None = None
        self.models: dict[str, apigateway.Model] = {}
        self.authorizer: apigateway.IAuthorizer | apigatewayv2.IHttpRouteAuthorizer | None = None
        self.web_acl: wafv2.CfnWebACL | None = None
        self.web_acl_arn: str | None = web_acl_arn
        cors = _CorsSettings(
            tuple(cors_origins), tuple(cors_allow_headers), cors_max_age or Duration.hours(1)
        )
        if rest:
            self._build_rest(
                api_name=api_name,
                user_pool=user_pool,
                cors=cors,
                timeout=timeout,
                rate=throttling_rate_limit,
                burst=throttling_burst_limit,
                log_level=execution_log_level
                or (
                    apigateway.MethodLoggingLevel.ERROR
                    if profile.prod_like
                    else apigateway.MethodLoggingLevel.INFO
                ),
                cloud_watch_role=cloud_watch_role is not False,
                profile=profile,
            )
            self._add_waf(waf, web_acl_arn)
        else:
            self._build_http(
                api_name=api_name,
                issuer=jwt_issuer or (_cognito_issuer(user_pool) if user_pool else None),
                audience=jwt_audience,
                cors=cors,
                timeout=timeout,
                rate=throttling_rate_limit,
                burst=throttling_burst_limit,
            )
        if export_prefix is not None:
            add_exports(
                self,
                export_prefix,
                {"ApiUrl": self.url, "ApiId": self.api_id},
            )

    # -- public API -------------------------------------------------------------------------
    @property
    def api(self) -> apigateway.RestApi | apigatewayv2.HttpApi:
        """The ``RestApi`` or the ``HttpApi``."""
        built = self.rest_api or self.http_api
        assert built is not None
        return built

    @property
    def api_id(self) -> str:
        """The API's id (``RestApiId`` or ``ApiId``)."""
        if self.rest_api is not None:
            return self.rest_api.rest_api_id
        assert self.http_api is not None
        return self.http_api.api_id

    def register_observability(self, watcher: Watcher) -> None:
        """What an :class:`~petplatform_constructs.ObservabilityPack` watches here: each
        function (errors, throttles, duration) and the API stage (error rate, latency)."""
        for function in self.functions.values():
            watcher.watch_lambda(function)
        if self.rest_api is not None:
            watcher.watch_rest_api(self.rest_api, stage_name=self.stage_name)
        elif self.http_api is not None:
            watcher.watch_http_api(self.http_api, stage_name=self.stage_name)

    def metric_count(
        self, *, period: Duration | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        """Requests to the stage (``Count``)."""
        return self._stage_metric("count", period, statistic)

    def metric_client_error(
        self, *, period: Duration | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        """4XX responses of the stage: bad input, authentication failures, throttling."""
        return self._stage_metric("client_error", period, statistic)

    def metric_server_error(
        self, *, period: Duration | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        """5XX responses of the stage: function errors and integration timeouts."""
        return self._stage_metric("server_error", period, statistic)

    def metric_latency(
        self, *, period: Duration | None = None, statistic: str = "p95"
    ) -> cloudwatch.Metric:
        """End-to-end latency (ms) as the API measured it; default statistic p95."""
        return self._stage_metric("latency", period, statistic)

    def metric_integration_latency(
        self, *, period: Duration | None = None, statistic: str = "p95"
    ) -> cloudwatch.Metric:
        """Time (ms) the functions took, as the API saw it; compare with :meth:`metric_latency`."""
        return self._stage_metric("integration_latency", period, statistic)

    def _stage_metric(
        self, which: str, period: Duration | None, statistic: str
    ) -> cloudwatch.Metric:
        method = getattr(self.stage, f"metric_{which}")
        metric: cloudwatch.Metric = method(
            period=period or Duration.minutes(5), statistic=statistic
        )
        return metric

    # -- validation -------------------------------------------------------------------------
    def _check_auth_props(
        self,
        rest: bool,
        user_pool: cognito.IUserPool | None,
        jwt_issuer: str | None,
        jwt_audience: Sequence[str],
    ) -> bool:
        owner = self._owner
        require(
            not isinstance(jwt_audience, str),
            owner,
            "jwt_audience",
            jwt_audience,
            "a list of client ids, not a string",
        )
        if rest:
            for prop, value in (("jwt_issuer", jwt_issuer), ("jwt_audience", list(jwt_audience))):
                require(
                    not value,
                    owner,
                    prop,
                    value,
                    "REST APIs authorize with the Cognito user pool (user_pool=); JWT issuers "
                    "and audiences are for ApiKind.HTTP",
                )
            return user_pool is not None
        require(
            user_pool is None or jwt_issuer is None,
            owner,
            "jwt_issuer",
            jwt_issuer,
            "give user_pool (the issuer is derived from it) or jwt_issuer, not both",
        )
        if jwt_issuer is not None and not Token.is_unresolved(jwt_issuer):
            require(
                jwt_issuer.startswith("https://"),
                owner,
                "jwt_issuer",
                jwt_issuer,
                "an https:// issuer URL (the iss claim of the tokens)",
            )
        has_issuer = user_pool is not None or jwt_issuer is not None
        require(
            has_issuer == bool(jwt_audience),
            owner,
            "jwt_audience",
            list(jwt_audience),
            "a JWT authorizer needs both an issuer (user_pool or jwt_issuer) and the accepted "
            "audiences (app client ids, e.g. AuthPool.client_ids)",
        )
        return has_issuer

    def _check_functions(
        self,
        functions: Sequence[FunctionSpec],
        routes: Sequence[RouteSpec],
        cors_origins: Sequence[str],
    ) -> dict[str, FunctionSpec]:
        owner = self._owner
        require(
            not isinstance(functions, str) and bool(functions),
            owner,
            "functions",
            functions,
            "at least one FunctionSpec",
        )
        specs: dict[str, FunctionSpec] = {}
        for spec in functions:
            require(
                isinstance(spec, FunctionSpec),
                owner,
                "functions",
                spec,
                "FunctionSpec instances",
            )
            require(
                spec.name not in specs,
                owner,
                "functions.name",
                spec.name,
                "function names are unique: routes refer to functions by name",
            )
            generated = [CORS_ORIGINS_ENV] if cors_origins else []
            if any(r.function == spec.name and r.required_group for r in routes):
                generated.append(ROUTE_GROUPS_ENV)
            check_function_spec(owner, spec, generated)
            specs[spec.name] = spec
        served = {route.function for route in routes}
        for spec_name in specs:
            require(
                spec_name in served,
                owner,
                f"functions[{spec_name}]",
                spec_name,
                "every function serves at least one route; build functions invoked by queues "
                "or schedules outside the API",
            )
        return specs

    def _check_timeouts(
        self,
        rest: bool,
        timeout: Duration,
        limit: Duration,
        specs: Mapping[str, FunctionSpec],
    ) -> None:
        owner = self._owner
        api = "REST" if rest else "HTTP"
        millis = timeout.to_milliseconds()
        require(
            _MIN_INTEGRATION_TIMEOUT_MS <= millis <= limit.to_milliseconds(),
            owner,
            "integration_timeout",
            f"{millis / 1000:g} s",
            f"{_MIN_INTEGRATION_TIMEOUT_MS} ms to {limit.to_seconds():g} s: the {api} API "
            + (
                "integration timeout quota (29 s by default)"
                if rest
                else "integration timeout hard limit (30 s)"
            ),
        )
        for spec in specs.values():
            if spec.timeout is None:
                continue  # it takes the integration timeout
            seconds = spec.timeout.to_seconds()
            require(
                rest or seconds <= limit.to_seconds(),
                owner,
                f"functions[{spec.name}].timeout",
                f"{seconds:g} s",
                "at most 30 s, the HTTP API integration timeout hard limit: the API would "
                "answer 504 while the function kept running; move long work to "
                "a queue consumer",
            )
            if seconds > timeout.to_seconds():
                self._note_long_functions.append(spec.name)

    def _check_rest_only(
        self,
        rest: bool,
        *,
        waf: WafRules | None,
        web_acl_arn: str | None,
        cloud_watch_role: bool | None,
        execution_log_level: apigateway.MethodLoggingLevel | None,
    ) -> None:
        owner = self._owner
        if not rest:
            require(
                waf is None and web_acl_arn is None,
                owner,
                "waf" if waf is not None else "web_acl_arn",
                waf if waf is not None else web_acl_arn,
                "HTTP APIs cannot be associated with a WAF web ACL: put the web "
                "ACL on a CloudFront distribution in front of the API, or use ApiKind.REST",
            )
            require(
                not cloud_watch_role,
                owner,
                "cloud_watch_role",
                cloud_watch_role,
                "HTTP APIs write access logs through a service-linked role; the account-level "
                "logging role is for REST APIs",
            )
            require(
                execution_log_level is None,
                owner,
                "execution_log_level",
                execution_log_level,
                "HTTP APIs have no execution logs; their access logs are always on",
            )
            return
        require(
            waf is None or web_acl_arn is None,
            owner,
            "web_acl_arn",
            web_acl_arn,
            "give waf= (a web ACL created here) or web_acl_arn= (an existing one), not both",
        )
        if waf is not None:
            check_waf_rules(owner, waf)
        if web_acl_arn is not None and not Token.is_unresolved(web_acl_arn):
            require(
                ":wafv2:" in web_acl_arn and ":regional/webacl/" in web_acl_arn,
                owner,
                "web_acl_arn",
                web_acl_arn,
                "the ARN of a REGIONAL WAFv2 web ACL (arn:aws:wafv2:<region>:<account>:"
                "regional/webacl/<name>/<id>); CLOUDFRONT web ACLs cannot protect a stage",
            )
        require(
            execution_log_level is None or execution_log_level in _LOG_LEVELS,
            owner,
            "execution_log_level",
            execution_log_level,
            "MethodLoggingLevel.INFO or ERROR: execution logging stays on (AwsSolutions-APIG6)",
        )

    def _generated_environment(self, function: str, cors_origins: Sequence[str]) -> dict[str, str]:
        variables: dict[str, str] = {}
        groups = {
            route.key: route.required_group
            for route in self.routes
            if route.function == function and route.required_group
        }
        if groups:
            variables[ROUTE_GROUPS_ENV] = json.dumps(groups, sort_keys=True)
        if cors_origins:
            variables[CORS_ORIGINS_ENV] = ",".join(cors_origins)
        return variables

    # -- REST -------------------------------------------------------------------------------
    def _build_rest(
        self,
        *,
        api_name: str | None,
        user_pool: cognito.IUserPool | None,
        cors: _CorsSettings,
        timeout: Duration,
        rate: float,
        burst: int,
        log_level: apigateway.MethodLoggingLevel,
        cloud_watch_role: bool,
        profile: StageProfile,
    ) -> None:
        api = apigateway.RestApi(
            self,
            "Api",
            rest_api_name=api_name,
            description=f"{self.node.path} ({len(self.routes)} routes)",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=self.stage_name,
                throttling_rate_limit=rate,
                throttling_burst_limit=burst,
                logging_level=log_level,
                data_trace_enabled=False,  # full request/response bodies would log personal data
                metrics_enabled=True,
                tracing_enabled=True,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_log_group),
                access_log_format=apigateway.AccessLogFormat.custom(json.dumps(_REST_ACCESS_LOG)),
            ),
        )
        self.rest_api = api
        self.stage: apigateway.Stage | apigatewayv2.HttpStage = api.deployment_stage
        self.url: str = api.url
        # API Gateway would create this group on first use, with no retention at all.
        self.execution_log_group = logs.LogGroup(
            self,
            "ExecutionLogs",
            log_group_name=f"API-Gateway-Execution-Logs_{api.rest_api_id}/{self.stage_name}",
            retention=profile.log_retention,
            removal_policy=profile.removal_policy,
        )
        api.deployment_stage.node.add_dependency(self.execution_log_group)
        if cloud_watch_role:
            api.deployment_stage.node.add_dependency(_account_logging(Stack.of(self)).account)

        # APIG2 wants a validator that checks bodies and parameters; methods with a model use it.
        self.request_validator = apigateway.RequestValidator(
            self,
            "RequestValidator",
            rest_api=api,
            validate_request_body=True,
            validate_request_parameters=True,
        )
        rest_authorizer: apigateway.CognitoUserPoolsAuthorizer | None = None
        if user_pool is not None and any(r.authorization == "cognito" for r in self.routes):
            rest_authorizer = apigateway.CognitoUserPoolsAuthorizer(
                self, "Authorizer", cognito_user_pools=[user_pool]
            )
            self.authorizer = rest_authorizer
        lambda_integrations = {
            name: apigateway.LambdaIntegration(function, allow_test_invoke=False, timeout=timeout)
            for name, function in self.functions.items()
        }
        methods_by_path: dict[str, list[str]] = {}
        for route in self.routes:
            resource = api.root.resource_for_path(route.path)
            model = self._request_model(route)
            cognito_route = route.authorization == "cognito"
            method = resource.add_method(
                route.method.upper(),
                lambda_integrations[route.function],
                authorization_type=(
                    apigateway.AuthorizationType.COGNITO
                    if cognito_route
                    else apigateway.AuthorizationType.NONE
                ),
                authorizer=rest_authorizer if cognito_route else None,
                request_models={"application/json": model} if model else None,
                request_parameters={
                    f"method.request.header.{header}": True for header in route.required_headers
                }
                or None,
                request_validator=(
                    self.request_validator if model or route.required_headers else None
                ),
            )
            methods_by_path.setdefault(route.path, []).append(route.method.upper())
            if route.authorization == "none":
                _acknowledge_public_method(method, route)
        if cors.origins:
            for path, methods in methods_by_path.items():
                api.root.resource_for_path(path).add_cors_preflight(
                    allow_origins=list(cors.origins),
                    allow_methods=methods,
                    allow_headers=list(cors.headers),
                    max_age=cors.max_age,
                )
            if len(cors.origins) == 1:
                # Errors API Gateway answers itself (401 from the authorizer, 429, 504...) also
                # need the header, or browsers hide them behind a CORS error.
                origin = {"Access-Control-Allow-Origin": f"'{cors.origins[0]}'"}
                api.add_gateway_response(
                    "Default4xx",
                    type=apigateway.ResponseType.DEFAULT_4_XX,
                    response_headers=origin,
                )
                api.add_gateway_response(
                    "Default5xx",
                    type=apigateway.ResponseType.DEFAULT_5_XX,
                    response_headers=origin,
                )

    def _request_model(self, route: RouteSpec) -> apigateway.Model | None:
        """The route's model, created once per title and shared by the routes that use it."""
        if route.request_model is None:
            return None
        assert self.rest_api is not None
        title = model_name(route)
        if title not in self.models:
            model = apigateway.Model(
                self,
                f"Model-{title}",
                rest_api=self.rest_api,
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
            self.models[title] = model
        return self.models[title]

    def _add_waf(self, waf: WafRules | None, web_acl_arn: str | None) -> None:
        assert self.rest_api is not None
        stage = self.rest_api.deployment_stage
        if waf is not None:
            acl = RateLimitWebAcl(self, "Waf", rules=waf)
            self.web_acl = acl.web_acl
            self.web_acl_arn = acl.web_acl_arn
        if self.web_acl_arn is None:
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
            self, "WafAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl_arn
        )

    # -- HTTP -------------------------------------------------------------------------------
    def _build_http(
        self,
        *,
        api_name: str | None,
        issuer: str | None,
        audience: Sequence[str],
        cors: _CorsSettings,
        timeout: Duration,
        rate: float,
        burst: int,
    ) -> None:
        methods = sorted({route.method.upper() for route in self.routes})
        api = apigatewayv2.HttpApi(
            self,
            "Api",
            api_name=api_name,
            description=f"{self.node.path} ({len(self.routes)} routes)",
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
        self.http_api = api
        stage = apigatewayv2.HttpStage(
            self,
            "Stage",
            http_api=api,
            stage_name=self.stage_name,
            auto_deploy=True,
            throttle=apigatewayv2.ThrottleSettings(rate_limit=rate, burst_limit=burst),
            detailed_metrics_enabled=True,
            access_log_settings=_HttpAccessLogSettings(
                apigatewayv2.LogGroupLogDestination(self.access_log_group),
                apigateway.AccessLogFormat.custom(json.dumps(_HTTP_ACCESS_LOG)),
            ),
        )
        self.stage = stage
        self.url = stage.url
        http_authorizer: authorizers.HttpJwtAuthorizer | None = None
        if issuer is not None and any(r.authorization == "cognito" for r in self.routes):
            http_authorizer = authorizers.HttpJwtAuthorizer(
                "Authorizer", issuer, jwt_audience=list(audience)
            )
            self.authorizer = http_authorizer
        # aws-cdk-lib refuses HTTP integration timeouts above 29 s although API Gateway allows
        # 30 s for HTTP APIs; longer ones are set on the L1 below.
        cdk_timeout = timeout if timeout.to_milliseconds() <= _CDK_HTTP_TIMEOUT_MS else None
        http_integrations = {
            name: integrations.HttpLambdaIntegration(
                f"{name}-integration", function, timeout=cdk_timeout
            )
            for name, function in self.functions.items()
        }
        for route in self.routes:
            created = api.add_routes(
                path=route.path,
                methods=[apigatewayv2.HttpMethod[route.method.upper()]],
                integration=http_integrations[route.function],
                authorizer=http_authorizer if route.authorization == "cognito" else None,
            )
            if route.authorization == "none":
                for http_route in created:
                    acknowledge(
                        http_route.node.default_child or http_route,
                        "AwsSolutions-APIG4",
                        f"{route.key} is public by design (RouteSpec authorization='none', "
                        "e.g. a health check); the stage's throttling still applies.",
                    )
        if cdk_timeout is None:
            for child in api.node.find_all():
                if isinstance(child, apigatewayv2.CfnIntegration):
                    child.add_property_override("TimeoutInMillis", timeout.to_milliseconds())


@dataclass(frozen=True)
class _CorsSettings:
    origins: tuple[str, ...]
    headers: tuple[str, ...]
    max_age: Duration


@jsii.implements(apigatewayv2.IAccessLogSettings)
class _HttpAccessLogSettings:
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


# One JSON object per request: who (IP, user), what (route, status), how long.
_REST_ACCESS_LOG = {
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
_HTTP_ACCESS_LOG = {
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


def _acknowledge_public_method(method: apigateway.Method, route: RouteSpec) -> None:
    target = method.node.default_child or method
    reason = (
        f"{route.key} is public by design (RouteSpec authorization='none', e.g. a health check "
        "or a webhook); the stage's throttling and any web ACL still apply."
    )
    acknowledge(target, "AwsSolutions-APIG4", reason)
    acknowledge(target, "AwsSolutions-COG4", reason)


def _own_timeout_seconds(spec: FunctionSpec) -> float:
    """The spec's own timeout in seconds (0 when it takes the API's)."""
    return spec.timeout.to_seconds() if spec.timeout is not None else 0.0


def _parse_kind(owner: str, kind: ApiKind | str) -> ApiKind:
    try:
        return kind if isinstance(kind, ApiKind) else ApiKind(str(kind).upper())
    except ValueError:
        raise PropError(owner, "kind", kind, "ApiKind.REST or ApiKind.HTTP") from None


def _cognito_issuer(user_pool: cognito.IUserPool) -> str:
    region = user_pool.env.region
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool.user_pool_id}"


def _naming_or_none(scope: Construct, naming: Naming | None) -> Naming | None:
    try:
        return Naming.of(scope, naming)
    except PropError:
        return None


def _check_stage(owner: str, rest: bool, stage_name: str, rate: float, burst: int) -> None:
    require(
        bool(_STAGE_NAME.fullmatch(stage_name)) or (not rest and stage_name == "$default"),
        owner,
        "stage_name",
        stage_name,
        "1-128 letters, digits, '_' and '-'" + ("" if rest else ", or '$default'"),
    )
    require(
        rate > 0,
        owner,
        "throttling_rate_limit",
        rate,
        "requests per second above 0 (0 would reject every request)",
    )
    require(
        isinstance(burst, int) and burst >= 1,
        owner,
        "throttling_burst_limit",
        burst,
        "a whole number of requests, at least 1",
    )


def _check_cors(owner: str, origins: Sequence[str], headers: Sequence[str]) -> None:
    for prop, value in (("cors_origins", origins), ("cors_allow_headers", headers)):
        require(not isinstance(value, str), owner, prop, value, "a list, not a string")
    if "*" in origins:
        require(
            list(origins) == ["*"],
            owner,
            "cors_origins",
            list(origins),
            "'*' allows every origin, so it stands alone",
        )
    else:
        for origin in origins:
            require(
                bool(_ORIGIN.fullmatch(origin)),
                owner,
                "cors_origins",
                origin,
                "https://host[:port], http://localhost[:port] for development, or '*'; no path "
                "or trailing slash",
            )
    for header in headers:
        require(
            bool(_HEADER_NAME.fullmatch(header)),
            owner,
            "cors_allow_headers",
            header,
            "HTTP header names (letters, digits and !#$%&'*+.^_`|~-)",
        )


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
    existing = stack.node.try_find_child(_ACCOUNT_LOGGING_ID)
    if isinstance(existing, _AccountLogging):
        return existing
    return _AccountLogging(stack, _ACCOUNT_LOGGING_ID)
