"""One error type for bad construct input, so every message has the same shape.

Messages name the construct, the prop, the value received and what is allowed, because a
synth-time error is the only feedback a user gets before a deployment.
"""

from __future__ import annotations

__all__ = ["PropError", "require", "require_sequence"]


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
