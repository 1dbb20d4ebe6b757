"""Every rule an EventBus's props must meet, checked together before anything is created."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import check_existing
from petplatform_constructs.core.names import ResourceKind, physical_name
from petplatform_constructs.core.props import check_fields
from petplatform_constructs.integration.event_bus.props import (
    EventBusProps,
    FunctionTarget,
    LogGroupTarget,
    QueueTarget,
    RuleSpec,
)
from petplatform_constructs.platform.naming import Naming

__all__ = [
    "EVENT_FIELDS",
    "MAX_TARGETS",
    "as_queue",
    "check_bus",
    "check_event_pattern",
    "check_rules",
]

EVENT_FIELDS = frozenset(
    {
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    }
)  # fmt: skip
"""Top-level fields of an EventBridge event that a pattern may match."""
MAX_TARGETS = 5
_RULE_NAME = re.compile(r"[.\-_A-Za-z0-9]{1,64}")


def as_queue(value: object) -> sqs.IQueue | None:
    """``value`` itself if it is a queue, else its ``queue`` attribute (a FifoPipeline)."""
    queue = getattr(value, "queue", value)
    if hasattr(queue, "queue_arn") and hasattr(queue, "fifo"):
        return cast("sqs.IQueue", queue)
    return None


def check_event_pattern(problems: Problems, prop: str, pattern: object) -> None:
    """Record a pattern EventBridge would refuse: not an object, empty, an unknown top-level
    field, or a leaf that is not a non-empty list."""
    if not isinstance(pattern, Mapping) or not pattern:
        problems.add(prop, pattern, "a non-empty mapping of event fields to lists of values")
        return
    for key, value in pattern.items():
        if not problems.check(
            key in EVENT_FIELDS,
            prop,
            key,
            f"a top-level event field: {', '.join(sorted(EVENT_FIELDS))}",
        ):
            continue
        _check_leaf(problems, f"{prop}[{key}]", value, nested=key == "detail")


def _check_leaf(problems: Problems, prop: str, value: Any, *, nested: bool) -> None:
    if nested and isinstance(value, Mapping):
        if not problems.check(bool(value), prop, value, "a non-empty mapping"):
            return
        for key, inner in value.items():
            _check_leaf(problems, f"{prop}[{key}]", inner, nested=True)
        return
    problems.check(
        isinstance(value, (list, tuple)) and len(value) > 0,
        prop,
        value,
        "a non-empty list of values or matchers ({'prefix': ...}, {'exists': True}...)"
        + ("; under 'detail', a nested mapping too" if nested else ""),
    )


def check_bus(
    scope: IConstruct, problems: Problems, props: EventBusProps, rejected: frozenset[str]
) -> str | None:
    """Check ``props``; return the bus's physical name (``None`` for an existing bus)."""
    existing = props.get("existing_event_bus")
    if existing is not None:
        creation = {prop: props.get(prop) for prop in _BUS_PROPS}
        check_existing(problems, "existing_event_bus", existing, creation)
        if "rules" not in rejected:
            check_rules(problems, props.get("rules") or ())
        return None
    name = physical_name(
        scope,
        problems,
        ResourceKind.EVENT_BUS,
        name=props.get("name"),
        literal=props.get("event_bus_name"),
        literal_prop="event_bus_name",
        strategy=lambda: Naming.of(scope, props.get("naming")),
    )
    if "name" not in rejected and "event_bus_name" not in rejected:
        problems.check(
            props.get("name") is not None or props.get("event_bus_name") is not None,
            "name",
            None,
            "a bus needs a name: give name (through the naming strategy) or event_bus_name",
        )
    problems.check(
        name != "default", "event_bus_name", name, "a custom bus, not the account's default bus"
    )
    retention = props.get("archive_retention_days")
    if retention is not None and "archive_retention_days" not in rejected:
        problems.check(
            retention >= 0,
            "archive_retention_days",
            retention,
            "0 (keep indefinitely) or more days",
        )
    if "policy_statements" not in rejected:
        for index, statement in enumerate(props.get("policy_statements") or ()):
            _check_statement(scope, problems, f"policy_statements[{index}]", statement)
    if "rules" not in rejected:
        check_rules(problems, props.get("rules") or ())
    return name


_BUS_PROPS = (
    "name", "event_bus_name", "archive", "archive_retention_days", "schema_discovery",
    "policy_statements", "export_prefix",
)  # fmt: skip


def _check_statement(
    scope: IConstruct, problems: Problems, prop: str, statement: iam.PolicyStatement
) -> None:
    document = Stack.of(scope).resolve(statement.to_statement_json())
    principal = document.get("Principal")
    public = principal == "*" or (
        isinstance(principal, Mapping) and "*" in _as_list(principal.get("AWS"))
    )
    problems.check(
        not public or bool(document.get("Condition")),
        prop,
        document.get("Sid") or "statement",
        "a statement for Principal '*' must carry a condition (aws:PrincipalOrgID, "
        "aws:SourceAccount...), else any account may put events on the bus",
    )


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def check_rules(problems: Problems, rules: Sequence[RuleSpec]) -> None:
    """Record every problem of ``rules``: names, patterns, targets, retries."""
    if not problems.check_sequence("rules", rules, RuleSpec, "RuleSpec"):
        return
    names = [rule.name for rule in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    problems.check(not duplicates, "rules[].name", duplicates, "rule names are unique per bus")
    for rule in rules:
        label = f"rules[{rule.name}]"
        if check_fields(problems, label, rule):
            continue
        problems.check(
            bool(_RULE_NAME.fullmatch(rule.name)),
            f"{label}.name",
            rule.name,
            "1-64 letters, digits, '.', '-' and '_'",
        )
        check_event_pattern(problems, f"{label}.event_pattern", rule.event_pattern)
        problems.check(
            1 <= len(rule.targets) <= MAX_TARGETS,
            f"{label}.targets",
            len(rule.targets),
            f"1 to {MAX_TARGETS} targets per rule",
        )
        problems.check(
            0 <= rule.retry_attempts <= 185,
            f"{label}.retry_attempts",
            rule.retry_attempts,
            "0 to 185 retries",
        )
        if rule.max_event_age is not None:
            age = rule.max_event_age.to_seconds()
            problems.check(
                60 <= age <= 86400, f"{label}.max_event_age", f"{age:g} s", "60 s to 24 h"
            )
        for index, target in enumerate(rule.targets):
            _check_target(problems, f"{label}.targets[{index}]", target)


def _check_target(problems: Problems, prop: str, target: object) -> None:
    if not problems.check(
        isinstance(target, (QueueTarget, FunctionTarget, LogGroupTarget)),
        prop,
        target,
        "a QueueTarget, FunctionTarget or LogGroupTarget",
    ):
        return
    if not isinstance(target, QueueTarget):
        return
    queue = as_queue(target.queue)
    if not problems.check(
        queue is not None, f"{prop}.queue", target.queue, "an sqs.IQueue or a FifoPipeline"
    ):
        return
    assert queue is not None
    group = target.message_group_id
    if queue.fifo:
        problems.check(
            bool(group),
            f"{prop}.message_group_id",
            group,
            "required for a FIFO queue: EventBridge must name the message group",
        )
        if group and not Token.is_unresolved(group):
            problems.check(
                len(group) <= 128, f"{prop}.message_group_id", group, "at most 128 characters"
            )
    else:
        problems.check(
            group is None,
            f"{prop}.message_group_id",
            group,
            "FIFO queues only: a standard queue has no message groups",
        )
