"""Every rule a ServerlessApi's props must meet, checked together before anything is created.

:func:`plan_api` turns the props into what the construct builds and records every problem in
one :class:`~petplatform_constructs.core.errors.Problems`, so one synth shows every mistake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Duration, Token
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from constructs import IConstruct

from petplatform_constructs.compute.serverless_api.functions import (
    FunctionSpec,
    check_function_spec,
    check_function_timeout,
    generated_environment,
    runtime_of,
)
from petplatform_constructs.compute.serverless_api.props import (
    DEFAULT_CORS_HEADERS,
    HTTP_INTEGRATION_TIMEOUT_LIMIT,
    REST_INTEGRATION_TIMEOUT_LIMIT,
    ApiKind,
    ServerlessApiProps,
)
from petplatform_constructs.compute.serverless_api.routes import RouteSpec, check_routes
from petplatform_constructs.compute.serverless_api.runtimes import (
    LAYER_MIN_PYTHON,
    RUNTIME_PACKAGE,
    is_python,
    layer_supports,
)
from petplatform_constructs.compute.serverless_api.sharing import SharingPlan, plan_sharing
from petplatform_constructs.compute.serverless_api.waf import WafRules, check_web_acl
from petplatform_constructs.core.errors import Problems, PropError
from petplatform_constructs.core.names import ResourceKind, physical_name
from petplatform_constructs.core.resources import as_user_pool
from petplatform_constructs.core.rules import check_cors_origins, check_header_names
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["ApiPlan", "CorsSettings", "FunctionPlan", "plan_api"]

_MIN_INTEGRATION_TIMEOUT_MS = 50
_STAGE_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
_LOG_LEVELS = (apigateway.MethodLoggingLevel.INFO, apigateway.MethodLoggingLevel.ERROR)


@dataclass(frozen=True)
class CorsSettings:
    """The checked CORS settings; no origins means no CORS."""

    origins: tuple[str, ...]
    headers: tuple[str, ...]
    max_age: Duration


@dataclass(frozen=True)
class FunctionPlan:
    """One function to build: its spec and what the API adds to it."""

    spec: FunctionSpec
    function_name: str | None
    environment: Mapping[str, str]
    runtime_layer: bool
    outlives_integration: bool


@dataclass(frozen=True)
class ApiPlan:
    """The checked inputs of one ServerlessApi."""

    kind: ApiKind
    profile: StageProfile
    stage_name: str
    api_name: str | None
    timeout: Duration
    functions: tuple[FunctionPlan, ...]
    routes: tuple[RouteSpec, ...]
    user_pool: cognito.IUserPool | None
    jwt_issuer: str | None
    jwt_audience: tuple[str, ...]
    cors: CorsSettings
    rate_limit: float
    burst_limit: int
    log_level: apigateway.MethodLoggingLevel
    cloud_watch_role: bool
    waf: WafRules | None
    web_acl_arn: str | None
    sharing: SharingPlan

    @property
    def rest(self) -> bool:
        return self.kind is ApiKind.REST


def plan_api(
    scope: IConstruct,
    problems: Problems,
    props: ServerlessApiProps,
    rejected: frozenset[str] = frozenset(),
) -> ApiPlan | None:
    """Check ``props`` and resolve them; ``None`` when a problem was recorded.

    ``rejected`` names props already reported (unknown or of the wrong type, and left out of
    ``props``), so that no rule reports them missing.
    """
    shared = props.get("existing_http_api") is not None
    kind = _parse_kind(problems, props.get("kind") or (ApiKind.HTTP if shared else None))
    rest = kind is ApiKind.REST
    profile = StageProfile.of(scope, props.get("stage_profile"))
    naming = _naming_or_none(scope, props.get("naming"))
    user_pool = props.get("user_pool")
    pool = as_user_pool(user_pool) if user_pool is not None else None
    issuer = props.get("jwt_issuer")
    audience = tuple(props.get("jwt_audience") or ())
    has_authorizer = _check_auth(problems, rest, pool, issuer, audience)
    specs = list(props.get("functions") or ())
    sharing = plan_sharing(scope, problems, props, kind, specs)
    if shared:
        has_authorizer = sharing.existing_authorizer is not None

    routes = list(props.get("routes") or ())
    for prop, given in (("functions", specs), ("routes", routes)):
        item = "FunctionSpec" if prop == "functions" else "RouteSpec"
        problems.check(bool(given) or prop in rejected, prop, given, f"at least one {item}")
    names = [spec.name for spec in specs]
    # A rule that relates routes and functions runs only when both sides are known.
    known = names if specs and all(isinstance(n, str) for n in names) else None
    checked_routes = check_routes(problems, routes, known, rest=rest, has_authorizer=has_authorizer)
    routes_known = bool(routes) and len(checked_routes) == len(routes)
    cors = CorsSettings(
        tuple(props.get("cors_origins") or ()),
        tuple(props.get("cors_allow_headers") or DEFAULT_CORS_HEADERS),
        props.get("cors_max_age") or Duration.hours(1),
    )
    check_cors_origins(problems, "cors_origins", cors.origins)
    check_header_names(problems, "cors_allow_headers", cors.headers)
    limit = REST_INTEGRATION_TIMEOUT_LIMIT if rest else HTTP_INTEGRATION_TIMEOUT_LIMIT
    timeout = props.get("integration_timeout") or limit
    _check_integration_timeout(problems, rest, timeout, limit)
    functions = _plan_functions(
        scope,
        problems,
        specs,
        checked_routes if routes_known else None,
        naming=naming,
        rest=rest,
        cors_origins=cors.origins,
        timeout=timeout,
        limit=limit,
        layered=props.get("runtime_layer") is not False,
    )
    stage_name = props.get("stage_name") or (profile.stage.value if rest else "$default")
    _check_stage(problems, rest, stage_name, props)
    _check_rest_only(problems, rest, props)
    api_name = props.get("name")
    if naming is not None and api_name is not None:
        with problems.collecting("name", api_name):
            api_name = naming.name(api_name)
    if problems:
        return None
    return ApiPlan(
        kind=kind,
        profile=profile,
        stage_name=stage_name,
        api_name=api_name,
        timeout=timeout,
        functions=tuple(functions),
        routes=tuple(checked_routes),
        user_pool=pool,
        jwt_issuer=issuer,
        jwt_audience=audience,
        cors=cors,
        rate_limit=props.get("throttling_rate_limit") or 100,
        burst_limit=props.get("throttling_burst_limit") or 200,
        log_level=props.get("execution_log_level")
        or (
            apigateway.MethodLoggingLevel.ERROR
            if profile.prod_like
            else apigateway.MethodLoggingLevel.INFO
        ),
        cloud_watch_role=rest and props.get("cloud_watch_role") is not False,
        waf=props.get("waf"),
        web_acl_arn=props.get("web_acl_arn"),
        sharing=sharing,
    )


def _plan_functions(
    scope: IConstruct,
    problems: Problems,
    specs: Sequence[FunctionSpec],
    routes: Sequence[RouteSpec] | None,
    *,
    naming: Naming | None,
    rest: bool,
    cors_origins: Sequence[str],
    timeout: Duration,
    limit: Duration,
    layered: bool,
) -> list[FunctionPlan]:
    """Check each function spec against the API; plan those whose fields have the right types.

    ``routes`` is ``None`` when some were refused: then no function is reported as unused.
    """
    planned: list[FunctionPlan] = []
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        label = f"functions[{spec.name}]" if isinstance(spec.name, str) else f"functions[{index}]"
        environment = generated_environment(spec.name, routes or (), cors_origins)
        if not check_function_spec(problems, spec, label, list(environment)):
            continue
        problems.check(
            spec.name not in seen,
            "functions.name",
            spec.name,
            "function names are unique: routes refer to functions by name",
        )
        seen.add(spec.name)
        problems.check(
            routes is None or any(route.function == spec.name for route in routes),
            label,
            spec.name,
            "every function serves at least one route; build functions invoked by queues or "
            "schedules outside the API",
        )
        runtime = runtime_of(spec)
        with_layer = layered and is_python(runtime)
        problems.check(
            not with_layer or layer_supports(runtime),
            f"{label}.runtime",
            runtime.name,
            f"the runtime layer ({RUNTIME_PACKAGE}) needs python"
            f"{'.'.join(map(str, LAYER_MIN_PYTHON))} or newer: upgrade the runtime, or set "
            "runtime_layer=False",
        )
        planned.append(
            FunctionPlan(
                spec=spec,
                function_name=_function_name(scope, problems, naming, spec, label),
                environment=environment,
                runtime_layer=with_layer,
                outlives_integration=check_function_timeout(
                    problems, rest, spec, label, timeout, limit
                ),
            )
        )
    return planned


def _parse_kind(problems: Problems, kind: ApiKind | str | None) -> ApiKind:
    """The API kind; an unknown one is recorded, and the rest is checked as a REST API."""
    if kind is None or isinstance(kind, ApiKind):
        return kind or ApiKind.REST
    try:
        return ApiKind(kind.upper())
    except ValueError:
        problems.add("kind", kind, "ApiKind.REST or ApiKind.HTTP")
        return ApiKind.REST


def _naming_or_none(scope: IConstruct, naming: Naming | None) -> Naming | None:
    try:
        return Naming.of(scope, naming)
    except PropError:
        return None


def _function_name(
    scope: IConstruct, problems: Problems, naming: Naming | None, spec: FunctionSpec, label: str
) -> str | None:
    """``spec.name`` through the naming strategy, claimed in the app; ``None`` without one."""
    if naming is None:
        return None
    return physical_name(
        scope,
        problems,
        ResourceKind.LAMBDA_FUNCTION,
        name=spec.name,
        literal=None,
        literal_prop=f"{label}.name",
        strategy=lambda: naming,
        name_prop=f"{label}.name",
    )


def _check_auth(
    problems: Problems,
    rest: bool,
    user_pool: cognito.IUserPool | None,
    issuer: str | None,
    audience: tuple[str, ...],
) -> bool:
    """Record a mismatch of the authorizer props; return whether the API has an authorizer."""
    if rest:
        for prop, value in (("jwt_issuer", issuer), ("jwt_audience", list(audience))):
            problems.check(
                not value,
                prop,
                value,
                "REST APIs authorize with the Cognito user pool (user_pool=); JWT issuers and "
                "audiences are for ApiKind.HTTP",
            )
        return user_pool is not None
    problems.check(
        user_pool is None or issuer is None,
        "jwt_issuer",
        issuer,
        "give user_pool (the issuer is derived from it) or jwt_issuer, not both",
    )
    if issuer is not None and not Token.is_unresolved(issuer):
        problems.check(
            issuer.startswith("https://"),
            "jwt_issuer",
            issuer,
            "an https:// issuer URL (the iss claim of the tokens)",
        )
    has_issuer = user_pool is not None or issuer is not None
    problems.check(
        has_issuer == bool(audience),
        "jwt_audience",
        list(audience),
        "a JWT authorizer needs both an issuer (user_pool or jwt_issuer) and the accepted "
        "audiences (app client ids, e.g. AuthPool.client_ids)",
    )
    return has_issuer


def _check_integration_timeout(
    problems: Problems, rest: bool, timeout: Duration, limit: Duration
) -> None:
    millis = timeout.to_milliseconds()
    problems.check(
        _MIN_INTEGRATION_TIMEOUT_MS <= millis <= limit.to_milliseconds(),
        "integration_timeout",
        f"{millis / 1000:g} s",
        f"{_MIN_INTEGRATION_TIMEOUT_MS} ms to {limit.to_seconds():g} s: the "
        + (
            "REST API integration timeout quota (29 s by default)"
            if rest
            else "HTTP API integration timeout hard limit (30 s)"
        ),
    )


def _check_stage(
    problems: Problems, rest: bool, stage_name: str, props: ServerlessApiProps
) -> None:
    problems.check(
        bool(_STAGE_NAME.fullmatch(stage_name)) or (not rest and stage_name == "$default"),
        "stage_name",
        stage_name,
        "1-128 letters, digits, '_' and '-'" + ("" if rest else ", or '$default'"),
    )
    rate = props.get("throttling_rate_limit")
    if rate is not None:
        problems.check(
            rate > 0,
            "throttling_rate_limit",
            rate,
            "requests per second above 0 (0 would reject every request)",
        )
    burst = props.get("throttling_burst_limit")
    if burst is not None:
        problems.check(
            burst >= 1, "throttling_burst_limit", burst, "a whole number of requests, at least 1"
        )


def _check_rest_only(problems: Problems, rest: bool, props: ServerlessApiProps) -> None:
    check_web_acl(problems, props.get("waf"), props.get("web_acl_arn"), rest=rest)
    log_level = props.get("execution_log_level")
    if rest:
        problems.check(
            log_level is None or log_level in _LOG_LEVELS,
            "execution_log_level",
            log_level,
            "MethodLoggingLevel.INFO or ERROR: execution logging stays on (AwsSolutions-APIG6)",
        )
        return
    problems.check(
        not props.get("cloud_watch_role"),
        "cloud_watch_role",
        props.get("cloud_watch_role"),
        "HTTP APIs write access logs through a service-linked role; the account-level logging "
        "role is for REST APIs",
    )
    problems.check(
        log_level is None,
        "execution_log_level",
        log_level,
        "HTTP APIs have no execution logs; their access logs are always on",
    )
