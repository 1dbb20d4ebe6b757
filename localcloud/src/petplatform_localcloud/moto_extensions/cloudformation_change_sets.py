"""Engine fixes for change sets, the path the real ``cdk deploy`` takes.

* A CREATE change set was applied as an update of an empty stack: resources in template order
  (``DependsOn`` ignored), no ``Fn::ImportValue``, no outputs or exports, failures as HTTP 500.
  It now creates the stack like ``CreateStack`` (same stack id); an UPDATE change set goes
  through ``UpdateStack``, so its outputs are updated too.
* Change sets were looked up by name across all stacks, and the CLI names every one
  ``cdk-deploy-change-set``: an update of an existing stack deleted or waited for another
  stack's change set (forever). Lookups are scoped to ``StackName``; a missing change set is
  ``ChangeSetNotFound`` (what the CLI waits for), executing one twice ``InvalidChangeSetStatus``.
* ``UsePreviousValue`` on an SSM-typed parameter (the CLI's ``BootstrapVersion`` on every update)
  became the previous resolved value, then looked up as a parameter name; it stays the name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import CloudFormationError
from moto.core.responses import ActionResult, EmptyResult

from petplatform_localcloud.moto_extensions.cloudformation_failures import roll_back_creation
from petplatform_localcloud.moto_extensions.patching import replace, wrap
from petplatform_localcloud.moto_extensions.records import Json

__all__ = ["PATCHES", "ChangeSetNotFoundError", "InvalidChangeSetStatusError"]


class ChangeSetNotFoundError(CloudFormationError):
    """What CloudFormation answers for a change set that does not exist (404)."""

    code = "ChangeSetNotFoundException"


class InvalidChangeSetStatusError(CloudFormationError):
    """A change set that was executed already, or that has no changes."""

    code = "InvalidChangeSetStatusException"


def _find_change_set(backend: Any, name_or_id: str, stack_name: str | None) -> Any:
    """The change set with this ARN, or with this name on this stack.

    moto looks names up across all stacks, but the CDK CLI names every change set
    ``cdk-deploy-change-set``: deleting or waiting for one stack's change set found another's
    (the bootstrap stack's), and ``cdk deploy`` of an existing stack waited forever.
    """
    if name_or_id in backend.change_sets:
        return backend.change_sets[name_or_id]
    found = [
        change_set
        for change_set in backend.change_sets.values()
        if change_set.change_set_name == name_or_id
        and stack_name in (None, "", change_set.stack_name, change_set.stack_id)
    ]
    return found[-1] if found else None


def _change_set_or_404(backend: Any, name_or_id: str, stack_name: str | None) -> Any:
    change_set = _find_change_set(backend, name_or_id, stack_name)
    if change_set is None:
        raise ChangeSetNotFoundError(f"ChangeSet [{name_or_id}] does not exist")
    return change_set


def _describe_change_set(self: Any) -> ActionResult:
    """``DescribeChangeSet`` scoped to ``StackName``; a missing one is ChangeSetNotFound (the
    CLI waits for that after deleting a change set; moto answered ValidationError)."""
    backend = self.cloudformation_backend
    return ActionResult(
        _change_set_or_404(backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    )


def _delete_change_set(self: Any) -> EmptyResult:
    """``DeleteChangeSet`` scoped to ``StackName`` (moto deleted the first change set with that
    name on any stack, and failed with HTTP 500 when there was none)."""
    backend = self.cloudformation_backend
    change_set = _change_set_or_404(
        backend, self._get_param("ChangeSetName"), self._get_param("StackName")
    )
    del backend.change_sets[change_set.change_set_id]
    return EmptyResult()


def _list_change_sets(self: Any) -> ActionResult:
    """``ListChangeSets`` of the stack named by ``StackName`` (moto listed every stack's)."""
    stack_name = self._get_param("StackName")
    change_sets = [
        change_set
        for change_set in self.cloudformation_backend.change_sets.values()
        if stack_name in (None, "", change_set.stack_name, change_set.stack_id)
    ]
    return ActionResult({"Summaries": change_sets})


def _create_stack_with_id(backend: Any, stack_id: str, change_set: Any) -> Any:
    """moto's ``create_stack``, keeping the stack id the change set already handed out."""
    stack = cfn_models.Stack(  # type: ignore[abstract]  # moto instantiates it the same way
        stack_id=stack_id,
        name=change_set.stack_name,
        template=change_set.template,
        parameters=change_set.parameters,
        account_id=backend.account_id,
        region_name=backend.region_name,
        notification_arns=change_set.notification_arns,
        tags=change_set.tags,
        role_arn=change_set.role_arn,
        cross_stack_resources=backend.exports,
    )
    backend.stacks[stack_id] = stack
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export
    stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.create_resources()
    _ = stack.outputs  # resolved now, so a bad output fails the creation
    return stack


def _create_change_set(original: Callable[..., Any]) -> Callable[..., Any]:
    """Keep ``UsePreviousValue`` of an SSM-typed parameter what it was: the parameter's name.

    moto replaces ``UsePreviousValue`` with the previous *resolved* value, so for CDK's
    ``BootstrapVersion`` (``AWS::SSM::Parameter::Value<String>``, passed that way by the CLI on
    every update) the update then looked up an SSM parameter named ``33`` and failed.
    """

    def create_change_set(
        self: Any, stack_name: str, change_set_name: str, template: str, parameters: Json,
        *args: Any, **kwargs: Any,
    ) -> Any:  # fmt: skip
        change_set_type = kwargs.get("change_set_type", args[2] if len(args) > 2 else None)
        stack = next((s for s in self.stacks.values() if s.name == stack_name), None)
        if change_set_type == "UPDATE" and stack is not None and parameters:
            declared = cfn_models.Stack.parse_template(template).get("Parameters") or {}
            parameters = dict(parameters)
            for key, value in list(parameters.items()):
                ssm = str(declared.get(key, {}).get("Type", "")).startswith("AWS::SSM::")
                if ssm and value == stack.stack_parameters.get(key):
                    if key in stack.parameters:
                        parameters[key] = stack.parameters[key]
                    else:  # the previous value was the default: it still is
                        del parameters[key]
        return original(self, stack_name, change_set_name, template, parameters, *args, **kwargs)

    return create_change_set


def _execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    """Execute a change set as CreateStack / UpdateStack would.

    moto 5.2.5 applies a CREATE change set as an update of an empty placeholder stack: resources
    come out in template order (``DependsOn`` ignored), ``Fn::ImportValue`` finds no exports,
    the outputs and exports stay empty, and a failing resource escapes as HTTP 500 with the stack
    left ``CREATE_IN_PROGRESS``. An UPDATE change set changes the resources but not the
    outputs. Here a CREATE builds the stack like ``create_stack`` (same stack id, dependency
    order, exports, rollback on failure) and an UPDATE goes through ``update_stack``.
    """
    change_set = _change_set_or_404(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatusError(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"execution status of [{change_set.execution_status}]"
        )
    if change_set.change_set_type == "CREATE":
        placeholder = self.stacks.pop(change_set.stack_id)
        try:
            stack = _create_stack_with_id(self, change_set.stack_id, change_set)
        except Exception as exc:
            stack = self.stacks.setdefault(change_set.stack_id, placeholder)
            roll_back_creation(self, stack, exc)
        if stack is not placeholder:
            stack.events[:0] = placeholder.events  # REVIEW_IN_PROGRESS comes first
    else:
        parameters = [
            {"ParameterKey": key, "ParameterValue": value}
            for key, value in change_set.parameters.items()
        ]
        self.update_stack(
            change_set.stack_name,
            change_set.template,
            change_set.role_arn,
            parameters,
            change_set.tags or None,
        )
    change_set.execution_status = "EXECUTE_COMPLETE"


_backend = cfn_models.CloudFormationBackend
_responses = cfn_responses.CloudFormationResponse
PATCHES = (
    replace(_responses, "describe_change_set", _describe_change_set),
    replace(_responses, "delete_change_set", _delete_change_set),
    replace(_responses, "list_change_sets", _list_change_sets),
    replace(_backend, "execute_change_set", _execute_change_set),
    wrap(_backend, "create_change_set", _create_change_set),
)
