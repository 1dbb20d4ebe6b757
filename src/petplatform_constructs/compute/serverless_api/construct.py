"""ServerlessApi: API Gateway (REST or HTTP API) in front of Lambda handlers declared as data.

Functions and routes are lists of plain specs. The construct builds one least-privilege function
per :class:`FunctionSpec` (own role, own log group, X-Ray), and an API that authenticates callers
with Cognito, validates request bodies against JSON-schema models (REST), answers CORS preflights,
throttles the stage, writes JSON access logs and, optionally, sits behind a WAF web ACL that
rate-limits each client IP and each user.

Two limits of API Gateway shape the design, and are documented rather than hidden:

* authorizers authenticate but cannot require a Cognito group, so a route's ``required_group`` is
  passed to its function (``ROUTE_GROUPS``) and enforced there by the runtime helpers
  (``petplatform_runtime.auth`` in the function, from the runtime layer);
* REST integrations time out at 29 s, HTTP API integrations at 30 s: a function may
  run longer than a REST integration waits, but the API answers 504 at 29 s.
"""

from __future__ import annotations

from aws_cdk import Annotations, CfnOutput, Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.compute.serverless_api.api_function import ApiFunction
from petplatform_constructs.compute.serverless_api.http_api import add_http_routes, build_http
from petplatform_constructs.compute.serverless_api.log_key import log_key_of
from petplatform_constructs.compute.serverless_api.props import ApiKind, ServerlessApiProps
from petplatform_constructs.compute.serverless_api.rest_api import build_rest
from petplatform_constructs.compute.serverless_api.routes import RouteSpec
from petplatform_constructs.compute.serverless_api.runtimes import runtime_layer_of
from petplatform_constructs.compute.serverless_api.validation import ApiPlan, plan_api
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import Watcher

__all__ = ["ServerlessApi"]


class ServerlessApi(Construct):
    """API Gateway (REST or HTTP) + one least-privilege Lambda function per :class:`FunctionSpec`.

    Stable construct ids (a public contract: renaming one replaces the resource):
    ``Function-{name}`` per function (children ``Handler``, ``Role``, ``LogGroup``), ``Api``,
    ``AccessLogs``, ``Authorizer``; REST only: ``RequestValidator``, ``Model-{title}``,
    ``ExecutionLogs``, ``Waf`` (``WebAcl``, ``Logs``, ``Logging``), ``WafAssociation``; HTTP
    only: ``Stage``, ``Domain``, ``ApiMapping``; per function with ``alias_name``:
    ``Function-{name}/Handler/Alias{alias_name}``. Outputs:
    ``ApiUrlOutput``, ``ApiIdOutput``; ``LogKey`` (the log groups' key, in prod-like stages
    without ``log_encryption_key``). At the stack root, one per stack: the runtime layer
    ``PetPlatformRuntimeLayer`` and, for REST APIs, the account-level API Gateway logging role
    ``PetPlatformApiGatewayCloudWatchLogging`` (``Role``, ``Account``).

    Args:
        scope: parent construct.
        id: construct id.
        props: see :class:`ServerlessApiProps`; ``functions`` and ``routes`` are required, every
            other prop documents its default.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.

    Attributes:
        kind: the API kind.
        rest_api: the ``RestApi`` (REST), else None; ``api`` gives either API.
        http_api: the ``HttpApi`` (HTTP), else None.
        shared_api: the ``existing_http_api``, if given (then no stage, access logs or
            authorizer of its own exist here).
        stage: the ``apigateway.Stage`` or ``apigatewayv2.HttpStage`` (None on a shared API);
            ``stage_name`` its name.
        domain: the HTTP API's custom ``DomainName``, if any.
        aliases: ``{name: lambda.Alias}`` with ``alias_name``; ``targets`` are what the API
            calls (the alias, else the function).
        url: the stage's invoke URL.
        functions: ``{name: lambda.Function}``; ``roles`` and ``log_groups`` by the same names.
        runtime_layer: the runtime layer the Python functions use, if any.
        access_log_group: the stage's access logs (JSON); None on a shared API.
        log_encryption_key: the KMS key of every log group of the API, if any.
        execution_log_group: REST: the pre-created execution log group, with retention.
        authorizer: the Cognito or JWT authorizer, if any route uses one; ``http_authorizer``
            the same, typed for HTTP APIs (for ``existing_authorizer``).
        models: REST: ``{title: apigateway.Model}``; ``request_validator``: REST: the validator.
        web_acl: the created ``CfnWebACL``, if any; ``web_acl_arn``: the associated ACL's ARN.
        waf_log_group: the created web ACL's ``aws-waf-logs-`` log group, if it logs.
        routes: the route specs.
        outputs: ``{"ApiUrl": CfnOutput, "ApiId": CfnOutput}`` with ``export_prefix``.
    """

    def __init__(self, scope: Construct, id: str, **props: Unpack[ServerlessApiProps]) -> None:
        super().__init__(scope, id)
        received = receive(f"{type(self).__name__} {self.node.path}", ServerlessApiProps, props)
        problems, valid = received.problems, received.valid
        plan = plan_api(self, problems, valid, received.rejected)
        problems.raise_if_any()
        assert plan is not None  # no problems, so the plan exists

        self.kind: ApiKind = plan.kind
        self.routes: tuple[RouteSpec, ...] = plan.routes
        self.stage_name: str = plan.stage_name
        self.outputs: dict[str, CfnOutput] = {}
        self.log_encryption_key: kms.IKey | None = log_key_of(
            self, valid.get("log_encryption_key"), plan.profile
        )
        self._build_functions(plan)
        self.rest_api: apigateway.RestApi | None = None
        self.http_api: apigatewayv2.HttpApi | None = None
        self.shared_api: apigatewayv2.IHttpApi | None = plan.sharing.existing_api
        self.domain: apigatewayv2.DomainName | None = None
        self.authorizer: apigateway.IAuthorizer | apigatewayv2.IHttpRouteAuthorizer | None = None
        self.http_authorizer: apigatewayv2.IHttpRouteAuthorizer | None = None
        self.access_log_group: logs.LogGroup | None = None
        self.execution_log_group: logs.LogGroup | None = None
        self.request_validator: apigateway.RequestValidator | None = None
        self.models: dict[str, apigateway.Model] = {}
        self.web_acl: wafv2.CfnWebACL | None = None
        self.web_acl_arn: str | None = None
        self.waf_log_group: logs.LogGroup | None = None
        self.stage: apigateway.Stage | apigatewayv2.HttpStage | None = None
        self.url: str
        if self.shared_api is not None:
            self.authorizer = self.http_authorizer = plan.sharing.existing_authorizer
            add_http_routes(self, plan, self.shared_api, self.targets, self.authorizer, shared=True)
            self.url = self.shared_api.api_endpoint
            return
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=plan.profile.log_retention,
            removal_policy=plan.profile.removal_policy,
            deletion_protection_enabled=plan.profile.deletion_protection,
            encryption_key=self.log_encryption_key,
        )
        self.access_log_group = access_logs
        if plan.rest:
            rest = build_rest(self, plan, self.targets, access_logs, self.log_encryption_key)
            self.rest_api, self.stage, self.url = rest.api, rest.api.deployment_stage, rest.api.url
            self.execution_log_group = rest.execution_log_group
            self.request_validator = rest.request_validator
            self.models = rest.models
            self.authorizer = rest.authorizer
            self.web_acl, self.web_acl_arn = rest.web_acl, rest.web_acl_arn
            self.waf_log_group = rest.waf_log_group
        else:
            http = build_http(self, plan, self.targets, access_logs)
            self.http_api, self.stage, self.url = http.api, http.stage, http.stage.url
            self.authorizer, self.domain = http.authorizer, http.domain
            self.http_authorizer = http.authorizer
        export_prefix = valid.get("export_prefix")
        if export_prefix is not None:
            exported = {"ApiUrl": self.url, "ApiId": self.api_id}
            if self.domain is not None:
                exported["DomainName"] = self.domain.name
            self.outputs = add_exports(self, export_prefix, exported)

    def _build_functions(self, plan: ApiPlan) -> None:
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        self.aliases: dict[str, lambda_.Alias] = {}
        self.targets: dict[str, lambda_.IFunction] = {}
        self.runtime_layer: lambda_.ILayerVersion | None = None
        if any(function.runtime_layer for function in plan.functions):
            self.runtime_layer = runtime_layer_of(self)
        for function in plan.functions:
            spec = function.spec
            layer = self.runtime_layer if function.runtime_layer else None
            built = ApiFunction(
                self,
                f"Function-{spec.name}",
                spec=spec,
                function_name=function.function_name,
                timeout=plan.timeout,
                environment=function.environment,
                profile=plan.profile,
                layers=[layer] if layer else [],
                log_encryption_key=self.log_encryption_key,
            )
            self.functions[spec.name] = built.function
            self.roles[spec.name] = built.role
            self.log_groups[spec.name] = built.log_group
            self.targets[spec.name] = built.function
            if plan.sharing.alias_name is not None:
                alias = built.function.add_alias(
                    plan.sharing.alias_name,
                    provisioned_concurrent_executions=spec.provisioned_concurrency,
                )
                self.aliases[spec.name] = alias
                self.targets[spec.name] = alias
            if function.outlives_integration:
                assert spec.timeout is not None  # only a spec's own timeout can outlive the API
                Annotations.of(built.function).add_info(
                    f"{spec.name} may run {spec.timeout.to_seconds():g} s, but the "
                    f"{plan.kind.value} API answers 504 after its {plan.timeout.to_seconds():g} s "
                    "integration timeout: callers never see a slower result."
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
        http_api = self.http_api or self.shared_api
        assert http_api is not None
        return http_api.api_id

    def register_observability(self, watcher: Watcher) -> None:
        """What an :class:`~petplatform_constructs.ObservabilityPack` watches here: each
        function (errors, throttles, duration) and the API stage (error rate, latency)."""
        for function in self.functions.values():
            watcher.watch_lambda(function)
        if self.rest_api is not None:
            watcher.watch_rest_api(self.rest_api, stage_name=self.stage_name)
        elif self.http_api is not None and self.shared_api is None:
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
        assert self.stage is not None, "a ServerlessApi on an existing_http_api has no stage"
        method = getattr(self.stage, f"metric_{which}")
        metric: cloudwatch.Metric = method(
            period=period or Duration.minutes(5), statistic=statistic
        )
        return metric
