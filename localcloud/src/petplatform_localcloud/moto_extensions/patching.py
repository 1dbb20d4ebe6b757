"""Replacing attributes of moto's modules and classes, and putting the originals back exactly."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Patch", "PatchSet", "replace", "wrap"]

_ABSENT = object()


@dataclass(frozen=True)
class Patch:
    """``owner.name`` (a module or class attribute) becomes ``make(current value)``."""

    owner: Any
    name: str
    make: Callable[[Any], Any]


def replace(owner: Any, name: str, value: Any) -> Patch:
    """``owner.name`` becomes ``value``."""
    return Patch(owner, name, lambda _current: value)


def wrap(owner: Any, name: str, wrapper: Callable[[Any], Any]) -> Patch:
    """``owner.name`` becomes ``wrapper(owner.name)``."""
    return Patch(owner, name, wrapper)


class PatchSet:
    """Patches applied together and undone together, in reverse order.

    What is saved is the owner's own entry (``vars(owner)``), not what ``getattr`` answers, so
    undoing puts back the very object that was there (a ``staticmethod``, a ``property``, an
    ``lru_cache`` wrapper...), and deletes the attribute again where a class only inherited it.
    """

    def __init__(self, patches: Iterable[Patch]) -> None:
        self.patches = tuple(patches)
        self._saved: list[tuple[Any, str, Any]] = []

    @property
    def applied(self) -> bool:
        return bool(self._saved)

    def apply(self) -> None:
        if self._saved:
            raise RuntimeError("patches already applied")
        try:
            for patch in self.patches:
                own = vars(patch.owner).get(patch.name, _ABSENT)
                replacement = patch.make(getattr(patch.owner, patch.name, None))
                self._saved.append((patch.owner, patch.name, own))
                setattr(patch.owner, patch.name, replacement)
        except BaseException:
            self.undo()
            raise

    def undo(self) -> None:
        while self._saved:
            owner, name, own = self._saved.pop()
            if own is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, own)
