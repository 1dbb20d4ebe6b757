"""A JSON-schema (draft-04) validator for API Gateway request models, standard library only.

API Gateway validates request bodies against a method's model with draft-04 JSON schema. This
covers what request models use: ``type`` (one or a list), ``enum``, ``properties``,
``required``, ``additionalProperties`` (a boolean or a schema), ``patternProperties``,
``minProperties``/``maxProperties``, ``items`` (one schema or a list, with
``additionalItems``), ``minItems``/``maxItems``/``uniqueItems``, ``minimum``/``maximum`` (with
draft-04's boolean ``exclusiveMinimum``/``exclusiveMaximum``), ``multipleOf``,
``minLength``/``maxLength`` (in code points), ``pattern``, ``allOf``/``anyOf``/``oneOf``/``not``,
and ``$ref`` to ``#/definitions/...`` or to another model of the API
(``https://apigateway.amazonaws.com/restapis/{api}/models/{name}``). ``format`` is not checked
(API Gateway does not check it either). An ``integer`` is a number without a fractional part
(``3`` or ``3.0``); booleans are never numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["SchemaError", "validate"]

Schema = Mapping[str, Any]
Resolver = Callable[[str], Schema]


class SchemaError(ValueError):
    """The schema itself is unusable (an unknown ``$ref``, a bad pattern...)."""


_MODEL_REF = re.compile(r"/models/([^/#]+)$")


def validate(instance: object, schema: Schema, *, resolve: Resolver | None = None) -> list[str]:
    """Every way ``instance`` breaks ``schema``, as ``"<path>: <problem>"`` lines; empty if valid.

    Args:
        instance: the parsed JSON value (``json.loads`` output).
        schema: the model's schema.
        resolve: returns another model's schema by name, for ``$ref`` to a model URL.
    """
    errors: list[str] = []
    _Validator(schema, resolve, errors).check(instance, schema, "$")
    return errors


def _type_of(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float, Decimal)):
        return "integer" if math.isfinite(value) and value == int(value) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _matches_type(value: object, wanted: str) -> bool:
    actual = _type_of(value)
    return actual == wanted or (wanted == "number" and actual == "integer")


def _equal(a: object, b: object) -> bool:
    """JSON equality: ``1 == 1.0``, but ``true != 1``."""
    kind_a, kind_b = _type_of(a), _type_of(b)
    numbers = ("integer", "number")
    if kind_a in numbers and kind_b in numbers:
        return bool(a == b)
    if kind_a != kind_b:
        return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b


class _Validator:
    def __init__(self, root: Schema, resolve: Resolver | None, errors: list[str]) -> None:
        self.root = root
        self.resolve = resolve
        self.errors = errors

    def fail(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    def sub_errors(self, instance: object, schema: Schema, path: str) -> list[str]:
        errors: list[str] = []
        _Validator(self.root, self.resolve, errors).check(instance, schema, path)
        return errors

    def deref(self, ref: str) -> Schema:
        if ref.startswith("#"):
            node: Any = self.root
            for part in ref.lstrip("#").strip("/").split("/"):
                if not part:
                    continue
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, Mapping) or part not in node:
                    raise SchemaError(f"unresolvable $ref {ref!r}")
                node = node[part]
            if not isinstance(node, Mapping):
                raise SchemaError(f"$ref {ref!r} is not a schema")
            return node
        match = _MODEL_REF.search(ref)
        if match and self.resolve is not None:
            return self.resolve(match.group(1))
        raise SchemaError(f"unresolvable $ref {ref!r}")

    def check(self, instance: object, schema: Schema, path: str) -> None:
        if "$ref" in schema:
            ref = str(schema["$ref"])
            target = self.deref(ref)
            if ref.startswith("#"):
                self.check(instance, target, path)
            else:  # another model: its own "#/definitions" are relative to it
                _Validator(target, self.resolve, self.errors).check(instance, target, path)
            return
        wanted = schema.get("type")
        if wanted is not None:
            types = [wanted] if isinstance(wanted, str) else list(wanted)
            if not any(_matches_type(instance, t) for t in types):
                self.fail(path, f"expected {' or '.join(types)}, got {_type_of(instance)}")
                return
        if "enum" in schema and not any(_equal(instance, v) for v in schema["enum"]):
            self.fail(path, f"must be one of {list(schema['enum'])}")
        kind = _type_of(instance)
        if kind in ("integer", "number"):
            self.check_number(instance, schema, path)
        elif kind == "string":
            self.check_string(str(instance), schema, path)
        elif kind == "array":
            self.check_array(instance, schema, path)  # type: ignore[arg-type]
        elif kind == "object":
            self.check_object(instance, schema, path)  # type: ignore[arg-type]
        self.check_combinators(instance, schema, path)

    def check_number(self, value: Any, schema: Schema, path: str) -> None:
        if "minimum" in schema:
            low = schema["minimum"]
            if value < low or (schema.get("exclusiveMinimum") is True and value == low):
                self.fail(path, f"must be {'>' if schema.get('exclusiveMinimum') else '>='} {low}")
        if "maximum" in schema:
            high = schema["maximum"]
            if value > high or (schema.get("exclusiveMaximum") is True and value == high):
                self.fail(path, f"must be {'<' if schema.get('exclusiveMaximum') else '<='} {high}")
        for key, compare in (("exclusiveMinimum", "__le__"), ("exclusiveMaximum", "__ge__")):
            bound = schema.get(key)  # draft-06 numeric form
            numeric = isinstance(bound, (int, float)) and not isinstance(bound, bool)
            if numeric and getattr(value, compare)(bound):
                self.fail(path, f"must be {'>' if key == 'exclusiveMinimum' else '<'} {bound}")
        step = schema.get("multipleOf")
        if step:
            quotient = Decimal(str(value)) / Decimal(str(step))
            if quotient != quotient.to_integral_value():
                self.fail(path, f"must be a multiple of {step}")

    def check_string(self, value: str, schema: Schema, path: str) -> None:
        if "minLength" in schema and len(value) < int(schema["minLength"]):
            self.fail(path, f"must be at least {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > int(schema["maxLength"]):
            self.fail(path, f"must be at most {schema['maxLength']} characters")
        if "pattern" in schema:
            try:
                matched = re.search(str(schema["pattern"]), value)
            except re.error as exc:
                raise SchemaError(f"bad pattern {schema['pattern']!r}: {exc}") from exc
            if not matched:
                self.fail(path, f"must match {schema['pattern']!r}")

    def check_array(self, value: Sequence[Any], schema: Schema, path: str) -> None:
        if "minItems" in schema and len(value) < int(schema["minItems"]):
            self.fail(path, f"must have at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > int(schema["maxItems"]):
            self.fail(path, f"must have at most {schema['maxItems']} items")
        if schema.get("uniqueItems"):
            for i, item in enumerate(value):
                if any(_equal(item, other) for other in value[:i]):
                    self.fail(path, "items must be unique")
                    break
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                self.check(item, items, f"{path}[{i}]")
        elif isinstance(items, list):
            for i, item in enumerate(value):
                if i < len(items):
                    self.check(item, items[i], f"{path}[{i}]")
                else:
                    extra = schema.get("additionalItems", True)
                    if extra is False:
                        self.fail(f"{path}[{i}]", "additional items are not allowed")
                    elif isinstance(extra, Mapping):
                        self.check(item, extra, f"{path}[{i}]")

    def check_object(self, value: Mapping[str, Any], schema: Schema, path: str) -> None:
        for name in schema.get("required", []):
            if name not in value:
                self.fail(path, f"missing required property {name!r}")
        if "minProperties" in schema and len(value) < int(schema["minProperties"]):
            self.fail(path, f"must have at least {schema['minProperties']} properties")
        if "maxProperties" in schema and len(value) > int(schema["maxProperties"]):
            self.fail(path, f"must have at most {schema['maxProperties']} properties")
        properties: Mapping[str, Schema] = schema.get("properties", {})
        patterns: Mapping[str, Schema] = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        for name, item in value.items():
            item_path = f"{path}.{name}"
            matched = False
            if name in properties:
                matched = True
                self.check(item, properties[name], item_path)
            for pattern, sub_schema in patterns.items():
                if re.search(pattern, name):
                    matched = True
                    self.check(item, sub_schema, item_path)
            if matched:
                continue
            if additional is False:
                self.fail(path, f"property {name!r} is not allowed")
            elif isinstance(additional, Mapping):
                self.check(item, additional, item_path)

    def check_combinators(self, instance: object, schema: Schema, path: str) -> None:
        for sub_schema in schema.get("allOf", []):
            self.check(instance, sub_schema, path)
        if "anyOf" in schema and not any(
            not self.sub_errors(instance, s, path) for s in schema["anyOf"]
        ):
            self.fail(path, "must match at least one schema of anyOf")
        if "oneOf" in schema:
            passing = sum(1 for s in schema["oneOf"] if not self.sub_errors(instance, s, path))
            if passing != 1:
                self.fail(path, f"must match exactly one schema of oneOf (matched {passing})")
        if "not" in schema and not self.sub_errors(instance, schema["not"], path):
            self.fail(path, "must not match the schema in not")
