"""EventBridge: schema discoverers, and the bus, archive and rule behaviour moto 5.2 gets wrong.

* ``AWS::EventSchemas::Discoverer``: a record (moto has no schemas service); discovery itself is
  not emulated.
* ``{"Ref": bus}`` resolves to the bus name: moto's ``EventBus`` has no physical id, so a rule
  with ``EventBusName: {"Ref": ...}`` received the model object and failed.
* ``AWS::Events::Archive`` with an object ``EventPattern`` (as CDK writes it): moto expects the
  JSON string of the API and failed on the object; a generated name over 48 characters (from a
  long stack name) is cut to fit, as CloudFormation keeps generated names within a type's limit.
* Lambda targets: moto raises ``NotImplementedError`` (``PutEvents`` answered 500). A matching
  event is handed to the in-process invoker registered for the function (see
  :mod:`petplatform_localcloud.event_sources`), asynchronously as EventBridge does; without one
  the event is dropped, as an unreachable target's would be.
* SNS targets: moto drops the event. It is published to the topic (the event's JSON as the
  message), so the topic's subscribers receive it; topic and key policies are not evaluated.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from moto.events import models as events_models
from moto.sns.models import sns_backends
from moto.utilities.arns import parse_arn

from petplatform_localcloud.moto_extensions.patching import Patch, replace, wrap
from petplatform_localcloud.moto_extensions.records import Json, Record

__all__ = ["EXTENSIONS", "LAMBDA_INVOKERS", "PATCHES", "SchemaDiscoverer"]

LAMBDA_INVOKERS: dict[str, Callable[[Json], object]] = {}
"""Function ARN -> callable taking an event: how a Lambda target is invoked in-process."""


class SchemaDiscoverer(Record):
    """``AWS::EventSchemas::Discoverer``: its id, ARN and state (``Ref`` is the ARN)."""

    attributes = ("DiscovererArn", "DiscovererId", "State", "CrossAccount")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EventSchemas::Discoverer"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SchemaDiscoverer:
        props = cloudformation_json.get("Properties", {})
        discoverer_id = f"events-event-bus-{uuid.uuid4().hex[:12]}"
        arn = f"arn:aws:schemas:{region_name}:{account_id}:discoverer/{discoverer_id}"
        return cls(
            arn,
            {
                "DiscovererArn": arn,
                "DiscovererId": discoverer_id,
                "State": "STARTED",
                "CrossAccount": str(props.get("CrossAccount", True)).lower(),
            },
        )


_ARCHIVE_NAME_MAX = 48


def fit_archive_name(generated: str) -> str:
    """A generated ``{stack}-{logical id}-{suffix}`` archive name cut to EventBridge's 48
    characters, suffix kept, as CloudFormation generates names within a type's limit."""
    if len(generated) <= _ARCHIVE_NAME_MAX:
        return generated
    prefix, _, suffix = generated.rpartition("-")
    return f"{prefix[: _ARCHIVE_NAME_MAX - len(suffix) - 1].rstrip('-')}-{suffix}"


def _archive_create(original: Any) -> Any:
    def create(
        cls: Any,
        /,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = cloudformation_json["Properties"]
        if isinstance(props.get("EventPattern"), dict):
            props["EventPattern"] = json.dumps(props["EventPattern"])
        props.pop("KmsKeyIdentifier", None)
        if "ArchiveName" not in props:
            resource_name = fit_archive_name(resource_name)
        return original(resource_name, cloudformation_json, account_id, region_name, **kwargs)

    return classmethod(create)


def _lambda_targets(original: Any) -> Any:
    def send_to_targets(self: Any, original_event: Json, transform_input: bool = True) -> None:
        targets = self.targets
        lambdas = [t for t in targets if parse_arn(t["Arn"]).service in ("lambda", "sns")]
        if not lambdas:
            original(self, original_event, transform_input)
            return
        try:
            self.targets = [t for t in targets if t not in lambdas]
            original(self, original_event, transform_input)
        finally:
            self.targets = targets
        if not self.event_pattern.matches_event(original_event):
            return
        for target in lambdas:
            arn = parse_arn(target["Arn"])
            if arn.service == "sns":
                sns_backends[arn.account][arn.region].publish(
                    message=json.dumps(original_event, default=str), arn=target["Arn"]
                )
                continue
            invoke = LAMBDA_INVOKERS.get(target["Arn"].split(":$")[0])
            if invoke is not None:
                invoke(dict(original_event))

    return send_to_targets


PATCHES: tuple[Patch, ...] = (
    replace(events_models.EventBus, "physical_resource_id", property(lambda bus: bus.name)),
    wrap(events_models.Archive, "create_from_cloudformation_json", _archive_create),
    wrap(events_models.Rule, "send_to_targets", _lambda_targets),
)

EXTENSIONS = (SchemaDiscoverer,)
