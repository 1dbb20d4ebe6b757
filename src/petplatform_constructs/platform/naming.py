"""Naming strategies and the AWS naming rules they are checked against at synth time.

The seeds use three conventions literally (checklist X1, conflict 6): a stage suffix
(``profiles``, ``profiles-staging``), ``{service}-{stage}-{resource}`` with per-resource-type
variants, and templates such as ``{project}_cluster_{env}``. They are all one thing: a pattern
per resource kind plus variables. :class:`Naming` is that thing, attached to a scope once with
:func:`use_naming` and read by every construct with :meth:`Naming.of`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from constructs import IConstruct

from petplatform_constructs.core.errors import PropError, scope_default
from petplatform_constructs.platform.stage import Stage

__all__ = ["Naming", "ResourceKind", "use_naming", "validate_name"]

_CONTEXT_KEY = "petplatform:naming"


@dataclass(frozen=True)
class _Rule:
    label: str
    min_len: int
    max_len: int
    pattern: str
    pattern_text: str
    forbidden: tuple[str, ...] = ()
    forbidden_text: str = ""


class ResourceKind(Enum):
    """Resource kinds with distinct AWS naming rules."""

    GENERIC = _Rule("resource", 1, 1024, r".+", "any characters")
    S3_BUCKET = _Rule(
        "S3 bucket",
        3,
        63,
        r"(?!xn--|sthree-|amzn-s3-demo-)(?!.*(?:-s3alias|--ol-s3|\.mrap|--x-s3)$)"
        r"(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9](?:[a-z0-9-]|\.(?!\.))*[a-z0-9]",
        "lowercase letters, digits, '-' and single '.', starting and ending with a letter or "
        "digit; no underscores, no IP-address form, no reserved prefix or suffix",
    )
    DYNAMODB_TABLE = _Rule("DynamoDB table", 3, 255, r"[A-Za-z0-9_.-]+", "letters, digits, _ . -")
    SQS_QUEUE = _Rule(
        "SQS queue", 1, 80, r"[A-Za-z0-9_-]+", "letters, digits, _ and -; no .fifo suffix"
    )
    SQS_FIFO_QUEUE = _Rule(
        "SQS FIFO queue",
        6,
        80,
        r"[A-Za-z0-9_-]+\.fifo",
        "letters, digits, _ and -, ending in '.fifo' (80 characters including the suffix)",
    )
    SNS_TOPIC = _Rule(
        "SNS topic",
        1,
        256,
        r"[A-Za-z0-9_-]+(?:\.fifo)?",
        "letters, digits, _ and - (.fifo allowed)",
    )
    COGNITO_DOMAIN_PREFIX = _Rule(
        "Cognito domain prefix",
        1,
        63,
        r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?",
        "lowercase letters, digits and '-', not starting or ending with '-'",
        ("aws", "amazon", "cognito"),
        "must not contain 'aws', 'amazon' or 'cognito'",
    )
    IAM_ROLE = _Rule("IAM role", 1, 64, r"[\w+=,.@-]+", "letters, digits and +=,.@_-")
    LAMBDA_FUNCTION = _Rule("Lambda function", 1, 64, r"[A-Za-z0-9_-]+", "letters, digits, _ -")
    LOG_GROUP = _Rule("log group", 1, 512, r"[.\-_/#A-Za-z0-9]+", "letters, digits and ._-/#")
    ECS_CLUSTER = _Rule("ECS cluster", 1, 255, r"[A-Za-z0-9_-]+", "letters, digits, _ and -")
    ECR_REPOSITORY = _Rule(
        "ECR repository",
        2,
        256,
        r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*",
        "lowercase letters and digits separated by single . _ - or /",
    )
    SECRET = _Rule("secret", 1, 512, r"[A-Za-z0-9/_+=.@-]+", "letters, digits and /_+=.@-")
    SSM_PARAMETER = _Rule(
        "SSM parameter", 1, 2048, r"[A-Za-z0-9_.\-/]+", "letters, digits and _.-/"
    )
    EVENT_BUS = _Rule("event bus", 1, 256, r"[/.\-_A-Za-z0-9]+", "letters, digits and /._-")
    CLOUDWATCH_DASHBOARD = _Rule(
        "CloudWatch dashboard", 1, 255, r"[A-Za-z0-9_-]+", "letters, digits, '-' and '_'"
    )
    BUDGET = _Rule(
        "budget", 1, 100, r"[A-Za-z0-9 ._-]+", "letters, digits, spaces and ._- (no ':' or '\\')"
    )
    STACK = _Rule("CloudFormation stack", 1, 128, r"[A-Za-z][A-Za-z0-9-]*", "letters, digits and -")


def validate_name(
    kind: ResourceKind, name: str, *, owner: str | None = None, prop: str = "name"
) -> str:
    """Return ``name`` if AWS accepts it for ``kind``; else raise naming the rule broken.

    ``owner`` and ``prop`` let a construct report the prop it received the name in.
    """
    rule: _Rule = kind.value
    owner = owner or f"{rule.label} name"
    if not rule.min_len <= len(name) <= rule.max_len:
        raise PropError(
            owner,
            prop,
            name,
            f"length must be {rule.min_len}-{rule.max_len} characters (got {len(name)})",
        )
    if not re.fullmatch(rule.pattern, name):
        raise PropError(owner, prop, name, f"allowed: {rule.pattern_text}")
    lowered = name.lower()
    if any(word in lowered for word in rule.forbidden):
        raise PropError(owner, prop, name, rule.forbidden_text)
    return name


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

    # -- the three conventions of the seeds -------------------------------------------------
    @classmethod
    def suffixed(
        cls, stage: Stage | str, *, unsuffixed: tuple[Stage, ...] = (Stage.DEV,)
    ) -> Naming:
        """``name`` in dev, ``name-{stage}`` elsewhere (HomeForPup, 000#53-56)."""
        parsed = Stage.parse(stage)
        suffix = "" if parsed in unsuffixed else f"-{parsed.value}"
        return cls("{resource}{suffix}", {"stage": parsed.value, "suffix": suffix})

    @classmethod
    def service_stage_resource(
        cls, service: str, stage: Stage | str, *, per_kind: Mapping[ResourceKind, str] | None = None
    ) -> Naming:
        """``{service}-{stage}-{resource}``, the library default (conflict 6)."""
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
