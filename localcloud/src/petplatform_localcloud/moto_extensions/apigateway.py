"""API Gateway REST APIs, their resources and methods, complete in moto's backend.

moto's ``Method`` model keeps the integration's type and URI only (no authorizer, request models,
validator, request parameters, method or integration responses), and ``RestApi`` drops its
policy, binary media types and tags and is never deleted; there is no model for ``Account``.
Here they land in moto's API Gateway backend complete, so that ``GetMethod``... describe the
deployed API as AWS would, and :mod:`petplatform_localcloud.apigateway` can serve it over HTTP.
The other children of an API are in :mod:`.apigateway_children`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.apigateway.models import RestAPI, apigateway_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, cfn_tags, json_document

__all__ = [
    "EXTENSIONS",
    "ApiAccount",
    "ApiChild",
    "ApiMethod",
    "ApiResource",
    "RestApi",
    "apigateway_backend",
]


def apigateway_backend(account_id: str, region_name: str) -> Any:
    return apigateway_backends[account_id][region_name]


class ApiChild(Record):
    """A record that belongs to one REST API; deleted with it if the API went first.

    A child kept in one of the API's collections names it in ``collection``, and deleting the
    record removes its entry (keyed by the physical id) from there.
    """

    rest_api_id = ""
    collection = ""

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None and self.collection:
            getattr(api, self.collection).pop(self.physical_resource_id, None)

    def _api(self, account_id: str, region_name: str) -> RestAPI | None:
        api: RestAPI | None = apigateway_backend(account_id, region_name).apis.get(self.rest_api_id)
        return api

    @classmethod
    def _child(
        cls, physical_id: str, rest_api_id: str, attributes: Mapping[str, str] | None = None
    ) -> Any:
        record = cls(physical_id, attributes)
        record.rest_api_id = rest_api_id
        return record


class RestApi(Record):
    """``AWS::ApiGateway::RestApi`` with policy, binary media types and tags, and deletable."""

    attributes = ("RestApiId", "RootResourceId")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RestApi"

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
    ) -> RestApi:
        props = cloudformation_json.get("Properties", {})
        api: RestAPI = apigateway_backend(account_id, region_name).create_rest_api(
            name=props.get("Name", resource_name),
            description=props.get("Description", ""),
            api_key_source=props.get("ApiKeySourceType"),
            endpoint_configuration=props.get("EndpointConfiguration"),
            tags={t["Key"]: t["Value"] for t in cfn_tags(props)} or None,  # moto keeps a dict
            policy=json_document(props["Policy"]) if "Policy" in props else None,
            minimum_compression_size=props.get("MinimumCompressionSize"),
            disable_execute_api_endpoint=props.get("DisableExecuteApiEndpoint"),
        )
        api.binaryMediaTypes = list(props.get("BinaryMediaTypes", []))
        return cls(
            api.id,
            {"RestApiId": api.id, "RootResourceId": str(api.get_cfn_attribute("RootResourceId"))},
        )

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        """In place: the API keeps its id, resources and stages."""
        props = cloudformation_json.get("Properties", {})
        api = apigateway_backend(account_id, region_name).get_rest_api(
            original_resource.physical_resource_id
        )
        api.name = props.get("Name", api.name)
        api.description = props.get("Description", "")
        api.policy = json_document(props["Policy"]) if "Policy" in props else None
        api.binaryMediaTypes = list(props.get("BinaryMediaTypes", []))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        apigateway_backend(account_id, region_name).apis.pop(resource_name, None)


class ApiResource(ApiChild):
    """``AWS::ApiGateway::Resource`` (moto's, plus a delete)."""

    collection = "resources"

    attributes = ("ResourceId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Resource"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiResource:
        props = cloudformation_json["Properties"]
        backend = apigateway_backend(account_id, region_name)
        resource = backend.create_resource(
            function_id=props["RestApiId"],
            parent_resource_id=props["ParentId"],
            path_part=props["PathPart"],
        )
        record: ApiResource = cls._child(
            resource.id, props["RestApiId"], {"ResourceId": resource.id}
        )
        return record


def _response_parameters(values: Mapping[str, object] | None) -> dict[str, Any] | None:
    return dict(values) if values else None


class ApiMethod(ApiChild):
    """``AWS::ApiGateway::Method`` with everything the method and its integration declare."""

    resource_id = ""
    http_method = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Method"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiMethod:
        props = cloudformation_json["Properties"]
        api_id, resource_id, http_method = (
            props["RestApiId"],
            props["ResourceId"],
            props["HttpMethod"],
        )
        backend = apigateway_backend(account_id, region_name)
        backend.put_method(
            function_id=api_id,
            resource_id=resource_id,
            method_type=http_method,
            authorization_type=props.get("AuthorizationType", "NONE"),
            api_key_required=bool(props.get("ApiKeyRequired", False)),
            request_parameters=props.get("RequestParameters"),
            request_models=props.get("RequestModels"),
            operation_name=props.get("OperationName"),
            authorizer_id=props.get("AuthorizerId"),
            authorization_scopes=props.get("AuthorizationScopes"),
            request_validator_id=props.get("RequestValidatorId"),
        )
        for response in props.get("MethodResponses", []):
            backend.put_method_response(
                function_id=api_id,
                resource_id=resource_id,
                method_type=http_method,
                response_code=str(response["StatusCode"]),
                response_models=response.get("ResponseModels"),
                response_parameters=_response_parameters(response.get("ResponseParameters")),
            )
        integration = props.get("Integration")
        if integration:
            backend.put_integration(
                function_id=api_id,
                resource_id=resource_id,
                method_type=http_method,
                integration_type=integration["Type"],
                uri=integration.get("Uri"),
                integration_method=integration.get("IntegrationHttpMethod"),
                credentials=integration.get("Credentials"),
                request_templates=integration.get("RequestTemplates"),
                passthrough_behavior=integration.get("PassthroughBehavior"),
                cache_namespace=integration.get("CacheNamespace"),
                timeout_in_millis=integration.get("TimeoutInMillis"),
                request_parameters=integration.get("RequestParameters"),
                content_handling=integration.get("ContentHandling"),
                connection_type=integration.get("ConnectionType"),
            )
            for response in integration.get("IntegrationResponses", []):
                backend.put_integration_response(
                    function_id=api_id,
                    resource_id=resource_id,
                    method_type=http_method,
                    status_code=str(response["StatusCode"]),
                    selection_pattern=response.get("SelectionPattern"),
                    response_templates=response.get("ResponseTemplates"),
                    response_parameters=_response_parameters(response.get("ResponseParameters")),
                    content_handling=response.get("ContentHandling"),
                )
        record: ApiMethod = cls._child(f"{resource_id}-{http_method}", api_id)
        record.resource_id, record.http_method = resource_id, http_method
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        resource = api.resources.get(self.resource_id) if api is not None else None
        if resource is not None:
            resource.resource_methods.pop(self.http_method, None)


class ApiAccount(Record):
    """``AWS::ApiGateway::Account``: the region's CloudWatch role, a stack record here."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Account"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiAccount:
        return cls(f"ApiGatewayAccount-{region_name}")


EXTENSIONS = (RestApi, ApiResource, ApiMethod, ApiAccount)
