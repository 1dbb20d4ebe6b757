"""The deployed API as the emulator's API Gateway backend describes it, and its routing."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from petplatform_localcloud.json_schema import Schema

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_localcloud.server import LocalCloud

__all__ = [
    "DeployedApi",
    "DeployedResource",
    "GatewayError",
    "Invocation",
    "all_items",
    "find_api",
    "read_definition",
]

Json = dict[str, Any]


@dataclass(frozen=True)
class Invocation:
    """One Lambda invocation made by the local API (for tests: "was the handler called?")."""

    function: str
    method: str
    resource: str
    path: str
    status: int
    seconds: float
    error: str | None = None


class GatewayError(Exception):
    """An answer API Gateway gives itself (``response_type`` as in its gateway responses)."""

    def __init__(self, response_type: str, status: int, message: str) -> None:
        super().__init__(message)
        self.response_type = response_type
        self.status = status
        self.message = message


@dataclass(frozen=True)
class DeployedResource:
    """One resource of the API: its path template and methods (as ``GetMethod`` returns them)."""

    resource_id: str
    path: str
    parts: tuple[str, ...]
    methods: Mapping[str, Json]

    def match(self, parts: Sequence[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
        """(specificity key: lower is more specific, path parameters), or None."""
        rank: list[int] = []
        params: dict[str, str] = {}
        for i, template in enumerate(self.parts):
            if template.startswith("{") and template.endswith("+}"):
                if i >= len(parts):
                    return None
                params[template[1:-2]] = "/".join(parts[i:])
                return (*rank, 2), params
            if i >= len(parts):
                return None
            if template.startswith("{") and template.endswith("}"):
                params[template[1:-1]] = parts[i]
                rank.append(1)
            elif template == parts[i]:
                rank.append(0)
            else:
                return None
        if len(parts) != len(self.parts):
            return None
        return tuple(rank), params


@dataclass
class DeployedApi:
    """The API as the emulator's API Gateway backend describes it, for one stage."""

    api_id: str
    name: str
    stage: str
    stage_variables: Mapping[str, str]
    resources: list[DeployedResource]
    authorizers: Mapping[str, Json]
    models: Mapping[str, Schema]
    validators: Mapping[str, Json]
    gateway_responses: Mapping[str, Json]

    def route(
        self, method: str, parts: Sequence[str]
    ) -> tuple[DeployedResource, Json, dict[str, str]]:
        best: tuple[tuple[int, ...], DeployedResource, dict[str, str]] | None = None
        for resource in self.resources:
            matched = resource.match(parts)
            if matched is not None and (best is None or matched[0] < best[0]):
                best = (matched[0], resource, matched[1])
        if best is not None:
            _, resource, params = best
            found = resource.methods.get(method) or resource.methods.get("ANY")
            if found is not None:
                return resource, found, params
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token")


def find_api(
    cloud: LocalCloud,
    deployed: Mapping[str, list[Json]],
    stack: str | None,
    rest_api: str | None,
    region: str | None = None,
) -> str:
    """The id of the one deployed REST API of ``stack`` (any stack if None) that
    ``rest_api`` names (its logical id, id or name; any if None)."""
    candidates = [
        (stack_name, r)
        for stack_name, resources in deployed.items()
        if stack in (None, stack_name)
        for r in resources
        if r["ResourceType"] == "AWS::ApiGateway::RestApi" and r.get("PhysicalResourceId")
    ]
    if rest_api is not None:
        apigw = cloud.client("apigateway", region=region)
        candidates = [
            (s, r)
            for s, r in candidates
            if rest_api
            in (
                r["LogicalResourceId"],
                r["PhysicalResourceId"],
                apigw.get_rest_api(restApiId=r["PhysicalResourceId"])["name"],
            )
        ]
    if len(candidates) != 1:
        found = [f"{s}/{r['LogicalResourceId']}" for s, r in candidates]
        raise LookupError(
            f"expected one deployed REST API (stack={stack!r}, "
            f"rest_api={rest_api!r}), found {found or 'none'}"
        )
    return str(candidates[0][1]["PhysicalResourceId"])


def read_definition(
    cloud: LocalCloud, api_id: str, stage: str | None, region: str | None = None
) -> DeployedApi:
    """API ``api_id`` as the backend describes it, for ``stage`` (the only one if None)."""
    apigw = cloud.client("apigateway", region=region)
    api = apigw.get_rest_api(restApiId=api_id)
    stages = [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]]
    if stage is not None:
        if stage not in stages:
            raise LookupError(f"API {api_id} has no stage {stage!r}; stages: {stages}")
        stage_name = stage
    elif len(stages) == 1:
        stage_name = stages[0]
    else:
        raise LookupError(f"API {api_id} has stages {stages}; pass stage=")
    described = apigw.get_stage(restApiId=api_id, stageName=stage_name)
    resources = []
    for item in all_items(apigw, "get_resources", restApiId=api_id, embed=["methods"]):
        path = str(item["path"])
        parts = tuple(p for p in path.split("/") if p)
        resources.append(DeployedResource(item["id"], path, parts, item.get("resourceMethods", {})))
    models = {}
    for model in all_items(apigw, "get_models", restApiId=api_id):
        models[str(model["name"])] = json.loads(model.get("schema") or "{}")
    return DeployedApi(
        api_id=api_id,
        name=str(api.get("name", api_id)),
        stage=stage_name,
        stage_variables=described.get("variables") or {},
        resources=resources,
        authorizers={a["id"]: a for a in all_items(apigw, "get_authorizers", restApiId=api_id)},
        models=models,
        validators={
            v["id"]: v for v in all_items(apigw, "get_request_validators", restApiId=api_id)
        },
        gateway_responses={
            g["responseType"]: g
            for g in all_items(apigw, "get_gateway_responses", restApiId=api_id)
        },
    )


def all_items(client: Any, operation: str, **kwargs: Any) -> Iterator[Json]:
    """Every item of a paginated API Gateway list operation."""
    position: str | None = None
    while True:
        page = getattr(client, operation)(**kwargs, **({"position": position} if position else {}))
        yield from page.get("items", page.get("item", []))
        position = page.get("position")
        if not position:
            return
