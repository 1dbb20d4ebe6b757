"""One error type for bad construct input, and a collector that reports every problem at once.

Messages name the construct, the prop, the value received and what is allowed, because a
synth-time error is the only feedback a user gets before a deployment. A construct collects all
its problems in a :class:`Problems` and raises once, so one synth shows every mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "Problems",
    "PropError",
    "PropErrors",
    "require",
    "require_sequence",
]


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


class PropErrors(PropError):  # noqa: N818 (the plural of PropError reads best)
    """Several invalid props of one construct, reported together.

    A :class:`PropError` itself (its attributes are those of the first error), so code that
    catches one error catches all of them; ``errors`` holds each.
    """

    def __init__(self, errors: list[PropError]) -> None:
        first = errors[0]
        super().__init__(first.owner, first.prop, first.value, first.allowed)
        self.errors = errors
        lines = "\n".join(f"  - invalid {e.prop}={e.value!r}; {e.allowed}" for e in errors)
        self.args = (f"{first.owner}: {len(errors)} invalid props:\n{lines}",)


class Problems:
    """Collects the problems of one construct's props; :meth:`raise_if_any` raises them at once.

    ``owner`` names the construct in every message (``"DataTable Stack/Profiles"``).
    """

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.errors: list[PropError] = []

    def add(self, prop: str, value: object, allowed: str) -> None:
        """Record that ``prop`` received ``value``, and what is allowed instead."""
        self.errors.append(PropError(self.owner, prop, value, allowed))

    def check(self, condition: bool, prop: str, value: object, allowed: str) -> bool:
        """Record a problem unless ``condition`` holds; return ``condition``."""
        if not condition:
            self.add(prop, value, allowed)
        return condition

    def check_type(
        self, prop: str, value: object, expected: type | tuple[type, ...], allowed: str
    ) -> bool:
        """Record a problem unless ``value`` is None or an instance of ``expected``.

        Catches wrong Python types (``memory_mb="512"``) before they become an AttributeError
        deep inside the CDK. ``bool`` is never accepted where a number is expected.
        """
        if value is None:
            return True
        wants_number = expected in (int, float) or (
            isinstance(expected, tuple) and (int in expected or float in expected)
        )
        ok = isinstance(value, expected) and not (
            wants_number and isinstance(value, bool) and bool not in _as_tuple(expected)
        )
        return self.check(ok, prop, value, f"{allowed} (got {type(value).__name__})")

    def check_sequence(
        self, prop: str, value: object, item: type | tuple[type, ...], allowed: str
    ) -> bool:
        """Record a problem unless ``value`` is a list or tuple whose items are ``item``."""
        if not isinstance(value, (list, tuple)):
            return self.check(False, prop, value, f"a list or tuple of {allowed}")
        ok = True
        for index, element in enumerate(value):
            ok = self.check_type(f"{prop}[{index}]", element, item, allowed) and ok
        return ok

    @contextmanager
    def collecting(self, prop: str | None = None, value: object = None) -> Iterator[None]:
        """Record a :class:`PropError` raised inside the block instead of stopping.

        With ``prop``, the error is reported under that prop and ``value`` (for helpers that
        validate a value without knowing which prop it came from).
        """
        try:
            yield
        except PropErrors as errors:
            self.errors.extend(errors.errors)
        except PropError as err:
            if prop is None:
                self.errors.append(PropError(self.owner, err.prop, err.value, err.allowed))
            else:
                self.add(prop, value, err.allowed)

    def raise_if_any(self) -> None:
        """Raise the one :class:`PropError`, or a :class:`PropErrors` with all of them."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise PropErrors(list(self.errors))

    def __bool__(self) -> bool:
        return bool(self.errors)


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def require(condition: bool, owner: str, prop: str, value: object, allowed: str) -> None:
    """Raise :class:`PropError` unless ``condition`` holds."""
    if not condition:
        raise PropError(owner, prop, value, allowed)


def require_sequence(owner: str, prop: str, value: object) -> None:
    """Refuse a lone string where a sequence is expected: it would be read per character."""
    require(not isinstance(value, str), owner, prop, value, "a list or tuple, not a single string")
