"""Every rule an AppRole's props must meet, checked together before anything is created.

:func:`plan_role` resolves the principals, the role name and the log-group prefixes, and records
every problem in one :class:`~petplatform_constructs.core.errors.Problems`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Token
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import describe
from petplatform_constructs.core.names import ResourceKind, physical_name, validate_name
from petplatform_constructs.identity.app_role.props import (
    DEFAULT_DATA_ACCESS,
    DEFAULT_PRINCIPALS,
    AppRoleProps,
    DataAccess,
)
from petplatform_constructs.platform.naming import Naming

__all__ = ["EC2", "LAMBDA", "RolePlan", "plan_role"]

LAMBDA = "lambda.amazonaws.com"
EC2 = "ec2.amazonaws.com"
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9.-]+\.amazonaws\.com")
_SES_IDENTITY_ARN = re.compile(r"arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity/\S+")
_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]{0,1000}")
_MIN_SESSION, _MAX_SESSION = 3600, 43200


@dataclass(frozen=True)
class RolePlan:
    """The checked inputs of the role: who assumes it, its name, where it may log."""

    services: tuple[str, ...]
    """Service principals; empty for an existing role (its trust is not managed here)."""
    role_name: str | None
    log_group_prefixes: tuple[str, ...]
    log_groups: tuple[str, ...] = ()
    data_access: tuple[DataAccess, ...] = DEFAULT_DATA_ACCESS


def plan_role(
    scope: IConstruct,
    problems: Problems,
    props: AppRoleProps,
    *,
    existing_role: object | None,
    rejected: frozenset[str] = frozenset(),
) -> RolePlan | None:
    """Check ``props`` and resolve them; ``None`` when a problem was recorded.

    With ``existing_role`` the creation rules are skipped (the existing-resource rule refuses
    creation props). ``rejected`` names props already reported (wrong type).
    """
    if existing_role is not None:
        problems.check(
            all(hasattr(existing_role, m) for m in ("role_arn", "add_to_principal_policy")),
            "existing_role",
            describe(existing_role),
            "an IRole, e.g. iam.Role.from_role_arn(...)",
        )
        services: tuple[str, ...] = ()
        role_name = None
    else:
        services = _principals(problems, props.get("principals"))
        role_name = physical_name(
            scope,
            problems,
            ResourceKind.IAM_ROLE,
            name=props.get("name"),
            literal=props.get("role_name"),
            literal_prop="role_name",
            strategy=lambda: Naming.of(scope, props.get("naming")),
        )
        _role_settings(problems, props)
    _email(problems, props)
    prefixes = _log_names(problems, "log_group_prefixes", props.get("log_group_prefixes"))
    log_groups = _log_names(problems, "log_groups", props.get("log_groups"))
    access = _data_access(problems, props)
    if problems:
        return None
    return RolePlan(
        services=services,
        role_name=role_name,
        log_group_prefixes=prefixes,
        log_groups=log_groups,
        data_access=access,
    )


def _data_access(problems: Problems, props: AppRoleProps) -> tuple[DataAccess, ...]:
    access = props.get("data_access")
    if access is None:
        return DEFAULT_DATA_ACCESS
    problems.check(
        bool(access) or not (props.get("tables") or props.get("buckets")),
        "data_access",
        access,
        "at least one of 'read', 'write', 'delete', 'scan' when tables or buckets are given",
    )
    return tuple(dict.fromkeys(access))


def _principals(problems: Problems, principals: Sequence[str] | None) -> tuple[str, ...]:
    if principals is None:
        return DEFAULT_PRINCIPALS
    problems.check(
        bool(principals),
        "principals",
        principals,
        "a non-empty sequence of service principals, e.g. ['lambda.amazonaws.com']",
    )
    for principal in principals:
        problems.check(
            bool(_SERVICE_PRINCIPAL.fullmatch(principal)),
            "principals",
            principal,
            "service principal names such as lambda.amazonaws.com or ec2.amazonaws.com",
        )
    return tuple(dict.fromkeys(principals))


def _role_settings(problems: Problems, props: AppRoleProps) -> None:
    description = props.get("description")
    if description is not None and not Token.is_unresolved(description):
        problems.check(
            bool(_DESCRIPTION.fullmatch(description)),
            "description",
            description,
            "at most 1000 printable Latin-1 characters (IAM)",
        )
    duration = props.get("max_session_duration")
    if duration is not None:
        problems.check(
            _MIN_SESSION <= duration.to_seconds() <= _MAX_SESSION,
            "max_session_duration",
            duration.to_human_string(),
            "1 to 12 hours (IAM)",
        )


def _email(problems: Problems, props: AppRoleProps) -> None:
    identity_arns, from_address = props.get("ses_identity_arns"), props.get("from_address")
    if props.get("send_email") is False:
        for prop, value in (("ses_identity_arns", identity_arns), ("from_address", from_address)):
            problems.check(value is None, prop, value, "only allowed with send_email=True")
        return
    if identity_arns is not None:
        problems.check(
            bool(identity_arns),
            "ses_identity_arns",
            identity_arns,
            "give at least one SES identity ARN, None for the account default, or send_email=False",
        )
        for arn in identity_arns:
            problems.check(
                Token.is_unresolved(arn) or bool(_SES_IDENTITY_ARN.fullmatch(arn)),
                "ses_identity_arns",
                arn,
                "SES identity ARNs look like arn:aws:ses:<region>:<account>:identity/<domain-or-"
                "email>",
            )
    if from_address is not None and not Token.is_unresolved(from_address):
        problems.check(
            "@" in from_address and not any(c.isspace() for c in from_address),
            "from_address",
            from_address,
            "an email address such as noreply@example.com ('*' allowed, e.g. *@example.com)",
        )


def _log_names(problems: Problems, prop: str, names: Sequence[str] | None) -> tuple[str, ...]:
    """Log-group names or prefixes: log-group name characters (no ``*``), naming something."""
    for name in names or ():
        if Token.is_unresolved(name):
            continue
        with problems.collecting(prop, name):
            validate_name(ResourceKind.LOG_GROUP, name)
            problems.check(
                any(c.isalnum() for c in name),
                prop,
                name,
                "a log-group name or prefix that names something (e.g. '/aws/lambda/my-fn'), "
                "not only separators",
            )
    return tuple(dict.fromkeys(names or ()))
