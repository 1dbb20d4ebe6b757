"""Every rule a GithubOidc's props must meet, checked together before anything is created."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Token
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems, PropError
from petplatform_constructs.core.existing import describe
from petplatform_constructs.core.names import ResourceKind, physical_name
from petplatform_constructs.core.props import check_fields
from petplatform_constructs.identity.github_oidc.props import (
    GITHUB_ISSUER,
    DeployRole,
    GithubOidcProps,
)
from petplatform_constructs.identity.github_oidc.subjects import check_subject
from petplatform_constructs.platform.naming import Naming

__all__ = ["OidcPlan", "RolePlan", "plan_oidc"]

_ROLE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,39}")
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_QUALIFIER = re.compile(r"[A-Za-z0-9_-]{1,10}")
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")
_PROVIDER_ARN = re.compile(
    rf"arn:aws[a-z-]*:iam::\d{{12}}:oidc-provider/{re.escape(GITHUB_ISSUER)}"
)
_MIN_SESSION, _MAX_SESSION = 3600, 43200


@dataclass(frozen=True)
class RolePlan:
    """One checked deploy role: its spec, name and subjects, split by how IAM matches them."""

    spec: DeployRole
    role_name: str | None
    exact: tuple[str, ...]
    """Subjects without wildcards (``StringEquals`` when every subject is one)."""
    patterns: tuple[str, ...]
    """Subjects with ``*`` or ``?`` (``StringLike``)."""


@dataclass(frozen=True)
class OidcPlan:
    """Everything to build: the roles, and the provider's thumbprints."""

    roles: tuple[RolePlan, ...]
    thumbprints: tuple[str, ...]


def plan_oidc(
    scope: IConstruct,
    problems: Problems,
    props: GithubOidcProps,
    *,
    existing_provider: object | None,
    existing_provider_arn: object | None,
    rejected: frozenset[str] = frozenset(),
) -> OidcPlan | None:
    """Check ``props`` and the existing provider; ``None`` when a problem was recorded."""
    _existing(problems, existing_provider, existing_provider_arn)
    thumbprints = tuple(props.get("thumbprints") or ())
    problems.check(
        len(thumbprints) <= 5, "thumbprints", list(thumbprints), "at most 5 thumbprints (IAM)"
    )
    for thumbprint in thumbprints:
        problems.check(
            Token.is_unresolved(thumbprint) or bool(_THUMBPRINT.fullmatch(thumbprint)),
            "thumbprints",
            thumbprint,
            "a SHA-1 certificate thumbprint: 40 hexadecimal digits",
        )
    specs = props.get("roles")
    if "roles" not in rejected:
        problems.check(
            bool(specs),
            "roles",
            specs,
            "at least one DeployRole(name, subjects=[...]): the provider alone lets nobody in",
        )
    try:
        naming: Naming | None = Naming.of(scope, props.get("naming"))
    except PropError:
        naming = None  # no strategy in scope: CloudFormation names the roles
    keys = [spec.name for spec in specs or ()]
    for duplicate in sorted({k for k in keys if keys.count(k) > 1}):
        problems.add("roles", duplicate, "duplicate role name; names are the keys of roles")
    roles = [_role(scope, problems, i, spec, naming) for i, spec in enumerate(specs or ())]
    if problems:
        return None
    return OidcPlan(roles=tuple(r for r in roles if r is not None), thumbprints=thumbprints)


def _existing(problems: Problems, provider: object | None, arn: object | None) -> None:
    problems.check(
        provider is None or arn is None,
        "existing_provider_arn",
        arn,
        "pass existing_provider or existing_provider_arn, not both",
    )
    if provider is not None:
        problems.check(
            hasattr(provider, "open_id_connect_provider_arn"),
            "existing_provider",
            describe(provider),
            "an iam.IOidcProvider, e.g. iam.OidcProviderNative.from_oidc_provider_arn(...); or "
            "give the ARN as existing_provider_arn",
        )
        arn = getattr(provider, "open_id_connect_provider_arn", None)
        prop = "existing_provider"
    else:
        prop = "existing_provider_arn"
    if arn is None:
        return
    if not problems.check(isinstance(arn, str), prop, arn, "an OIDC provider ARN string"):
        return
    assert isinstance(arn, str)
    problems.check(
        Token.is_unresolved(arn) or bool(_PROVIDER_ARN.fullmatch(arn)),
        prop,
        arn,
        f"the ARN of the account's GitHub provider, arn:aws:iam::<account>:oidc-provider/"
        f"{GITHUB_ISSUER} (GithubOidc.provider_arn_of(stack))",
    )


def _role(
    scope: IConstruct, problems: Problems, index: int, spec: DeployRole, naming: Naming | None
) -> RolePlan | None:
    if not isinstance(spec, DeployRole):
        problems.add(f"roles[{index}]", spec, "a DeployRole(name, subjects=[...])")
        return None
    prefix = f"roles[{spec.name}]" if isinstance(spec.name, str) else f"roles[{index}]"
    if check_fields(problems, prefix, spec):
        return None
    check = problems.check
    check(
        bool(_ROLE_KEY.fullmatch(spec.name)),
        f"roles[{index}].name",
        spec.name,
        "1-40 letters, digits and '-', starting with a letter",
    )
    check(
        bool(spec.subjects),
        f"{prefix}.subjects",
        list(spec.subjects),
        "at least one subject, e.g. GithubSubject.branch('owner/repo', 'main')",
    )
    exact: list[str] = []
    patterns: list[str] = []
    for subject in spec.subjects:
        found = check_subject(subject, allow_wildcard_repositories=spec.allow_wildcard_repositories)
        if found.problem is not None:
            problems.add(f"{prefix}.subjects", subject, found.problem)
        (patterns if found.pattern else exact).append(subject)
    _targets(problems, prefix, spec)
    duration = spec.max_session_duration
    if duration is not None:
        check(
            _MIN_SESSION <= duration.to_seconds() <= _MAX_SESSION,
            f"{prefix}.max_session_duration",
            duration.to_human_string(),
            "1 to 12 hours (IAM)",
        )
    if spec.description is not None:
        check(
            len(spec.description) <= 1000,
            f"{prefix}.description",
            spec.description,
            "at most 1000 characters (IAM)",
        )
    role_name = physical_name(
        scope,
        problems,
        ResourceKind.IAM_ROLE,
        name=spec.name if naming is not None and spec.role_name is None else None,
        literal=spec.role_name,
        literal_prop=f"{prefix}.role_name",
        name_prop=f"{prefix}.name",
        strategy=lambda: naming if naming is not None else Naming.of(scope),
    )
    return RolePlan(
        spec=spec,
        role_name=role_name,
        exact=tuple(dict.fromkeys(exact)),
        patterns=tuple(dict.fromkeys(patterns)),
    )


def _targets(problems: Problems, prefix: str, spec: DeployRole) -> None:
    """The bootstrap roles' accounts, regions and qualifier."""
    for prop, values, rule, allowed in (
        ("accounts", spec.accounts, _ACCOUNT, "12-digit AWS account ids"),
        ("regions", spec.regions, _REGION, "AWS region names such as us-west-2"),
    ):
        for value in values:
            problems.check(
                Token.is_unresolved(value) or bool(rule.fullmatch(value)),
                f"{prefix}.{prop}",
                value,
                allowed,
            )
    problems.check(
        bool(_QUALIFIER.fullmatch(spec.qualifier)),
        f"{prefix}.qualifier",
        spec.qualifier,
        "the cdk bootstrap qualifier: 1-10 letters, digits, '_' or '-'",
    )
