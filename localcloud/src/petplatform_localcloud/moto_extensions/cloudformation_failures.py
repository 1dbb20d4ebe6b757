"""Engine fix: resource failures as CloudFormation reports them.

When a resource fails, moto lets the exception escape as HTTP 500 and leaves the stack
``CREATE_IN_PROGRESS`` with its exports registered. Here the failure becomes what CloudFormation
reports: a ``CREATE_FAILED`` (or ``UPDATE_FAILED``) event naming the resource and its reason, the
created resources rolled back, the exports withdrawn and the stack in ``ROLLBACK_COMPLETE``
(``UPDATE_ROLLBACK_FAILED`` for an update, which moto cannot roll back).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ExportNotFound, ValidationError

from petplatform_localcloud.moto_extensions.patching import wrap
from petplatform_localcloud.moto_extensions.records import Json

__all__ = ["PATCHES", "ResourceFailedError", "roll_back_creation"]


class ResourceFailedError(Exception):
    """A resource of a stack could not be created or updated."""

    def __init__(self, logical_id: str, resource_type: str, reason: str) -> None:
        super().__init__(f"{logical_id} ({resource_type}): {reason}")
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"


def _guard(
    step: Callable[..., Any],
) -> Callable[..., Any]:
    """Wrap moto's per-resource create/update so a failure names its resource."""

    def guarded(logical_id: str, resource_json: Json, *args: Any, **kwargs: Any) -> Any:
        try:
            return step(logical_id, resource_json, *args, **kwargs)
        except ResourceFailedError:
            raise  # the innermost resource (a dependency created on demand) is the culprit
        except Exception as exc:
            raise ResourceFailedError(
                logical_id, str(resource_json.get("Type")), _reason(exc)
            ) from exc

    return guarded


def _record_failure(stack: Any, status: str, failure: ResourceFailedError | Exception) -> None:
    if isinstance(failure, ResourceFailedError):
        logical_id, rtype, reason = failure.logical_id, failure.resource_type, failure.reason
    else:
        logical_id, rtype, reason = stack.name, "AWS::CloudFormation::Stack", _reason(failure)
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=rtype,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def roll_back_creation(backend: Any, stack: Any, failure: Exception) -> None:
    """What CloudFormation does when a resource fails during creation: a CREATE_FAILED event
    naming it, exports withdrawn, created resources deleted, ROLLBACK_COMPLETE."""
    _record_failure(stack, "CREATE_FAILED", failure)
    for export_name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id:
            del backend.exports[export_name]
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=str(failure))
    with contextlib.suppress(Exception):
        stack.resource_map.delete()
    # moto's resource and output maps create resources lazily on any read: empty them,
    # so describing or deleting the rolled-back stack does not bring resources back.
    stack.resource_map._resource_json_map = {}
    stack.output_map._output_json_map = {}
    stack.status = "ROLLBACK_COMPLETE"
    stack._add_stack_event("ROLLBACK_COMPLETE")


def _create_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            stack = original(self, name, *args, **kwargs)
            _ = stack.outputs  # moto resolves outputs lazily: fail now, as CloudFormation does
            return stack
        except Exception as exc:
            stack = next(
                (
                    s
                    for s in self.stacks.values()
                    if s.name == name and s.status != "DELETE_COMPLETE"
                ),
                None,
            )
            if stack is None:  # the template itself was rejected: a plain 400
                if isinstance(exc, ValidationError):
                    raise
                raise ValidationError(message=_reason(exc)) from exc
            roll_back_creation(self, stack, exc)
            return stack

    return create_stack


def _update_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            stack = original(self, name, *args, **kwargs)
            _ = stack.outputs
            return stack
        except Exception as exc:
            if isinstance(exc, ValidationError) and not isinstance(exc, ExportNotFound):
                raise
            stack = self.get_stack(name)
            _record_failure(stack, "UPDATE_FAILED", exc)
            stack.status = "UPDATE_ROLLBACK_FAILED"
            stack._add_stack_event("UPDATE_ROLLBACK_FAILED", resource_status_reason=str(exc))
            return stack

    return update_stack


_backend = cfn_models.CloudFormationBackend
PATCHES = (
    wrap(parsing, "parse_and_create_resource", _guard),
    wrap(parsing, "parse_and_update_resource", _guard),
    wrap(_backend, "create_stack", _create_stack),
    wrap(_backend, "update_stack", _update_stack),
)
