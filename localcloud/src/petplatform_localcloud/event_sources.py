"""Queue consumers and event-rule functions of a deployed assembly, run locally.

moto invokes Lambda functions only in Docker: an SQS event source mapping or an EventBridge rule
with a Lambda target would fail or answer 500. :class:`LocalEventSources` finds, in the deployed
stacks, every function that an event source mapping or a rule target invokes, and registers an
invoker for it (a :class:`~petplatform_localcloud.lambda_runtime.LocalFunction`, as the local REST
API uses: Python in-process, Go and Node.js as processes) with the local cloud's SQS and EventBridge
extensions. Then a message sent to the queue is consumed before ``SendMessage`` returns, and an
event put on the bus reaches the function, as Lambda's pollers and EventBridge would deliver
them, without the wait. ``lambda:Invoke`` (boto3's ``invoke``) of any function of the deployed
stacks runs it too, synchronously.

What stays emulated: delivery is synchronous and immediate (no polling interval, no batching
window, no concurrency limit); a failed message is visible again at once, not after the
visibility timeout; rule targets are invoked once, without EventBridge's retries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from petplatform_localcloud.apigateway.functions import ApiFunctions
from petplatform_localcloud.assembly import read_assembly
from petplatform_localcloud.lambda_runtime import LocalFunction
from petplatform_localcloud.moto_extensions import awslambda as lambda_extension
from petplatform_localcloud.moto_extensions import events as events_extension
from petplatform_localcloud.moto_extensions import sqs as sqs_extension

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_constructs.testing import SynthResult
    from petplatform_localcloud.server import LocalCloud

__all__ = ["LocalEventSources"]

Json = dict[str, Any]


class LocalEventSources:
    """In-process consumers for the event source mappings and Lambda rule targets of a deployed
    assembly, registered until :meth:`close` (or the end of the ``with`` block).

    ``region``: where the functions, mappings and rules are (default: the cloud's region); one
    ``LocalEventSources`` per region of a multi-region app.

    Attributes:
        functions: ``{function name: LocalFunction}`` of every registered function.
    """

    def __init__(
        self, cloud: LocalCloud, assembly: Path | str | SynthResult, *, region: str | None = None
    ) -> None:
        self.cloud = cloud
        self.region = region or cloud.region
        outdir = getattr(assembly, "outdir", assembly)
        self._stacks = read_assembly(Path(str(outdir)))
        self._loader = ApiFunctions(cloud, self.region)
        self.functions: dict[str, LocalFunction] = {}
        self._registered: list[tuple[dict[str, Any], str]] = []

    def __enter__(self) -> LocalEventSources:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> LocalEventSources:
        """Register an invoker for each function an event source mapping or a rule targets, and
        for ``lambda:Invoke`` of every function of the deployed stacks."""
        cfn = self.cloud.client("cloudformation", region=self.region)
        deployed: dict[str, list[Json]] = {}
        for stack in self._stacks:
            try:
                resources = cfn.describe_stack_resources(StackName=stack.stack_name)
            except ClientError:
                continue
            deployed[stack.stack_name] = resources["StackResources"]
        lam = self.cloud.client("lambda", region=self.region)
        for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:
            if ":sqs:" in mapping.get("EventSourceArn", ""):
                self._register(sqs_extension.LAMBDA_INVOKERS, mapping["FunctionArn"], deployed)
        events = self.cloud.client("events", region=self.region)
        for bus in events.list_event_buses()["EventBuses"]:
            for rule in events.list_rules(EventBusName=bus["Name"])["Rules"]:
                targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus["Name"])
                for target in targets["Targets"]:
                    if ":lambda:" in target["Arn"]:
                        self._register(events_extension.LAMBDA_INVOKERS, target["Arn"], deployed)
        for resources in deployed.values():  # lambda:Invoke, for every function of the stacks
            for resource in resources:
                if resource["ResourceType"] != "AWS::Lambda::Function":
                    continue
                found = lam.get_function(FunctionName=resource["PhysicalResourceId"])
                try:
                    self._register(
                        lambda_extension.LAMBDA_INVOKERS,
                        found["Configuration"]["FunctionArn"],
                        deployed,
                    )
                except LookupError:  # its code is not a local asset: moto's Invoke it is
                    continue
        return self

    def _register(
        self, registry: dict[str, Any], arn: str, deployed: dict[str, list[Json]]
    ) -> None:
        arn = arn.split(":$")[0]
        function = self._loader.local_function(arn, self._stacks, deployed)
        function = self.functions.setdefault(function.name, function)
        registry[arn] = lambda event, fn=function: _round_trip(fn, event)
        self._registered.append((registry, arn))

    def close(self) -> None:
        """Unregister every invoker; stop the functions' processes; remove unpacked code."""
        for registry, arn in self._registered:
            registry.pop(arn, None)
        self._registered.clear()
        for function in self.functions.values():
            function.close()
        self._loader.close()


def _round_trip(function: LocalFunction, event: Json) -> Any:
    """Invoke with the event as Lambda would deliver it: JSON in, JSON out."""
    return function.invoke(json.loads(json.dumps(event, default=str)))
