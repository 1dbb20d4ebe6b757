"""Naming strategies and the AWS naming rules they are checked against at synth time.

Platforms use three naming conventions: a stage suffix
(``profiles``, ``profiles-staging``), ``{service}-{stage}-{resource}`` with per-resource-type
variants, and templates such as ``{project}_cluster_{env}``. They are all one thing: a pattern
per resource kind plus variables. :class:`Naming` is that thing, attached to a scope once with
:func:`use_naming` and read by every construct with :meth:`Naming.of`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import IConstruct

from petplatform_constructs.core.errors import PropError
from petplatform_constructs.core.names import ResourceKind, validate_name
from petplatform_constructs.platform.context import scope_default
from petplatform_constructs.platform.stage import Stage

__all__ = ["Naming", "ResourceKind", "use_naming", "validate_name"]

_CONTEXT_KEY = "petplatform:naming"


@dataclass(frozen=True)
class Naming:
    """A naming strategy: a default pattern, per-kind patterns, and their variables.

    Patterns are ``str.format`` templates over ``{resource}`` plus the variables, e.g.
    ``{service}-{stage}-{resource}``. Every produced name is validated for its kind.
    """

    pattern: str
    variables: Mapping[str, str] = field(default_factory=dict)
    per_kind: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind_name, pattern in {"GENERIC": self.pattern, **self.per_kind}.items():
            if kind_name not in ResourceKind.__members__:
                raise PropError(
                    "Naming",
                    "per_kind",
                    kind_name,
                    f"allowed kinds: {', '.join(ResourceKind.__members__)}",
                )
            fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
            unknown = fields - {"resource", *self.variables}
            if unknown:
                raise PropError(
                    "Naming",
                    "pattern",
                    pattern,
                    f"unknown placeholder(s) {sorted(unknown)}; available: "
                    f"{sorted({'resource', *self.variables})}",
                )

    # -- the three common conventions ------------------------------------------------------
    @classmethod
    def suffixed(
        cls, stage: Stage | str, *, unsuffixed: tuple[Stage, ...] = (Stage.DEV,)
    ) -> Naming:
        """``name`` in dev, ``name-{stage}`` elsewhere (HomeForPup)."""
        parsed = Stage.parse(stage)
        suffix = "" if parsed in unsuffixed else f"-{parsed.value}"
        return cls("{resource}{suffix}", {"stage": parsed.value, "suffix": suffix})

    @classmethod
    def service_stage_resource(
        cls, service: str, stage: Stage | str, *, per_kind: Mapping[ResourceKind, str] | None = None
    ) -> Naming:
        """``{service}-{stage}-{resource}``, the library default."""
        parsed = Stage.parse(stage)
        return cls(
            "{service}-{stage}-{resource}",
            {"service": service, "stage": parsed.value, "env": parsed.value},
            {k.name: v for k, v in (per_kind or {}).items()},
        )

    @classmethod
    def templated(
        cls,
        pattern: str,
        *,
        per_kind: Mapping[ResourceKind, str] | None = None,
        **variables: str,
    ) -> Naming:
        """Any template, e.g. ``{project}_cluster_{env}`` with ``project`` and ``env`` given."""
        return cls(pattern, dict(variables), {k.name: v for k, v in (per_kind or {}).items()})

    # -- use ----------------------------------------------------------------------------------
    def name(self, resource: str, kind: ResourceKind = ResourceKind.GENERIC) -> str:
        """The physical name of ``resource``, validated against the rules of ``kind``."""
        pattern = self.per_kind.get(kind.name, self.pattern)
        return validate_name(kind, pattern.format(resource=resource, **self.variables))

    def to_context(self) -> dict[str, object]:
        return {
            "pattern": self.pattern,
            "variables": dict(self.variables),
            "per_kind": dict(self.per_kind),
        }

    @classmethod
    def of(cls, scope: IConstruct, explicit: Naming | None = None) -> Naming:
        """The naming in force at ``scope``: ``explicit`` if given, else the scope default."""
        if explicit is not None:
            return explicit
        data = scope_default(
            scope,
            _CONTEXT_KEY,
            "naming",
            "no naming strategy in scope: call use_naming(scope, Naming...) or "
            "configure_platform(...), or pass an explicit physical name",
        )
        return cls(data["pattern"], data["variables"], data["per_kind"])


def use_naming(scope: IConstruct, naming: Naming) -> Naming:
    """Make ``naming`` the default for every construct created below ``scope``."""
    scope.node.set_context(_CONTEXT_KEY, naming.to_context())
    return naming
