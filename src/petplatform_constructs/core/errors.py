"""One error type for bad construct input, so every message has the same shape.

Messages name the construct, the prop, the value received and what is allowed, because a
synth-time error is the only feedback a user gets before a deployment.
"""

from __future__ import annotations

from typing import Any

from constructs import IConstruct

__all__ = ["PropError", "require", "require_sequence", "scope_default"]


class PropError(ValueError):
    """Raised at synth time when a construct prop is invalid.

    Attributes mirror the message parts so that tests and tools can inspect them.
    """

    def __init__(self, owner: str, prop: str, value: object, allowed: str) -> None:
        self.owner = owner
        self.prop = prop
        self.value = value
        self.allowed = allowed
        super().__init__(f"{owner}: invalid {prop}={value!r}; {allowed}")


def require(condition: bool, owner: str, prop: str, value: object, allowed: str) -> None:
    """Raise :class:`PropError` unless ``condition`` holds."""
    if not condition:
        raise PropError(owner, prop, value, allowed)


def require_sequence(owner: str, prop: str, value: object) -> None:
    """Refuse a lone string where a sequence is expected: it would be read per character."""
    require(not isinstance(value, str), owner, prop, value, "a list or tuple, not a single string")


def scope_default(scope: IConstruct, context_key: str, prop: str, how_to_set: str) -> Any:
    """The JSON value set with ``set_context(context_key, ...)`` on ``scope`` or an ancestor.

    Fails with ``how_to_set`` when there is none, naming the construct and its ``prop``.
    """
    data = scope.node.try_get_context(context_key)
    if data is None:
        raise PropError(scope.node.path or "App", prop, None, how_to_set)
    return data
