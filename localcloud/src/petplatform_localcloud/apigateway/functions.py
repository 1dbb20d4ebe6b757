"""The Lambda functions behind a REST API's ``AWS_PROXY`` integrations, found in the assembly."""

from __future__ import annotations

import fnmatch
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from petplatform_localcloud.apigateway.definition import DeployedApi
from petplatform_localcloud.assembly import AssemblyStack
from petplatform_localcloud.lambda_runtime import LocalFunction

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_localcloud.server import LocalCloud

__all__ = ["ApiFunctions", "function_arn"]

Json = dict[str, Any]
_LAMBDA_URI = "/2015-03-31/functions/"


class ApiFunctions:
    """A :class:`LocalFunction` for each Lambda the API calls (by ARN), with the source ARNs its
    resource policy lets API Gateway invoke it from; code archives unpack into a scratch
    directory that :meth:`close` removes."""

    def __init__(self, cloud: LocalCloud, region: str | None = None) -> None:
        self.cloud = cloud
        self.region = region or cloud.region
        self.by_arn: dict[str, LocalFunction] = {}
        self.permissions: dict[str, list[str]] = {}  # function ARN -> allowed source ARNs
        self._scratch: TemporaryDirectory[str] | None = None

    def allows(self, arn: str, source: str) -> bool:
        """Whether the function's resource policy lets API Gateway invoke it from ``source``."""
        return any(fnmatch.fnmatchcase(source, p) for p in self.permissions.get(arn, []))

    def close(self) -> None:
        """Stop the functions' processes (Go, Node.js) and remove unpacked code."""
        functions, self.by_arn = self.by_arn, {}
        for function in functions.values():
            function.close()
        scratch, self._scratch = self._scratch, None
        if scratch is not None:
            scratch.cleanup()

    def load(
        self,
        definition: DeployedApi,
        stacks: list[AssemblyStack],
        deployed: Mapping[str, list[Json]],
    ) -> None:
        """A :class:`LocalFunction` for each Lambda that an ``AWS_PROXY`` integration calls."""
        arns = {
            function_arn(str(method["methodIntegration"].get("uri", "")))
            for resource in definition.resources
            for method in resource.methods.values()
            if (method.get("methodIntegration") or {}).get("type") == "AWS_PROXY"
        }
        lam = self.cloud.client("lambda", region=self.region)
        functions: dict[str, LocalFunction] = {}
        for arn in sorted(a for a in arns if a):
            function = self.local_function(arn, stacks, deployed)
            warm = self.by_arn.get(arn)
            if warm is not None and all(
                getattr(warm, deployed_as) == getattr(function, deployed_as)
                for deployed_as in ("code_dir", "layer_dirs", "handler", "environment")
            ):
                function = warm
            functions[arn] = function
            self.permissions[arn] = _api_gateway_sources(lam, arn)
        for arn, replaced in self.by_arn.items():
            if functions.get(arn) is not replaced:
                replaced.close()
        self.by_arn = functions

    def local_function(
        self, arn: str, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> LocalFunction:
        """A :class:`LocalFunction` for the deployed function ``arn`` (or name), from its asset."""
        lam = self.cloud.client("lambda", region=self.region)
        config = lam.get_function_configuration(FunctionName=arn)
        logging = config.get("LoggingConfig") or {}
        function = LocalFunction(
            name=config["FunctionName"],
            arn=config["FunctionArn"],
            handler=config["Handler"],
            code_dir=self._code_dir(config["FunctionName"], stacks, deployed),
            layer_dirs=self._layer_dirs(config["FunctionName"], stacks, deployed),
            environment=dict((config.get("Environment") or {}).get("Variables") or {}),
            endpoint_url=self.cloud.endpoint_url,
            region=self.region,
            runtime=str(config.get("Runtime", "")),
            timeout_seconds=float(config.get("Timeout", 3)),
            memory_mb=int(config.get("MemorySize", 128)),
            log_group=str(logging.get("LogGroup", "")),
        )
        if logging.get("LogFormat") == "JSON":
            function.environment = {**function.environment, "AWS_LAMBDA_LOG_FORMAT": "JSON"}
        return function

    def _code_dir(
        self, function_name: str, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> Path:
        template, stack = self._function_template(function_name, stacks, deployed)
        return self._unpacked(function_name, template.get("Properties", {}).get("Code", {}), stack)

    def _layer_dirs(
        self, function_name: str, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> tuple[Path, ...]:
        """The ``python/`` directory of each layer the function's own stack defines.

        A layer given by ARN (not ``{"Ref": ...}`` to a layer of the stack) has no local asset
        and is left out.
        """
        template, stack = self._function_template(function_name, stacks, deployed)
        resources = stack.template()["Resources"]
        found = []
        for layer in template.get("Properties", {}).get("Layers", []):
            logical_id = layer.get("Ref") if isinstance(layer, dict) else None
            content = resources.get(logical_id, {}).get("Properties", {}).get("Content")
            if isinstance(content, dict):
                found.append(self._unpacked(f"{function_name} layer", content, stack) / "python")
        return tuple(found)

    def _function_template(
        self, function_name: str, stacks: list[AssemblyStack], deployed: Mapping[str, list[Json]]
    ) -> tuple[Json, AssemblyStack]:
        """The function's resource in its stack's template, and that stack."""
        for stack in stacks:
            for resource in deployed.get(stack.stack_name, []):
                if (
                    resource["ResourceType"] == "AWS::Lambda::Function"
                    and resource.get("PhysicalResourceId") == function_name
                ):
                    return stack.template()["Resources"][resource["LogicalResourceId"]], stack
        raise LookupError(f"function {function_name} is not in the deployed assembly's stacks")

    def _unpacked(self, function_name: str, code: Json, stack: AssemblyStack) -> Path:
        key = code.get("S3Key")
        if isinstance(key, str):
            for asset in stack.assets:
                if asset.key == key or asset.key.endswith(f"/{key}"):
                    if asset.source.is_dir():
                        return asset.source
                    return self._extract(asset.source)
            raise LookupError(f"function {function_name}: no asset for code key {key!r}")
        if isinstance(code.get("ZipFile"), str):
            directory = self._scratch_dir() / function_name
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "index.py").write_text(code["ZipFile"])
            return directory
        raise LookupError(f"function {function_name}: code {sorted(code)} is not a local asset")

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            self._scratch = TemporaryDirectory(prefix="petplatform-lambda-")
        return Path(self._scratch.name)

    def _extract(self, archive: Path) -> Path:
        target = self._scratch_dir() / archive.stem
        if not target.exists():
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(target)
        return target


def _api_gateway_sources(lam: Any, function_arn: str) -> list[str]:
    """Source-ARN patterns for which the function's resource policy lets API Gateway invoke it
    (``*`` when a statement has no source condition)."""
    try:
        policy = json.loads(lam.get_policy(FunctionName=function_arn)["Policy"])
    except ClientError:
        return []
    sources = []
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal")
        service = principal.get("Service") if isinstance(principal, dict) else principal
        action = statement.get("Action")
        if statement.get("Effect", "Allow") != "Allow" or service != "apigateway.amazonaws.com":
            continue
        if action not in ("lambda:InvokeFunction", "lambda:*", "*"):
            continue
        condition = (statement.get("Condition") or {}).get("ArnLike") or {}
        source = condition.get("AWS:SourceArn") or condition.get("aws:SourceArn")
        sources.append(str(source) if source else "*")
    return sources


def function_arn(uri: str) -> str:
    """The function ARN in ``arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}
    /invocations``."""
    if _LAMBDA_URI not in uri:
        return ""
    return uri.split(_LAMBDA_URI, 1)[1].removesuffix("/invocations")
