"""Props declared once: a ``TypedDict`` per construct, checked against its own annotations.

Each construct declares its props in one ``TypedDict`` (``DataTableProps``), documented prop by
prop, and takes them as ``**props: Unpack[DataTableProps]``. Presets reuse that declaration
(``ProfilesTable``, ``TableSpec``), so a new option is one edit. At synth time,
:func:`check_props` reads the same annotations to refuse unknown props and wrong Python types
(``partition_key=123``) with a :class:`PropError` naming the prop, before the CDK turns them into
an ``AttributeError`` deep inside jsii. :func:`check_fields` applies the same check to the fields
of a value type (a dataclass such as ``FunctionSpec``) that a construct receives in a prop.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast, get_args, get_origin

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.exports import check_export_prefix

__all__ = [
    "Received",
    "check_fields",
    "check_props",
    "prop_names",
    "receive",
]


def prop_names(props_type: type) -> frozenset[str]:
    """Every key a props ``TypedDict`` declares (its own and its bases')."""
    return frozenset(typing.get_type_hints(props_type))


def check_props(problems: Problems, props_type: type, values: Mapping[str, object]) -> set[str]:
    """Record unknown props and props whose value does not match their annotation.

    ``None`` is accepted for every prop (it means "the default"). Checks are structural where
    Python cannot check a type: a jsii interface (``kms.IKey``) accepts any construct.

    Returns:
        The props that are unknown or of the wrong type, so later rules can skip them.
    """
    hints = typing.get_type_hints(props_type)
    rejected: set[str] = set()
    for prop, value in values.items():
        if prop not in hints:
            problems.add(
                prop,
                value,
                f"not a prop of {props_type.__name__.removesuffix('Props')}; known props: "
                f"{', '.join(sorted(hints))}",
            )
            rejected.add(prop)
            continue
        if value is not None and not _check_value(problems, prop, value, hints[prop]):
            rejected.add(prop)
    return rejected


def check_fields(problems: Problems, prop: str, value: object) -> set[str]:
    """Record the fields of dataclass instance ``value`` whose value does not match their type.

    Each problem names ``{prop}.{field}`` (``functions[echo].memory_mb``). Unlike props, a field
    is ``None`` only where its annotation allows it.

    Returns:
        The names of the fields that are of the wrong type, so later rules can skip them.
    """
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"check_fields takes a dataclass instance, not {value!r}")
    hints = typing.get_type_hints(type(value))
    rejected: set[str] = set()
    for field in dataclasses.fields(value):
        field_value = getattr(value, field.name)
        if not _check_value(problems, f"{prop}.{field.name}", field_value, hints[field.name]):
            rejected.add(field.name)
    return rejected


def _check_value(problems: Problems, prop: str, value: object, expected: Any) -> bool:
    ok = _matches(value, expected)
    if not ok:
        problems.add(prop, value, f"expected {_describe(expected)} (got {type(value).__name__})")
    return ok


def _matches(value: object, expected: Any) -> bool:
    origin = get_origin(expected)
    if expected is Any or expected is object:
        return True
    if origin is typing.Union or origin is types.UnionType:
        return any(_matches(value, arg) for arg in get_args(expected))
    if origin is Literal:
        return value in get_args(expected)
    if origin in (collections.abc.Sequence, list, tuple):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            return False
        args = get_args(expected)
        item = args[0] if (args and args[-1] is not Ellipsis) or len(args) == 2 else Any
        return all(_matches(element, item) for element in value)
    if origin in (collections.abc.Mapping, dict):
        if not isinstance(value, collections.abc.Mapping):
            return False
        key_type, value_type = get_args(expected) or (Any, Any)
        return all(_matches(k, key_type) and _matches(v, value_type) for k, v in value.items())
    if typing.is_typeddict(expected):  # a nested props dict: its owner checks the keys
        return isinstance(value, collections.abc.Mapping)
    if origin is not None:  # another generic: check the container type only
        return isinstance(value, origin)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(expected, type):
        if _is_interface(expected):
            return _implements(value, expected)
        if issubclass(expected, enum.Enum):
            return isinstance(value, expected)
        return isinstance(value, expected)
    return True  # a form this checker does not know: leave it to the construct


def _is_interface(expected: type) -> bool:
    """A jsii interface (``IKey``, ``ITableV2``...): a Protocol that isinstance cannot check."""
    return bool(getattr(expected, "_is_protocol", False)) and not getattr(
        expected, "_is_runtime_protocol", False
    )


def _implements(value: object, interface: type) -> bool:
    """Structural check of a jsii interface: the value has the interface's own properties."""
    members = [
        name
        for name, member in vars(interface).items()
        if isinstance(member, property) and not name.startswith("_")
    ]
    return all(_has(value, name) for name in members)


def _has(value: object, name: str) -> bool:
    """``hasattr``, except that a property that exists but raises (jsii: an imported hosted
    zone's ``zone_name`` without its name) counts as present: the construct's rules judge it."""
    try:
        getattr(value, name)
    except AttributeError:
        return False
    except Exception:
        return True
    return True


def _describe(expected: Any) -> str:
    origin = get_origin(expected)
    if origin is typing.Union or origin is types.UnionType:
        return " or ".join(_describe(arg) for arg in get_args(expected) if arg is not type(None))
    if origin is Literal:
        return " or ".join(repr(arg) for arg in get_args(expected))
    if origin in (collections.abc.Sequence, list, tuple):
        args = get_args(expected)
        return f"a list of {_describe(args[0])}" if args else "a list"
    if origin in (collections.abc.Mapping, dict):
        args = get_args(expected)
        return f"a mapping of {_describe(args[0])} to {_describe(args[1])}" if args else "a mapping"
    if expected is type(None):
        return "None"
    name = getattr(expected, "__name__", str(expected))
    module = getattr(expected, "__module__", "")
    if module.startswith("aws_cdk."):
        name = f"{module.split('.')[-1].removeprefix('aws_')}.{name}"
    return name


P = TypeVar("P", bound=Mapping[str, object])


@dataclass(frozen=True)
class Received(Generic[P]):
    """What a constructor starts from: its problems so far, and the props fit to use."""

    problems: Problems
    valid: P
    """The props whose names and types are right (rules below may still refuse them)."""
    rejected: frozenset[str]
    """The props already reported (unknown, or of the wrong type): later rules skip them."""


def receive(owner: str, props_type: type, props: P) -> Received[P]:
    """The first step of every constructor: check ``props`` against ``props_type``.

    Records unknown props and wrong Python types, and an invalid ``export_prefix`` where the
    props declare one, in a new :class:`Problems` named after ``owner``.
    """
    problems = Problems(owner)
    rejected = check_props(problems, props_type, props)
    valid = cast(P, {k: v for k, v in props.items() if k not in rejected})
    if "export_prefix" in prop_names(props_type):
        with problems.collecting():
            check_export_prefix(owner, cast(Mapping[str, str | None], valid).get("export_prefix"))
    return Received(problems, valid, frozenset(rejected))
