"""The children of a REST API besides its resources and methods, complete in moto's backend.

moto's ``Deployment`` has no physical id (a ``Ref`` to it yields a Python object), and there is
no model for ``Stage``, ``Authorizer``, ``Model``, ``RequestValidator`` or ``GatewayResponse``.
Here all of them land in moto's API Gateway backend, so that ``GetStage``, ``GetAuthorizers``,
``GetModels``... describe the deployed API as AWS would.
"""

from __future__ import annotations

from typing import Any

from petplatform_localcloud.moto_extensions.apigateway import ApiChild, apigateway_backend
from petplatform_localcloud.moto_extensions.records import Json, Record, cfn_tags, json_document

__all__ = [
    "EXTENSIONS",
    "ApiAuthorizer",
    "ApiDeployment",
    "ApiGatewayResponse",
    "ApiModel",
    "ApiRequestValidator",
    "ApiStage",
]


class ApiDeployment(ApiChild):
    """``AWS::ApiGateway::Deployment`` (``Ref`` is the deployment id)."""

    collection = "deployments"

    attributes = ("DeploymentId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Deployment"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiDeployment:
        props = cloudformation_json["Properties"]
        deployment = apigateway_backend(account_id, region_name).create_deployment(
            function_id=props["RestApiId"],
            name=props.get("StageName"),
            description=props.get("Description", ""),
        )
        record: ApiDeployment = cls._child(
            deployment.id, props["RestApiId"], {"DeploymentId": deployment.id}
        )
        return record


class ApiStage(ApiChild):
    """``AWS::ApiGateway::Stage`` with its variables, tracing, access logs and method settings
    (``Ref`` is the stage name)."""

    collection = "stages"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StageName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiStage:
        props = cloudformation_json["Properties"]
        api_id = props["RestApiId"]
        stage = apigateway_backend(account_id, region_name).create_stage(
            function_id=api_id,
            stage_name=props.get("StageName", resource_name),
            deploymentId=props["DeploymentId"],
            variables=props.get("Variables"),
            description=props.get("Description", ""),
            cacheClusterEnabled=props.get("CacheClusterEnabled"),
            cacheClusterSize=props.get("CacheClusterSize"),
            tags={t["Key"]: t["Value"] for t in cfn_tags(props)} or None,
            tracing_enabled=props.get("TracingEnabled"),
        )
        cls._configure(stage, props)
        record: ApiStage = cls._child(stage.name, api_id)
        return record

    @staticmethod
    def _configure(stage: Any, props: Json) -> None:
        access_log = props.get("AccessLogSetting")
        stage.access_log_settings = (
            {"destinationArn": access_log.get("DestinationArn"), "format": access_log.get("Format")}
            if access_log
            else None
        )
        settings = {}
        for setting in props.get("MethodSettings", []):
            key = (
                f"{setting.get('ResourcePath', '/*').lstrip('/')}/{setting.get('HttpMethod', '*')}"
            )
            settings[key] = {
                "metricsEnabled": bool(setting.get("MetricsEnabled", False)),
                "loggingLevel": setting.get("LoggingLevel", "OFF"),
                "dataTraceEnabled": bool(setting.get("DataTraceEnabled", False)),
                "throttlingBurstLimit": setting.get("ThrottlingBurstLimit", 5000),
                "throttlingRateLimit": float(setting.get("ThrottlingRateLimit", 10000.0)),
                "cachingEnabled": bool(setting.get("CachingEnabled", False)),
            }
        stage.method_settings = settings

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        """In place (a new deployment is pointed to), unless the stage or API changes."""
        props = cloudformation_json["Properties"]
        api_id = props["RestApiId"]
        name = props.get("StageName", original_resource.physical_resource_id)
        if name != original_resource.physical_resource_id or api_id != getattr(
            original_resource, "rest_api_id", ""
        ):
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        stage = apigateway_backend(account_id, region_name).get_stage(api_id, name)
        stage.deployment_id = props["DeploymentId"]
        stage.variables = props.get("Variables") or {}
        stage.description = props.get("Description", "")
        stage.tracing_enabled = props.get("TracingEnabled")
        cls._configure(stage, props)
        return original_resource


class ApiAuthorizer(ApiChild):
    """``AWS::ApiGateway::Authorizer`` (``Ref`` is the authorizer id)."""

    collection = "authorizers"

    attributes = ("AuthorizerId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Authorizer"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiAuthorizer:
        props = cloudformation_json["Properties"]
        ttl = props.get("AuthorizerResultTtlInSeconds")
        authorizer = apigateway_backend(account_id, region_name).create_authorizer(
            restapi_id=props["RestApiId"],
            name=props.get("Name", resource_name),
            authorizer_type=props["Type"],
            provider_arns=props.get("ProviderARNs"),
            auth_type=props.get("AuthType"),
            authorizer_uri=props.get("AuthorizerUri"),
            authorizer_credentials=props.get("AuthorizerCredentials"),
            identity_source=props.get("IdentitySource"),
            identiy_validation_expression=props.get("IdentityValidationExpression"),
            authorizer_result_ttl=int(ttl) if ttl is not None else 300,
        )
        record: ApiAuthorizer = cls._child(
            authorizer.id, props["RestApiId"], {"AuthorizerId": authorizer.id}
        )
        return record


class ApiModel(ApiChild):
    """``AWS::ApiGateway::Model`` (``Ref`` is the model name)."""

    collection = "models"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Model"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiModel:
        props = cloudformation_json["Properties"]
        model = apigateway_backend(account_id, region_name).create_model(
            rest_api_id=props["RestApiId"],
            name=props.get("Name", resource_name),
            content_type=props.get("ContentType", "application/json"),
            description=props.get("Description", ""),
            schema=json_document(props.get("Schema", {})),
        )
        record: ApiModel = cls._child(model.name, props["RestApiId"])
        return record


class ApiRequestValidator(ApiChild):
    """``AWS::ApiGateway::RequestValidator`` (``Ref`` is the validator id)."""

    collection = "request_validators"

    attributes = ("RequestValidatorId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RequestValidator"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiRequestValidator:
        props = cloudformation_json["Properties"]
        validator = apigateway_backend(account_id, region_name).create_request_validator(
            restapi_id=props["RestApiId"],
            name=props.get("Name", resource_name),
            body=bool(props.get("ValidateRequestBody", False)),
            params=bool(props.get("ValidateRequestParameters", False)),
        )
        record: ApiRequestValidator = cls._child(
            validator.id, props["RestApiId"], {"RequestValidatorId": validator.id}
        )
        return record


class ApiGatewayResponse(ApiChild):
    """``AWS::ApiGateway::GatewayResponse``: headers and templates of the gateway's own errors."""

    response_type = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::GatewayResponse"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayResponse:
        props = cloudformation_json["Properties"]
        status = props.get("StatusCode")
        apigateway_backend(account_id, region_name).put_gateway_response(
            rest_api_id=props["RestApiId"],
            response_type=props["ResponseType"],
            status_code=str(status) if status is not None else None,
            response_parameters=props.get("ResponseParameters"),
            response_templates=props.get("ResponseTemplates"),
        )
        record: ApiGatewayResponse = cls._child(
            f"{props['RestApiId']}-{props['ResponseType']}", props["RestApiId"]
        )
        record.response_type = props["ResponseType"]
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None:
            api.gateway_responses.pop(self.response_type, None)


EXTENSIONS = (
    ApiDeployment,
    ApiStage,
    ApiAuthorizer,
    ApiModel,
    ApiRequestValidator,
    ApiGatewayResponse,
)
