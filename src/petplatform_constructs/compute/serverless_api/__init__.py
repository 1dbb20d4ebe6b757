"""ServerlessApi: API Gateway (REST or HTTP) in front of Lambda routes declared as data."""

from petplatform_constructs.compute.serverless_api.construct import (
    ApiKind,
    FunctionSpec,
    RouteSpec,
    ServerlessApi,
    TableAccess,
    WafRules,
)

__all__ = ["ApiKind", "FunctionSpec", "RouteSpec", "ServerlessApi", "TableAccess", "WafRules"]
