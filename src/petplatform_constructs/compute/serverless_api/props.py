"""ServerlessApi's props, declared once.

The value types they take live next to the code that builds them: :class:`FunctionSpec` and
:class:`TableAccess` in ``functions``, :class:`RouteSpec` in ``routes``, :class:`WafRules` in
``waf``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TypedDict

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms

from petplatform_constructs.compute.serverless_api.functions import FunctionSpec
from petplatform_constructs.compute.serverless_api.routes import RouteSpec
from petplatform_constructs.compute.serverless_api.waf import WafRules
from petplatform_constructs.core.resources import HasUserPool
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "DEFAULT_CORS_HEADERS",
    "HTTP_INTEGRATION_TIMEOUT_LIMIT",
    "REST_INTEGRATION_TIMEOUT_LIMIT",
    "ApiKind",
    "ServerlessApiProps",
]

REST_INTEGRATION_TIMEOUT_LIMIT = Duration.seconds(29)
"""API Gateway's default quota for REST integrations (raising it needs a quota request)."""
HTTP_INTEGRATION_TIMEOUT_LIMIT = Duration.seconds(30)
"""API Gateway's hard limit for HTTP API integrations."""
DEFAULT_CORS_HEADERS: tuple[str, ...] = ("Authorization", "Content-Type", "Idempotency-Key")
"""The request headers browsers may send when ``cors_allow_headers`` is not given."""


class ApiKind(str, Enum):
    """REST APIs validate request bodies and take WAF; HTTP APIs are cheaper and simpler."""

    REST = "REST"
    HTTP = "HTTP"


class ServerlessApiProps(TypedDict, total=False):
    """Every prop of :class:`~petplatform_constructs.ServerlessApi`. ``None`` means the default."""

    functions: Sequence[FunctionSpec]
    """Required: the functions, each serving at least one route; names are unique."""
    routes: Sequence[RouteSpec]
    """Required: the routes; each method and path pair once."""
    kind: ApiKind | str
    """``ApiKind.REST`` or ``ApiKind.HTTP`` (``"rest"``/``"http"`` accepted). Default REST."""
    user_pool: cognito.IUserPool | HasUserPool
    """Cognito user pool (or an ``AuthPool``) whose tokens the API accepts: the
    ``COGNITO_USER_POOLS`` authorizer (REST) or the JWT issuer (HTTP). Needed by ``"cognito"``
    routes. Default none."""
    jwt_issuer: str
    """HTTP only: ``https://`` issuer URL of another identity provider, instead of
    ``user_pool``. Default none."""
    jwt_audience: Sequence[str]
    """HTTP only, required with an issuer: the accepted audiences (app client ids, e.g.
    ``AuthPool.client_ids``). Default none."""
    name: str
    """Short API name, through the naming strategy in scope. Default: generated."""
    stage_name: str
    """1-128 letters, digits, ``_`` and ``-``. Default: the stage profile's stage (``dev``...)
    for REST, ``$default`` for HTTP (served at the URL root, ready for a custom domain)."""
    cors_origins: Sequence[str]
    """Origins allowed to call the API from a browser (``https://host[:port]``,
    ``http://localhost[:port]``, or ``["*"]`` alone). Default: none, no CORS."""
    cors_allow_headers: Sequence[str]
    """Request headers browsers may send. Default :data:`DEFAULT_CORS_HEADERS`."""
    cors_allow_methods: Sequence[str]
    """HTTP only: methods browsers may call besides those of ``routes``, e.g. the methods of
    routes that other ServerlessApis add with ``existing_http_api``. Default none."""
    cors_max_age: Duration
    """How long browsers cache a preflight. Default 1 hour."""
    throttling_rate_limit: float
    """Steady requests per second for the whole stage, above 0. Default 100."""
    throttling_burst_limit: int
    """Burst size of the whole stage, at least 1. Default 200."""
    integration_timeout: Duration
    """How long the API waits for a function: 50 ms to 29 s (REST) or 30 s (HTTP). Default:
    that limit."""
    execution_log_level: apigateway.MethodLoggingLevel
    """REST only: ``MethodLoggingLevel.INFO`` or ``ERROR`` (never off). Default INFO, ERROR in
    prod-like stages."""
    cloud_watch_role: bool
    """REST only: create the account-wide logging role of API Gateway (one per stack,
    retained); ``False`` when another stack manages it. Default ``True`` for REST."""
    waf: WafRules
    """REST only: create a regional web ACL with these rules for the stage. Default none."""
    web_acl_arn: str
    """REST only: associate this existing REGIONAL web ACL instead of ``waf``. Default none."""
    log_encryption_key: kms.IKey
    """KMS key of every log group of the API (functions, access, execution and WAF logs); its
    policy gets a statement letting CloudWatch Logs of this account and region use it. Default:
    in prod-like stages one new key per ServerlessApi (rotated, retained), elsewhere none."""
    runtime_layer: bool
    """Add the runtime layer (``petplatform_runtime``) to every Python function. Default True."""
    existing_http_api: apigatewayv2.IHttpApi
    """Add these functions and routes to an HTTP API that another ``ServerlessApi`` created
    (``http_api``), for example in another stack: one API, routes owned by several services.
    No API, stage, authorizer, domain or access logs are created here, so every prop that
    configures them is refused. Default none."""
    existing_authorizer: apigatewayv2.IHttpRouteAuthorizer
    """With ``existing_http_api``: the authorizer of the ``"cognito"`` routes (the other
    ``ServerlessApi``'s ``authorizer``). Default none."""
    domain_name: str
    """HTTP only: a regional custom domain (``api.example.com``) mapped to the stage, TLS 1.2.
    Needs ``certificate``. Default none."""
    certificate: acm.ICertificate
    """With ``domain_name``: its ACM certificate, in the API's region. Default none."""
    alias_name: str
    """Publish a version of every function on each change and send the API (and queues) to
    an alias of this name (e.g. ``live``), which ``FunctionSpec.provisioned_concurrency``
    needs. Default none: the API calls ``$LATEST``."""
    export_prefix: str
    """Export ``{prefix}-ApiUrl`` and ``{prefix}-ApiId`` (and ``{prefix}-DomainName`` with a
    domain). Default: no outputs."""
    stage_profile: StageProfile
    """Profile to use instead of the scope default (log retention, removal, log level)."""
    naming: Naming
    """Naming strategy to use instead of the scope default (function and API names); without
    either, CloudFormation generates the names."""
