"""Small declarative body validation: each field has a parser that returns the clean value.

A parser raises :class:`ParseError` with a problem phrased for the API client ("must be an integer
between 0 and 30"); :func:`validate` collects every problem, each with its field's dotted path,
so that one 400 response lists all that is wrong with the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    problem: str


class ParseError(Exception):
    """A value is wrong; ``errors`` holds nested problems (paths relative to the value)."""

    def __init__(self, problem: str = "", errors: list[FieldError] | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.errors = errors or []


class ValidationError(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.problem}" for e in errors))
        self.errors = errors


Parser = Callable[[object], Any]


def text(
    *,
    max_len: int = 200,
    choices: Iterable[str] | None = None,
    pattern: str | None = None,
    hint: str = "",
) -> Parser:
    """A non-blank string of at most ``max_len`` characters (surrounding spaces are stripped)."""
    allowed = tuple(choices) if choices is not None else None
    regex = re.compile(pattern) if pattern else None

    def parse(value: object) -> str:
        if not isinstance(value, str):
            raise ParseError("must be a string")
        value = value.strip()
        if allowed is not None and value not in allowed:
            raise ParseError(f"must be one of: {', '.join(allowed)}")
        if not value or len(value) > max_len:
            raise ParseError(f"must be 1 to {max_len} characters")
        if regex is not None and not regex.fullmatch(value):
            raise ParseError(hint or f"must match {pattern}")
        return value

    return parse


def phone() -> Parser:
    """A phone number such as ``+1234567890`` (digits, spaces, dashes and parentheses)."""
    return text(max_len=20, pattern=r"\+?[0-9][0-9 ()-]{5,19}", hint="must be a phone number")


def email() -> Parser:
    return text(max_len=254, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", hint="must be an email address")


def integer(*, minimum: int, maximum: int) -> Parser:
    def parse(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, Decimal) and value == value.to_integral_value():
            number = int(value)  # 3.0 is the integer 3
        else:
            number = minimum - 1
        if not minimum <= number <= maximum:
            raise ParseError(f"must be an integer between {minimum} and {maximum}")
        return number

    return parse


def money(*, maximum: Decimal = Decimal("100000")) -> Parser:
    """A positive amount with at most two decimal places, as an exact ``Decimal``."""

    def parse(value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise ParseError("must be a number such as 45.00")
        amount = Decimal(value)
        if not (amount.is_finite() and Decimal(0) < amount <= maximum):
            raise ParseError(f"must be greater than 0 and at most {maximum}")
        if amount != amount.quantize(Decimal("0.01")):
            raise ParseError("must have at most two decimal places")
        return amount.quantize(Decimal("0.01"))

    return parse


def timestamp() -> Parser:
    """An ISO-8601 timestamp with a time zone, normalised to UTC ``YYYY-MM-DDTHH:MM:SSZ``."""

    def parse(value: object) -> str:
        problem = "must be an ISO-8601 timestamp with a time zone, e.g. 2024-01-01T09:00:00Z"
        if not isinstance(value, str):
            raise ParseError(problem)
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ParseError(problem) from None
        if moment.tzinfo is None:
            raise ParseError(problem)
        return format_time(moment)

    return parse


def string_list(*, max_items: int, item: Parser) -> Parser:
    def parse(value: object) -> list[Any]:
        if not isinstance(value, list) or len(value) > max_items:
            raise ParseError(f"must be a list of at most {max_items} items")
        errors: list[FieldError] = []
        items = []
        for index, element in enumerate(value):
            try:
                items.append(item(element))
            except ParseError as error:
                errors.append(FieldError(f"[{index}]", error.problem))
        if errors:
            raise ParseError(errors=errors)
        return items

    return parse


def obj(fields: Mapping[str, Parser], *, required: Iterable[str] = ()) -> Parser:
    """A nested object; every field in ``required`` must be present."""
    required = tuple(required)

    def parse(value: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ParseError("must be an object")
        clean, errors = _parse_fields(value, fields, required=required, ignored=())
        if errors:
            raise ParseError(errors=errors)
        return clean

    return parse


def _join(parent: str, child: str) -> str:
    return f"{parent}{child}" if child.startswith("[") else f"{parent}.{child}"


def _parse_fields(
    body: Mapping[str, object],
    fields: Mapping[str, Parser],
    *,
    required: Iterable[str],
    ignored: Iterable[str],
    nullable: Iterable[str] = (),
) -> tuple[dict[str, Any], list[FieldError]]:
    ignored, nullable = frozenset(ignored), frozenset(nullable)
    errors = [FieldError(name, "is required") for name in required if body.get(name) is None]
    clean: dict[str, Any] = {}
    for name, value in body.items():
        if name in ignored:
            continue
        parser = fields.get(name)
        if parser is None:
            errors.append(FieldError(name, "is not a known field"))
        elif value is None:
            if name in nullable:
                clean[name] = None  # explicit null: remove the optional attribute
            elif name not in required:
                errors.append(FieldError(name, "must not be null"))
        else:
            try:
                clean[name] = parser(value)
            except ParseError as error:
                if error.problem:
                    errors.append(FieldError(name, error.problem))
                errors.extend(FieldError(_join(name, e.field), e.problem) for e in error.errors)
    return clean, errors


def validate(
    body: Mapping[str, object],
    fields: Mapping[str, Parser],
    *,
    required: Iterable[str] = (),
    read_only: Iterable[str] = (),
    nullable: Iterable[str] = (),
) -> dict[str, Any]:
    """The clean values of ``body`` or a :class:`ValidationError` listing every problem.

    ``read_only`` fields (ids, owner, timestamps) are ignored, so a client may send back what it
    read; ``nullable`` fields accept ``null``, which means "remove".
    """
    clean, errors = _parse_fields(
        body, fields, required=required, ignored=read_only, nullable=nullable
    )
    if errors:
        raise ValidationError(errors)
    return clean


def format_time(moment: datetime) -> str:
    """The seed's timestamp format: UTC, second precision, ``Z`` suffix."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    """A timestamp written by :func:`format_time` back to an aware ``datetime``."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
