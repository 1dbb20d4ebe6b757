"""Every rule an AuthPool's props must meet, checked together before anything is created.

:func:`plan_auth` turns the props into the checked inputs of the pool, its clients and groups,
and records every problem in one :class:`~petplatform_constructs.core.errors.Problems`, so a
user sees all their mistakes in one synth.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Literal
from urllib.parse import urlsplit

from aws_cdk import Duration, Token
from aws_cdk import aws_cognito as cognito
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems, PropError
from petplatform_constructs.core.names import ResourceKind, physical_name
from petplatform_constructs.core.props import check_props
from petplatform_constructs.core.rules import check_certificate
from petplatform_constructs.identity.auth_pool.privileged import guard_function_name, plan_mfa
from petplatform_constructs.identity.auth_pool.props import AppClient, AuthPoolProps, UserGroup
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["MAX_NAME", "AuthPlan", "ClientPlan", "PoolPlan", "plan_auth"]

MAX_NAME = 128
"""Cognito user pool and app client names: at most this many characters, after naming."""

_SCOPES: Mapping[str, cognito.OAuthScope] = {
    "openid": cognito.OAuthScope.OPENID,
    "email": cognito.OAuthScope.EMAIL,
    "profile": cognito.OAuthScope.PROFILE,
    "phone": cognito.OAuthScope.PHONE,
    "aws.cognito.signin.user.admin": cognito.OAuthScope.COGNITO_ADMIN,
}
_OIDC_SCOPES = frozenset({"email", "profile", "phone"})
_UNSAFE_SCHEMES = frozenset({"http", "javascript", "data", "file", "vbscript"})
_CLIENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,39}")
_GROUP_NAME = re.compile(r"[A-Za-z0-9_.+=,@-]{1,128}")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_]{1,20}")
_COGNITO_NAME = re.compile(r"[\w\s+=,.@-]+")
_CERTIFICATE_USER = "Cognito custom domains (served by CloudFront)"


@dataclass(frozen=True)
class PoolPlan:
    """The checked settings of the user pool to create."""

    name: str | None
    password_min_length: int
    temporary_password_validity_days: int
    mfa: cognito.Mfa
    mfa_sms: bool
    threat_protection: cognito.StandardThreatProtectionMode | None = None
    prod_like: bool = False
    mfa_reason: str | None = None
    threat_reason: str | None = None
    privileged_groups: tuple[str, ...] = ()
    mfa_guard_name: str | None = None


@dataclass(frozen=True)
class ClientPlan:
    """One checked app client: its spec, its physical name and its OAuth scopes."""

    spec: AppClient
    client_name: str
    scopes: list[cognito.OAuthScope]


@dataclass(frozen=True)
class AuthPlan:
    """Everything to build: the pool (``None`` for an existing one), clients and groups."""

    pool: PoolPlan | None
    clients: tuple[ClientPlan, ...]
    groups: tuple[UserGroup, ...]


def plan_auth(
    scope: IConstruct,
    problems: Problems,
    props: AuthPoolProps,
    *,
    wraps: bool,
    rejected: frozenset[str] = frozenset(),
) -> AuthPlan | None:
    """Check ``props`` and resolve them; ``None`` when a problem was recorded.

    ``wraps`` skips the pool's own rules (an existing pool takes no pool props). ``rejected``
    names props already reported (wrong type), so no rule reports them again.
    """
    checks = _AuthChecks(scope, problems, props.get("naming"))
    pool = None if wraps else checks.pool(props)
    clients = checks.clients(props.get("clients") or ())
    groups = checks.groups(props.get("groups") or ())
    checks.domain(props, rejected)
    problems.check(
        not props.get("identity_pool") or bool(clients) or "clients" in rejected,
        "identity_pool",
        True,
        "an identity pool trusts the pool's app clients: declare at least one in clients",
    )
    if problems:
        return None
    return AuthPlan(pool=pool, clients=tuple(c for c in clients if c), groups=groups)


class _AuthChecks:
    """The rules of one AuthPool, each recording its problems instead of raising."""

    def __init__(self, scope: IConstruct, problems: Problems, naming: Naming | None) -> None:
        self.scope = scope
        self.problems = problems
        try:
            self.naming: Naming | None = Naming.of(scope, naming)
        except PropError:
            self.naming = None  # no strategy in scope: names are used as given

    def cognito_name(self, prop: str, short: str) -> str:
        """``short`` through the naming strategy, checked against Cognito's name rules."""
        if not self.problems.check(bool(short.strip()), prop, short, "a non-empty short name"):
            return short
        try:
            full = self.naming.name(short) if self.naming is not None else short
        except PropError as err:
            self.problems.add(
                prop, short, f"the naming strategy produced {err.value!r}: {err.allowed}"
            )
            return short
        self.problems.check(
            len(full) <= MAX_NAME and bool(_COGNITO_NAME.fullmatch(full)),
            prop,
            full,
            f"Cognito names are 1-{MAX_NAME} letters, digits, spaces and +=,.@_- after the "
            "naming pattern",
        )
        return full

    def fields(self, prefix: str, value: AppClient | UserGroup) -> bool:
        """Record wrong Python types in the fields of ``value``; return whether all are right."""
        found = Problems(self.problems.owner)
        check_props(found, type(value), {f.name: getattr(value, f.name) for f in fields(value)})
        for error in found.errors:
            self.problems.add(f"{prefix}.{error.prop}", error.value, error.allowed)
        return not found

    def unique(self, prop: str, names: Sequence[str], allowed: str) -> None:
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            self.problems.add(prop, duplicate, f"duplicate name; {allowed}")

    # -- the pool ---------------------------------------------------------------------------
    def pool(self, props: AuthPoolProps) -> PoolPlan:
        check = self.problems.check
        for attribute in props.get("custom_attributes") or {}:
            check(
                bool(_ATTRIBUTE_NAME.fullmatch(attribute)),
                "custom_attributes",
                attribute,
                "attribute names are 1-20 letters, digits or '_' (Cognito adds the 'custom:' "
                "prefix)",
            )
        prod_like = StageProfile.of(self.scope, props.get("stage_profile")).prod_like
        writable = set(props.get("user_writable_attributes") or ())
        for attribute in sorted(writable - set(props.get("custom_attributes") or {})):
            check(
                False,
                "user_writable_attributes",
                attribute,
                "names of custom_attributes (without 'custom:')",
            )
        given_length = props.get("password_min_length")
        min_length = (12 if prod_like else 8) if given_length is None else given_length
        check(
            8 <= min_length <= 99,
            "password_min_length",
            min_length,
            "8 to 99 (fewer than 8 characters is not a secure password policy)",
        )
        given_days = props.get("temporary_password_validity_days")
        temp_days = 7 if given_days is None else given_days
        check(1 <= temp_days <= 365, "temporary_password_validity_days", temp_days, "1 to 365 days")
        mfa_reason = self.reason(props, "mfa_opt_out_reason")
        mfa, privileged = plan_mfa(self.problems, props, prod_like=prod_like, reason=mfa_reason)
        mfa_sms = bool(props.get("mfa_sms"))
        check(
            not (mfa_sms and mfa is cognito.Mfa.OFF),
            "mfa_sms",
            mfa_sms,
            "SMS is an MFA factor: set mfa to Mfa.OPTIONAL or Mfa.REQUIRED, or drop mfa_sms",
        )
        threat_protection = props.get("threat_protection")
        threat_reason = self.reason(props, "threat_protection_opt_out_reason")
        check(
            threat_protection is None or threat_reason is None,
            "threat_protection_opt_out_reason",
            threat_reason,
            "turns threat protection off: give it or threat_protection, not both",
        )
        if threat_protection is None and threat_reason is None and prod_like:
            threat_protection = cognito.StandardThreatProtectionMode.FULL_FUNCTION
        check(
            threat_protection is not cognito.StandardThreatProtectionMode.NO_ENFORCEMENT,
            "threat_protection",
            threat_protection,
            "FULL_FUNCTION or AUDIT_ONLY; leave it None for no threat protection (NO_ENFORCEMENT "
            "would pay for the PLUS plan without using it)",
        )
        name = props.get("name")
        guard_name = None
        if privileged:
            guard_name = guard_function_name(self.scope, self.problems, name, self.naming)
        return PoolPlan(
            name=self.cognito_name("name", name) if name is not None else None,
            password_min_length=min_length,
            temporary_password_validity_days=temp_days,
            mfa=mfa,
            mfa_sms=mfa_sms,
            threat_protection=threat_protection,
            prod_like=prod_like,
            mfa_reason=mfa_reason,
            threat_reason=threat_reason,
            privileged_groups=privileged,
            mfa_guard_name=guard_name,
        )

    def reason(
        self,
        props: AuthPoolProps,
        prop: Literal["mfa_opt_out_reason", "threat_protection_opt_out_reason"],
    ) -> str | None:
        value = props.get(prop)
        if not isinstance(value, str):
            return None
        self.problems.check(
            len(value.strip()) >= 20,
            prop,
            value,
            "a reason a security reviewer would accept, at least 20 characters",
        )
        return value.strip()

    # -- clients ----------------------------------------------------------------------------
    def clients(self, specs: Sequence[AppClient]) -> list[ClientPlan | None]:
        self.unique("clients", [c.name for c in specs], "app client names are the keys of clients")
        return [self.client(i, spec) for i, spec in enumerate(specs)]

    def client(self, index: int, spec: AppClient) -> ClientPlan | None:
        prefix = f"clients[{spec.name}]" if isinstance(spec.name, str) else f"clients[{index}]"
        if not self.fields(prefix, spec):
            return None
        check = self.problems.check
        check(
            bool(_CLIENT_NAME.fullmatch(spec.name)),
            f"clients[{index}].name",
            spec.name,
            "1-40 letters, digits and '-', starting with a letter",
        )
        for flow in spec.oauth_flows:
            check(
                flow != "implicit",
                f"{prefix}.oauth_flows",
                flow,
                "the implicit flow returns tokens in the URL, where they leak; use 'code' "
                "(authorization code with PKCE)",
            )
            check(
                flow in ("code", "implicit"),
                f"{prefix}.oauth_flows",
                flow,
                "only 'code' (authorization-code flow) is supported",
            )
        scopes: list[cognito.OAuthScope] = []
        if spec.oauth:
            scopes = self.oauth(prefix, spec)
        for prop, value, low, high in (
            ("access_token_validity", spec.access_token_validity, 5, 1440),
            ("id_token_validity", spec.id_token_validity, 5, 1440),
            ("refresh_token_validity", spec.refresh_token_validity, 60, 3650 * 1440),
        ):
            if value is not None:
                minutes = value.to_seconds() / 60
                check(
                    low <= minutes <= high,
                    f"{prefix}.{prop}",
                    f"{minutes:g} minutes",
                    f"{low} to {high} minutes",
                )
        refresh = (spec.refresh_token_validity or Duration.days(30)).to_seconds()
        for prop, duration in (
            ("access_token_validity", spec.access_token_validity),
            ("id_token_validity", spec.id_token_validity),
        ):
            seconds = (duration or Duration.minutes(60)).to_seconds()
            check(
                seconds <= refresh,
                f"{prefix}.{prop}",
                f"{seconds / 60:g} minutes",
                "must not exceed refresh_token_validity",
            )
        name = self.cognito_name(f"{prefix}.name", spec.name)
        return ClientPlan(spec=spec, client_name=name, scopes=scopes)

    def oauth(self, prefix: str, spec: AppClient) -> list[cognito.OAuthScope]:
        """The rules of an OAuth (hosted-UI) client; its scopes."""
        check = self.problems.check
        check(
            bool(spec.callback_urls),
            f"{prefix}.callback_urls",
            list(spec.callback_urls),
            "an OAuth client needs at least one callback URL (or set oauth=False for SDK-only "
            "sign-in)",
        )
        check(bool(spec.oauth_flows), f"{prefix}.oauth_flows", list(spec.oauth_flows), "('code',)")
        for prop, urls in (
            ("callback_urls", spec.callback_urls),
            ("logout_urls", spec.logout_urls),
        ):
            for url in urls:
                check(
                    _is_redirect_url(url),
                    f"{prefix}.{prop}",
                    url,
                    "https:// URLs, http://localhost for development, or a native app scheme "
                    "(myapp://callback); no fragment",
                )
        scopes = []
        for name in spec.scopes:
            if name in _SCOPES:
                scopes.append(_SCOPES[name])
            elif check(
                "/" in name.strip("/"),
                f"{prefix}.scopes",
                name,
                f"one of {sorted(_SCOPES)} or a resource-server scope 'server/scope'",
            ):
                scopes.append(cognito.OAuthScope.custom(name))
        oidc = _OIDC_SCOPES.intersection(spec.scopes)
        check(
            not oidc or "openid" in spec.scopes,
            f"{prefix}.scopes",
            list(spec.scopes),
            f"{sorted(oidc)} require the 'openid' scope",
        )
        return scopes

    # -- groups and domain ------------------------------------------------------------------
    def groups(self, given: Sequence[UserGroup | str]) -> tuple[UserGroup, ...]:
        specs = tuple(g if isinstance(g, UserGroup) else UserGroup(g) for g in given)
        self.unique("groups", [g.name for g in specs], "group names are unique in a pool")
        for index, group in enumerate(specs):
            prefix = f"groups[{group.name}]" if isinstance(group.name, str) else f"groups[{index}]"
            if not self.fields(prefix, group):
                continue
            self.problems.check(
                bool(_GROUP_NAME.fullmatch(group.name)),
                f"groups[{index}].name",
                group.name,
                "1-128 letters, digits and _.+=,@-",
            )
            self.problems.check(
                group.precedence is None or group.precedence >= 0,
                f"{prefix}.precedence",
                group.precedence,
                "a non-negative integer (0 wins)",
            )
        return specs

    def domain(self, props: AuthPoolProps, rejected: frozenset[str]) -> None:
        prefix, custom = props.get("domain_prefix"), props.get("custom_domain")
        certificate = props.get("certificate")
        if prefix is not None and (custom is not None or certificate is not None):
            self.problems.add(
                "domain_prefix",
                prefix,
                "give a domain_prefix or a custom_domain with a certificate, not both (a pool has "
                "one hosted-UI domain of each kind, and this construct manages one)",
            )
        physical_name(
            self.scope,
            self.problems,
            ResourceKind.COGNITO_DOMAIN_PREFIX,
            name=None,
            literal=prefix,
            literal_prop="domain_prefix",
            strategy=lambda: Naming.of(self.scope, self.naming),
        )
        if not rejected.intersection({"certificate", "custom_domain"}):
            check_certificate(
                self.problems, certificate=certificate, domain=custom, served_by=_CERTIFICATE_USER
            )


def _is_redirect_url(url: str) -> bool:
    """An https URL, http://localhost, or a native app scheme; never a fragment."""
    if Token.is_unresolved(url):
        return True
    parsed = urlsplit(url)
    scheme = parsed.scheme.lower()
    secure_web = scheme == "https" and bool(parsed.hostname)
    local_dev = scheme == "http" and parsed.hostname == "localhost"
    native_app = bool(scheme) and scheme not in _UNSAFE_SCHEMES and scheme != "https"
    return (secure_web or local_dev or native_app) and not parsed.fragment
