"""HTTP APIs (``AWS::ApiGatewayV2::*``) in moto's API Gateway v2 backend.

moto has the backend (``GetApis``, ``GetRoutes``, ``GetIntegrations``...) but no CloudFormation
model for these types, so a stack with an HTTP API failed to deploy. Each model here creates the
API, its stage, JWT authorizer, Lambda-proxy integrations and routes there, and deletes them with
the stack; :class:`~petplatform_localcloud.apigateway.http_api.LocalHttpApi` serves them.

A custom ``DomainName`` and its ``ApiMapping`` are records (nothing local answers DNS): the
domain's ``RegionalDomainName`` and ``RegionalHostedZoneId`` are what API Gateway would answer,
for the alias records and CDN origins that read them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moto.apigatewayv2.models import ApiGatewayV2Backend, apigatewayv2_backends

from petplatform_localcloud.moto_extensions.records import Json, Record

__all__ = [
    "EXTENSIONS",
    "HttpApi",
    "HttpApiAuthorizer",
    "HttpApiDomainName",
    "HttpApiIntegration",
    "HttpApiMapping",
    "HttpApiRoute",
    "HttpApiStage",
    "v2_backend",
]


def v2_backend(account_id: str, region_name: str) -> ApiGatewayV2Backend:
    backend: ApiGatewayV2Backend = apigatewayv2_backends[account_id][region_name]
    return backend


class HttpApi(Record):
    """``AWS::ApiGatewayV2::Api`` (HTTP): ``Ref`` is the API id."""

    attributes = ("ApiId", "ApiEndpoint")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Api"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpApi:
        props = cloudformation_json["Properties"]
        api = v2_backend(account_id, region_name).create_api(
            api_key_selection_expression=props.get("ApiKeySelectionExpression", ""),
            cors_configuration=props.get("CorsConfiguration"),
            description=props.get("Description", ""),
            disable_schema_validation=props.get("DisableSchemaValidation", ""),
            disable_execute_api_endpoint=props.get("DisableExecuteApiEndpoint", ""),
            name=props.get("Name", resource_name),
            protocol_type=props.get("ProtocolType", "HTTP"),
            route_selection_expression=props.get("RouteSelectionExpression", ""),
            tags=props.get("Tags") or {},
            version=props.get("Version", ""),
        )
        return cls(api.api_id, {"ApiId": api.api_id, "ApiEndpoint": api.api_endpoint})

    def delete(self, account_id: str, region_name: str) -> None:
        backend = v2_backend(account_id, region_name)
        if self.physical_resource_id in backend.apis:
            backend.delete_api(self.physical_resource_id)


class _ApiChild(Record):
    """A child of one HTTP API; gone with it if the API was deleted first."""

    api_id = ""

    def _remove(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError

    def delete(self, account_id: str, region_name: str) -> None:
        if self.api_id in v2_backend(account_id, region_name).apis:
            try:
                self._remove(account_id, region_name)
            except Exception:
                return

    @classmethod
    def _child(cls, physical_id: str, api_id: str, attributes: dict[str, str] | None = None) -> Any:
        record = cls(physical_id, attributes)
        record.api_id = api_id
        return record  # the subclass it was called on


class HttpApiStage(_ApiChild):
    """``AWS::ApiGatewayV2::Stage``: ``Ref`` is the stage name."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Stage"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpApiStage:
        props = cloudformation_json["Properties"]
        config = {
            "stageName": props.get("StageName", "$default"),
            "autoDeploy": props.get("AutoDeploy", False),
            "description": props.get("Description", ""),
            "accessLogSettings": props.get("AccessLogSettings"),
            "stageVariables": props.get("StageVariables") or {},
            "tags": props.get("Tags") or {},
        }
        if props.get("DefaultRouteSettings"):
            config["defaultRouteSettings"] = props["DefaultRouteSettings"]
        stage = v2_backend(account_id, region_name).create_stage(props["ApiId"], config)
        record: Any = cls._child(stage.name, props["ApiId"])
        return record  # type: ignore[no-any-return]

    def _remove(self, account_id: str, region_name: str) -> None:
        v2_backend(account_id, region_name).delete_stage(self.api_id, self.physical_resource_id)


class HttpApiAuthorizer(_ApiChild):
    """``AWS::ApiGatewayV2::Authorizer`` (JWT): ``Ref`` is the authorizer id."""

    attributes = ("AuthorizerId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Authorizer"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpApiAuthorizer:
        props = cloudformation_json["Properties"]
        jwt = props.get("JwtConfiguration") or {}
        authorizer = v2_backend(account_id, region_name).create_authorizer(
            api_id=props["ApiId"],
            auth_creds_arn=props.get("AuthorizerCredentialsArn", ""),
            auth_payload_format_version=props.get("AuthorizerPayloadFormatVersion", ""),
            auth_result_ttl=props.get("AuthorizerResultTtlInSeconds", ""),
            authorizer_uri=props.get("AuthorizerUri", ""),
            authorizer_type=props.get("AuthorizerType", "JWT"),
            enable_simple_response=props.get("EnableSimpleResponses", ""),
            identity_source=props.get("IdentitySource") or [],  # type: ignore[arg-type]
            identity_validation_expr=props.get("IdentityValidationExpression", ""),
            jwt_config={  # type: ignore[arg-type]
                "audience": list(jwt.get("Audience") or []),
                "issuer": jwt.get("Issuer", ""),
            },
            name=props.get("Name", resource_name),
        )
        authorizer_id = authorizer.id
        record: Any = cls._child(authorizer_id, props["ApiId"], {"AuthorizerId": authorizer_id})
        return record  # type: ignore[no-any-return]

    def _remove(self, account_id: str, region_name: str) -> None:
        v2_backend(account_id, region_name).delete_authorizer(
            self.api_id, self.physical_resource_id
        )


class HttpApiIntegration(_ApiChild):
    """``AWS::ApiGatewayV2::Integration``: ``Ref`` is the integration id."""

    attributes = ("IntegrationId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Integration"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpApiIntegration:
        props = cloudformation_json["Properties"]
        integration = v2_backend(account_id, region_name).create_integration(
            api_id=props["ApiId"],
            connection_id=props.get("ConnectionId", ""),
            connection_type=props.get("ConnectionType", ""),
            content_handling_strategy=props.get("ContentHandlingStrategy", ""),
            credentials_arn=props.get("CredentialsArn", ""),
            description=props.get("Description", ""),
            integration_method=props.get("IntegrationMethod", ""),
            integration_subtype=props.get("IntegrationSubtype", ""),
            integration_type=props.get("IntegrationType", "AWS_PROXY"),
            integration_uri=props.get("IntegrationUri", ""),
            passthrough_behavior=props.get("PassthroughBehavior", ""),
            payload_format_version=props.get("PayloadFormatVersion", "2.0"),
            request_parameters=props.get("RequestParameters"),
            request_templates=props.get("RequestTemplates"),
            response_parameters=props.get("ResponseParameters"),
            template_selection_expression=props.get("TemplateSelectionExpression", ""),
            timeout_in_millis=str(props.get("TimeoutInMillis", 30000)),
            tls_config=props.get("TlsConfig") or {},
        )
        integration_id = integration.id
        record: Any = cls._child(integration_id, props["ApiId"], {"IntegrationId": integration_id})
        return record  # type: ignore[no-any-return]

    def _remove(self, account_id: str, region_name: str) -> None:
        v2_backend(account_id, region_name).delete_integration(
            self.api_id, self.physical_resource_id
        )


class HttpApiRoute(_ApiChild):
    """``AWS::ApiGatewayV2::Route``: ``Ref`` is the route id."""

    attributes = ("RouteId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Route"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpApiRoute:
        props = cloudformation_json["Properties"]
        route = v2_backend(account_id, region_name).create_route(
            api_id=props["ApiId"],
            api_key_required=bool(props.get("ApiKeyRequired", False)),
            authorization_scopes=list(props.get("AuthorizationScopes") or []),
            authorization_type=props.get("AuthorizationType", "NONE"),
            authorizer_id=props.get("AuthorizerId", ""),
            model_selection_expression=props.get("ModelSelectionExpression", ""),
            operation_name=props.get("OperationName", ""),
            request_models=props.get("RequestModels"),
            request_parameters=props.get("RequestParameters"),
            route_key=props["RouteKey"],
            route_response_selection_expression=props.get("RouteResponseSelectionExpression", ""),
            target=props.get("Target", ""),
        )
        route_id = route.route_id
        record: Any = cls._child(route_id, props["ApiId"], {"RouteId": route_id})
        return record  # type: ignore[no-any-return]

    def _remove(self, account_id: str, region_name: str) -> None:
        v2_backend(account_id, region_name).delete_route(self.api_id, self.physical_resource_id)


# API Gateway's regional hosted zones (execute-api), for alias records to a custom domain.
_HOSTED_ZONES = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
}


class HttpApiDomainName(Record):
    """``AWS::ApiGatewayV2::DomainName``: ``Ref`` is the domain name."""

    attributes = ("RegionalDomainName", "RegionalHostedZoneId", "DomainName")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::DomainName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpApiDomainName:
        name = str(cloudformation_json["Properties"]["DomainName"])
        digest = hashlib.sha256(f"{account_id}:{region_name}:{name}".encode()).hexdigest()
        return cls(
            name,
            {
                "DomainName": name,
                "RegionalDomainName": f"d-{digest[:10]}.execute-api.{region_name}.amazonaws.com",
                "RegionalHostedZoneId": _HOSTED_ZONES.get(region_name, _HOSTED_ZONES["us-east-1"]),
            },
        )


class HttpApiMapping(Record):
    """``AWS::ApiGatewayV2::ApiMapping``: ``Ref`` is the mapping id."""

    attributes = ("ApiMappingId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::ApiMapping"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpApiMapping:
        props = cloudformation_json["Properties"]
        key = f"{props.get('DomainName')}/{props.get('ApiMappingKey', '')}:{props.get('ApiId')}"
        mapping_id = hashlib.sha256(key.encode()).hexdigest()[:6]
        return cls(mapping_id, {"ApiMappingId": mapping_id})


EXTENSIONS = (
    HttpApi,
    HttpApiStage,
    HttpApiAuthorizer,
    HttpApiIntegration,
    HttpApiRoute,
    HttpApiDomainName,
    HttpApiMapping,
)
