"""AuthPool's props, declared once, and the value types they use.

:class:`AuthPoolProps` holds every prop of :class:`~petplatform_constructs.AuthPool`;
:class:`AppClient` and :class:`UserGroup` describe its app clients and groups. The props in
:data:`SHARED_ONLY` also apply to an existing (imported) pool; the others create the pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam

from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "CLIENT_WRITABLE_STANDARD_ATTRIBUTES",
    "SHARED_ONLY",
    "AppClient",
    "AuthPoolProps",
    "UserGroup",
]

CLIENT_WRITABLE_STANDARD_ATTRIBUTES: Mapping[str, bool] = dict.fromkeys(
    (
        "address", "birthdate", "email", "family_name", "fullname", "gender", "given_name",
        "last_update_time", "locale", "middle_name", "nickname", "phone_number",
        "preferred_username", "profile_page", "profile_picture", "timezone", "website",
    ),
    True,
)  # fmt: skip
"""Standard attributes the app clients may write: the user's profile, never
``email_verified`` or ``phone_number_verified``."""


@dataclass(frozen=True)
class AppClient:
    """One app client of the pool: a web app, a dashboard, a mobile app or a backend.

    OAuth clients use the authorization-code flow only (with PKCE for public clients): the
    implicit flow puts tokens in the URL fragment, where browsers and logs leak them.

    Args:
        name: key in :attr:`AuthPool.clients`, part of the construct id (``Client-{name}``)
            and of the client name (through the naming strategy). 1-40 letters, digits and
            ``-``, starting with a letter.
        callback_urls: where the hosted UI may redirect after sign-in. Required for OAuth
            clients. ``https://`` URLs, ``http://localhost`` for local development, or a native
            app scheme such as ``petapp://callback``; no fragments.
        logout_urls: where the hosted UI may redirect after sign-out; same rules. Default none.
        oauth: ``False`` for clients that sign in through the SDK only (SRP), without the
            hosted UI; they need no callback URLs. Default ``True``.
        oauth_flows: ``("code",)``, the only flow accepted; ``"implicit"`` is refused.
        scopes: OAuth scopes. Default ``("openid", "email", "profile")``. ``phone`` and
            ``aws.cognito.signin.user.admin`` are accepted, and ``server/scope`` names refer to
            resource-server scopes you define on :attr:`AuthPool.user_pool`.
        generate_secret: ``True`` for a confidential client (a server that can keep a secret).
            Default ``False``: browsers and mobile apps cannot keep one.
        access_token_validity: 5 minutes to 1 day. Default 60 minutes.
        id_token_validity: 5 minutes to 1 day. Default 60 minutes.
        refresh_token_validity: 60 minutes to 10 years, and at least the other two. Default
            30 days.
        backend_password_auth: also allow ``ADMIN_USER_PASSWORD_AUTH``, for a backend (an API
            function with ``cognito-idp:AdminInitiateAuth`` on this pool) that signs users in
            with the password they send it. The password then passes through that backend,
            so prefer SRP from the app when the app can do it. Default ``False``.
    """

    name: str
    callback_urls: Sequence[str] = ()
    logout_urls: Sequence[str] = ()
    oauth: bool = True
    oauth_flows: Sequence[str] = ("code",)
    scopes: Sequence[str] = ("openid", "email", "profile")
    generate_secret: bool = False
    access_token_validity: Duration | None = None
    id_token_validity: Duration | None = None
    refresh_token_validity: Duration | None = None
    backend_password_auth: bool = False


@dataclass(frozen=True)
class UserGroup:
    """A user group: the ``cognito:groups`` claim that APIs use for role-based access.

    Args:
        name: the group name, literal (tokens carry it, so it never goes through naming).
            1-128 letters, digits and ``_.+=,@-``; construct id ``Group-{name}``.
        description: shown in the console. Default none.
        precedence: lower wins when a user is in several groups with roles; 0 or more.
            Default none.
        role: IAM role of the group's members: it appears in the ``cognito:roles`` and
            ``cognito:preferred_role`` claims of their ID tokens. Default none.
    """

    name: str
    description: str | None = None
    precedence: int | None = None
    role: iam.IRole | None = None


class AuthPoolProps(TypedDict, total=False):
    """Every prop of :class:`~petplatform_constructs.AuthPool`. All optional."""

    name: str
    """Short pool name, through the naming strategy in scope (the full name is at most 128
    characters). Default: CloudFormation generates a name."""
    self_sign_up: bool
    """Let users sign themselves up. Default ``False``."""
    custom_attributes: Mapping[str, cognito.ICustomAttribute]
    """Custom attributes by name, e.g. ``{"userType": cognito.StringAttribute(mutable=True)}``;
    names are 1-20 letters, digits or ``_``, and can never be removed or changed once the pool
    exists. App clients cannot write them (see ``user_writable_attributes``). Default none."""
    user_writable_attributes: Sequence[str]
    """Custom attributes (names from ``custom_attributes``, without ``custom:``) that users may
    write through the app clients, with their own tokens. Every other custom attribute is
    written only with the admin APIs (a backend's IAM role), so an attribute that drives
    authorization, such as ``userType``, cannot be changed by the user it describes. Clients
    always write the standard profile attributes, never ``email_verified`` or
    ``phone_number_verified``. Default none."""
    password_min_length: int
    """8 to 99; lowercase, uppercase, digits and symbols are always required. Default 12 in
    prod-like stages, 8 otherwise."""
    temporary_password_validity_days: int
    """Days an admin-set password stays valid, 1 to 365. Default 7."""
    mfa: cognito.Mfa
    """``Mfa.OFF``, ``OPTIONAL`` or ``REQUIRED``; TOTP whenever it is not off. Default
    ``Mfa.REQUIRED`` in prod-like stages, ``Mfa.OPTIONAL`` otherwise (and with
    ``mfa_opt_out_reason`` or ``privileged_groups``). In a prod-like stage anything but
    ``REQUIRED`` needs ``privileged_groups`` or ``mfa_opt_out_reason``."""
    mfa_opt_out_reason: str
    """Why MFA is not required, at least 20 characters, for a reviewer: with it, ``mfa``
    defaults to ``OPTIONAL`` in every stage, the reason is the ``AwsSolutions-COG2``
    acknowledgement, and prod-like stages print it as a synth-time warning. Default none."""
    privileged_groups: Sequence[str]
    """Names from ``groups`` whose members must have MFA, with ``mfa`` ``OPTIONAL``: a
    pre-token-generation trigger removes these groups from the tokens of a member without an
    enabled MFA factor (see the AuthPool docs). Satisfies the prod-like MFA rule without
    ``mfa_opt_out_reason``, and makes ``mfa`` default to ``OPTIONAL``. Default none."""
    mfa_sms: bool
    """Also offer SMS codes (needs MFA on); CDK then creates the SNS role Cognito needs. SMS
    costs money and is weaker than TOTP. Default ``False``."""
    email: cognito.UserPoolEmail
    """How Cognito sends email (e.g. ``UserPoolEmail.with_ses(...)``). Default: the Cognito
    mailer, limited to a few dozen messages a day, enough for dev only."""
    threat_protection: cognito.StandardThreatProtectionMode
    """``FULL_FUNCTION`` or ``AUDIT_ONLY``: turns on threat protection (the PLUS feature plan,
    billed per active user). Default ``FULL_FUNCTION`` in prod-like stages; off (ESSENTIALS
    plan) otherwise and with ``threat_protection_opt_out_reason``."""
    threat_protection_opt_out_reason: str
    """Turns threat protection off, in a prod-like stage too (the explicit per-stage opt-out),
    for this reason of at least 20 characters: it is the ``AwsSolutions-COG8``
    acknowledgement and, in prod-like stages, a synth-time warning. Excludes
    ``threat_protection``. Default none."""
    deletion_protection: bool
    """Default: ``StageProfile.deletion_protection`` (on in prod-like stages)."""
    removal_policy: RemovalPolicy
    """Default: ``StageProfile.removal_policy`` (RETAIN in prod-like stages)."""
    clients: Sequence[AppClient]
    """App clients (web, dashboard, mobile, backend), with unique names. Default none."""
    groups: Sequence[UserGroup | str]
    """Groups, as :class:`UserGroup` or plain names, unique. Default none."""
    domain_prefix: str
    """Hosted-UI prefix ``{prefix}.auth.{region}.amazoncognito.com``: unique per region across
    all accounts, without ``aws``, ``amazon`` or ``cognito``; add the stage so that dev and prod
    do not collide. Excludes ``custom_domain``. Default none."""
    custom_domain: str
    """Hosted-UI domain name such as ``auth.example.com``; needs ``certificate``, and the parent
    domain needs an A record. Default none."""
    certificate: acm.ICertificate
    """ACM certificate (in us-east-1) covering ``custom_domain``. Default none."""
    identity_pool: bool
    """Also create an identity pool whose authenticated users (from any of the clients) get
    :attr:`AuthPool.authenticated_role`; no guest access. Needs a client. Default ``False``."""
    export_prefix: str
    """Export ``{prefix}-UserPoolId``, ``-UserPoolArn``, ``-UserPoolClientId-{client}`` per
    client and, with an identity pool, ``-IdentityPoolId``. Default: no outputs."""
    stage_profile: StageProfile
    """Profile to use instead of the scope default."""
    naming: Naming
    """Naming strategy for the pool and client names instead of the scope default (names are
    used as given when there is none)."""


SHARED_ONLY: frozenset[str] = frozenset(
    {
        "clients",
        "groups",
        "domain_prefix",
        "custom_domain",
        "certificate",
        "identity_pool",
        "export_prefix",
        "stage_profile",
        "naming",
    }
)
"""Props that apply to an existing (imported) pool too: they do not create the pool."""
