"""Lazy packages: a name is imported from its home module when it is first used.

A package whose modules load different ``aws_cdk`` services (``observability.plans``) re-exports
its names lazily, so that importing one name loads one module and only the services it needs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, home: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, given each name's home module.

    Use: ``__getattr__, __dir__ = lazy_exports(__name__, _HOME)``. A name is cached in the
    package once imported, so later lookups skip ``__getattr__``.
    """
    module = sys.modules[package]

    def __getattr__(name: str) -> object:  # noqa: N807 (the module hook's name)
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home[name]), name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*vars(module), *home})

    return __getattr__, __dir__
