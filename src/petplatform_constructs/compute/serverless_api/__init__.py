"""ServerlessApi: API Gateway (REST or HTTP) in front of Lambda routes declared as data."""

from petplatform_constructs.compute.serverless_api.api_function import ApiFunction
from petplatform_constructs.compute.serverless_api.construct import ServerlessApi
from petplatform_constructs.compute.serverless_api.functions import (
    FunctionSpec,
    TableAccess,
    check_function_spec,
)
from petplatform_constructs.compute.serverless_api.props import (
    DEFAULT_CORS_HEADERS,
    HTTP_INTEGRATION_TIMEOUT_LIMIT,
    REST_INTEGRATION_TIMEOUT_LIMIT,
    ApiKind,
    ServerlessApiProps,
)
from petplatform_constructs.compute.serverless_api.routes import RouteSpec
from petplatform_constructs.compute.serverless_api.runtimes import (
    RUNTIME_LAYER_ID,
    RUNTIME_PACKAGE,
    runtime_layer_directory,
)
from petplatform_constructs.compute.serverless_api.waf import WafRules

__all__ = [
    "DEFAULT_CORS_HEADERS",
    "HTTP_INTEGRATION_TIMEOUT_LIMIT",
    "REST_INTEGRATION_TIMEOUT_LIMIT",
    "RUNTIME_LAYER_ID",
    "RUNTIME_PACKAGE",
    "ApiFunction",
    "ApiKind",
    "FunctionSpec",
    "RouteSpec",
    "ServerlessApi",
    "ServerlessApiProps",
    "TableAccess",
    "WafRules",
    "check_function_spec",
    "runtime_layer_directory",
]
