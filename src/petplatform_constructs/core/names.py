"""AWS naming rules per resource kind, and the one way a construct resolves a physical name.

A construct takes either a short ``name`` (passed through the app's naming strategy) or a
literal physical name (``table_name``, ``bucket_name``...), never both. :func:`physical_name`
applies that rule, validates the result against the AWS rules of its kind, and claims the name
in the app, so two resources of one kind with one name fail at synth instead of at deploy.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from aws_cdk import Stack, Token
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems, PropError

__all__ = ["NameStrategy", "ResourceKind", "physical_name", "validate_name"]


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


class NameStrategy(Protocol):
    """What :func:`physical_name` needs of a naming strategy (``platform.naming.Naming``)."""

    def name(self, resource: str, kind: ResourceKind = ...) -> str: ...


_PER_ACCOUNT = frozenset(
    {ResourceKind.IAM_ROLE, ResourceKind.BUDGET, ResourceKind.CLOUDWATCH_DASHBOARD}
)  # global resources: their ARNs have no region

_CLAIMED: weakref.WeakKeyDictionary[object, dict[tuple[str, ...], str]] = (
    weakref.WeakKeyDictionary()
)


def physical_name(
    scope: IConstruct,
    problems: Problems,
    kind: ResourceKind,
    *,
    name: str | None,
    literal: str | None,
    literal_prop: str,
    strategy: Callable[[], NameStrategy],
    name_prop: str = "name",
    account_region_suffix: bool = False,
) -> str | None:
    """The physical name for ``scope``'s resource of ``kind``, or ``None`` to let AWS generate it.

    ``name`` goes through ``strategy()`` (called only when needed), then, with
    ``account_region_suffix``, gets ``-{account}-{region}`` of ``scope``'s stack (for global
    namespaces such as S3's, where a short name is almost surely taken); ``literal`` is used as
    is. Both are validated against the AWS rules of ``kind``; each problem is added to
    ``problems`` under the prop that received the value.
    """
    if name is not None and literal is not None:
        problems.add(
            literal_prop,
            literal,
            f"give either {name_prop}={name!r} (through the naming strategy) or a literal "
            f"{literal_prop}, not both",
        )
        return None
    resolved: str | None = None
    if literal is not None:
        if Token.is_unresolved(literal):
            return literal
        with problems.collecting(literal_prop, literal):
            resolved = validate_name(kind, literal)
    elif name is not None:
        if not problems.check(
            isinstance(name, str) and bool(name.strip()), name_prop, name, "a non-empty short name"
        ):
            return None
        try:
            resolved = strategy().name(name, kind)
        except PropError as err:
            if err.prop == "naming":
                raise
            problems.add(
                name_prop, name, f"the naming strategy produced {err.value!r}: {err.allowed}"
            )
            return None
        if account_region_suffix:
            resolved = _account_region_suffixed(scope, problems, kind, resolved, name_prop, name)
    if resolved is not None:
        _claim(scope, problems, kind, resolved, literal_prop if literal is not None else name_prop)
    return resolved


_LONGEST_ACCOUNT = "111122223333"
_LONGEST_REGION = "ap-southeast-2"  # 14 characters, the longest region name today


def _account_region_suffixed(
    scope: IConstruct, problems: Problems, kind: ResourceKind, base: str, prop: str, given: str
) -> str | None:
    """``base-{account}-{region}``; with a deploy-time account or region, the longest value
    either can take is what gets validated."""
    stack = Stack.of(scope)
    account, region = stack.account, stack.region
    checked = "-".join(
        (
            base,
            _LONGEST_ACCOUNT if Token.is_unresolved(account) else account,
            _LONGEST_REGION if Token.is_unresolved(region) else region,
        )
    )
    try:
        validate_name(kind, checked)
    except PropError as err:
        problems.add(
            prop,
            given,
            f"with the account and region appended ({checked!r} at the longest): {err.allowed}",
        )
        return None
    return f"{base}-{account}-{region}"


def _claim(scope: IConstruct, problems: Problems, kind: ResourceKind, name: str, prop: str) -> None:
    """Refuse a second resource of ``kind`` named ``name`` in the same account and region."""
    stack = Stack.of(scope)
    where: tuple[str, ...] = (stack.account, stack.region)
    if kind is ResourceKind.S3_BUCKET:
        where = ()  # one namespace worldwide
    elif kind in _PER_ACCOUNT:
        where = (stack.account,)  # one namespace per account, all regions
    key = (kind.name, *where, name)
    claimed = _CLAIMED.setdefault(scope.node.root, {})
    owner = claimed.get(key)
    if owner is not None and owner != scope.node.path:
        problems.add(
            prop,
            name,
            f"a unique {kind.value.label} name: {owner} already uses it in this app",
        )
        return
    claimed[key] = scope.node.path
