"""AuthPool: a Cognito user pool, created or imported, with its app clients, groups and domain.

One construct gives an app what it needs to sign users in and to protect an API with their
tokens: email sign-in with verification, a strong password policy, TOTP MFA, groups for
role-based access, OAuth code-flow app clients with short-lived tokens, a hosted-UI domain, and an
optional identity pool for direct AWS access. Prod-like stages retain the pool and turn on
deletion protection, because Cognito has no backup: a deleted pool loses every user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from aws_cdk import (
    Annotations,
    Arn,
    ArnFormat,
    Duration,
    RemovalPolicy,
    Token,
)
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_cognito_identitypool as identitypool
from aws_cdk import aws_iam as iam
from constructs import Construct

from petplatform_constructs.core.errors import PropError, require, require_sequence
from petplatform_constructs.core.exports import add_exports, check_export_prefix
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.naming import Naming, ResourceKind, validate_name
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "READ_ACTIONS",
    "USER_MANAGEMENT_ACTIONS",
    "AppClient",
    "AuthPool",
    "UserGroup",
]

_OWNER = "AuthPool"

READ_ACTIONS: tuple[str, ...] = (
    "cognito-idp:DescribeUserPool",
    "cognito-idp:DescribeUserPoolClient",
    "cognito-idp:AdminGetUser",
    "cognito-idp:ListUsers",
    "cognito-idp:ListUsersInGroup",
    "cognito-idp:ListGroups",
    "cognito-idp:AdminListGroupsForUser",
)
"""What :meth:`AuthPool.grant_read` allows: look users and groups up, never change them."""

USER_MANAGEMENT_ACTIONS: tuple[str, ...] = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:ListUsers",
)
"""What :meth:`AuthPool.grant_user_management` allows: a backend that administers users."""

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
_MAX_NAME = 128  # Cognito user pool and app client names


@dataclass(frozen=True)
class AppClient:
    """One app client of the pool: a web app, a dashboard, a mobile app or a backend.

    OAuth clients use the authorization-code flow only (with PKCE for public clients): the
    implicit flow puts tokens in the URL fragment, where browsers and logs leak them.

    Args:
        name: key in :attr:`AuthPool.clients`, part of the construct id (``Client-{name}``)
            and of the client name (through the naming strategy). Letters, digits and ``-``.
        callback_urls: where the hosted UI may redirect after sign-in. Required for OAuth
            clients. ``https://`` URLs, ``http://localhost`` for local development, or a native
            app scheme such as ``petapp://callback``; no fragments.
        logout_urls: where the hosted UI may redirect after sign-out; same rules.
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


@dataclass(frozen=True)
class UserGroup:
    """A user group: the ``cognito:groups`` claim that APIs use for role-based access.

    Args:
        name: the group name, literal (tokens carry it, so it never goes through naming).
            Letters, digits and ``_.+=,@-``; construct id ``Group-{name}``.
        description: shown in the console. Default none.
        precedence: lower wins when a user is in several groups with roles. Default none.
        role: IAM role of the group's members: it appears in the ``cognito:roles`` and
            ``cognito:preferred_role`` claims of their ID tokens. Default none.
    """

    name: str
    description: str | None = None
    precedence: int | None = None
    role: iam.IRole | None = None


class AuthPool(Construct):
    """A Cognito user pool (created or imported) with app clients, groups, a domain and more.

    Stable construct ids (a public contract: changing them replaces resources):
    ``UserPool`` (the pool, or the imported reference), ``Client-{name}`` per app client,
    ``Group-{name}`` per group, ``Domain`` (prefix or custom domain), ``IdentityPool``.

    Args:
        scope: parent construct.
        id: construct id.
        existing_user_pool_id: import this pool instead of creating one. Only the
            clients, groups, domain and identity pool are created; pool-only props are ignored
            with a warning.
        existing_user_pool: import this pool (an ``IUserPool``); same rules. Not with
            ``existing_user_pool_id``.
        name: short pool name, through the naming strategy. Default: generated by CloudFormation.
        self_sign_up: let users sign themselves up. Default ``False``.
        custom_attributes: custom attributes by name, e.g.
            ``{"userType": cognito.StringAttribute(mutable=True)}``. Names: letters,
            digits and ``_``, at most 20 characters. They can never be removed or changed once
            the pool exists. Default none.
        password_min_length: 8 to 99. Lowercase, uppercase, digits and symbols are always
            required. Default 8.
        temporary_password_validity_days: days an admin-set password stays valid, 1 to 365.
            Default 7.
        mfa: ``Mfa.OFF``, ``OPTIONAL`` or ``REQUIRED``. Default ``OPTIONAL``, TOTP.
        mfa_sms: also offer SMS codes; CDK then creates the SNS role Cognito needs. SMS costs
            money and is weaker than TOTP. Default ``False``.
        email: how Cognito sends email (e.g. ``UserPoolEmail.with_ses(...)``). Default: the
            Cognito mailer, limited to a few dozen messages a day, enough for dev only.
        threat_protection: turn on threat protection (the PLUS feature plan, billed per active
            user) with this mode for standard authentication. Default: off, ESSENTIALS plan.
        deletion_protection: default from the stage profile (on in prod-like stages).
        removal_policy: default from the stage profile (RETAIN in prod-like, else DESTROY).
        clients: app clients (web, dashboard, mobile, backend). Names must be unique.
            Default none.
        groups: groups, as :class:`UserGroup` or plain names. Default none.
        domain_prefix: hosted-UI prefix ``{prefix}.auth.{region}.amazoncognito.com``: unique
            per region across all accounts, without ``aws``, ``amazon`` or ``cognito``; append
            the stage so dev and prod do not collide. Default none.
        custom_domain: hosted-UI domain name such as ``auth.example.com``; needs
            ``certificate``, and the parent domain needs an A record. Not with
            ``domain_prefix``. Default none.
        certificate: ACM certificate for ``custom_domain``; it must be in us-east-1.
        identity_pool: also create an identity pool whose authenticated users (from any of the
            clients) get :attr:`authenticated_role`. No guest access. Default ``False``.
        export_prefix: when set, export ``{prefix}-UserPoolId``, ``{prefix}-UserPoolArn``,
            ``{prefix}-UserPoolClientId-{client}`` per client and, with an identity pool,
            ``{prefix}-IdentityPoolId``. Default: no outputs.
        stage_profile: default: the profile in scope.
        naming: default: the naming strategy in scope (used for the pool and client names).

    Attributes:
        user_pool: the pool (created ``UserPool`` or the imported ``IUserPool``).
        created_user_pool: the created ``UserPool`` (``None`` when imported), for L2-only
            features such as ``add_trigger``.
        clients: app clients by name.
        client_ids: client ids in declaration order (the audience of a JWT authorizer).
        groups: groups by name.
        domain: the hosted-UI domain, if any.
        identity_pool: the identity pool, if any.
        authenticated_role: the role of authenticated identity-pool users, if any.
        issuer_url: the token issuer, ``https://cognito-idp.{region}.amazonaws.com/{pool id}``.
        imported: whether the pool is imported.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_user_pool_id: str | None = None,
        existing_user_pool: cognito.IUserPool | None = None,
        name: str | None = None,
        self_sign_up: bool | None = None,
        custom_attributes: Mapping[str, cognito.ICustomAttribute] | None = None,
        password_min_length: int | None = None,
        temporary_password_validity_days: int | None = None,
        mfa: cognito.Mfa | None = None,
        mfa_sms: bool | None = None,
        email: cognito.UserPoolEmail | None = None,
        threat_protection: cognito.StandardThreatProtectionMode | None = None,
        deletion_protection: bool | None = None,
        removal_policy: RemovalPolicy | None = None,
        clients: Sequence[AppClient] = (),
        groups: Sequence[UserGroup | str] = (),
        domain_prefix: str | None = None,
        custom_domain: str | None = None,
        certificate: acm.ICertificate | None = None,
        identity_pool: bool = False,
        export_prefix: str | None = None,
        stage_profile: StageProfile | None = None,
        naming: Naming | None = None,
    ) -> None:
        super().__init__(scope, id)
        pool_only = {
            "name": name,
            "self_sign_up": self_sign_up,
            "custom_attributes": custom_attributes,
            "password_min_length": password_min_length,
            "temporary_password_validity_days": temporary_password_validity_days,
            "mfa": mfa,
            "mfa_sms": mfa_sms,
            "email": email,
            "threat_protection": threat_protection,
            "deletion_protection": deletion_protection,
            "removal_policy": removal_policy,
        }
        # Validate everything before creating anything: a bad prop fails the same way in
        # both modes, even when import mode would ignore it.
        if existing_user_pool_id is not None and existing_user_pool is not None:
            raise PropError(
                _OWNER,
                "existing_user_pool_id",
                existing_user_pool_id,
                "pass existing_user_pool_id or existing_user_pool, not both",
            )
        min_length = 8 if password_min_length is None else password_min_length
        temp_days = (
            7 if temporary_password_validity_days is None else temporary_password_validity_days
        )
        mfa_mode = cognito.Mfa.OPTIONAL if mfa is None else mfa
        _check_pool_props(
            custom_attributes or {},
            min_length,
            temp_days,
            mfa_mode,
            bool(mfa_sms),
            threat_protection,
        )
        require_sequence(_OWNER, "groups", groups)
        group_specs = [g if isinstance(g, UserGroup) else UserGroup(g) for g in groups]
        _check_app_props(clients, group_specs, identity_pool, export_prefix)
        _check_domain(domain_prefix, custom_domain, certificate)

        self.imported = existing_user_pool_id is not None or existing_user_pool is not None
        resolved_naming = _naming_or_none(self, naming)
        self.created_user_pool: cognito.UserPool | None = None
        if existing_user_pool is not None:
            self.user_pool: cognito.IUserPool = existing_user_pool
        elif existing_user_pool_id is not None:
            self.user_pool = cognito.UserPool.from_user_pool_id(
                self, "UserPool", existing_user_pool_id
            )
        else:
            self.created_user_pool = self._create_pool(
                profile=StageProfile.of(self, stage_profile),
                pool_name=_physical_name(resolved_naming, name, "name") if name else None,
                self_sign_up=bool(self_sign_up),
                custom_attributes=custom_attributes or {},
                min_length=min_length,
                temp_days=temp_days,
                mfa=mfa_mode,
                mfa_sms=bool(mfa_sms),
                email=email,
                threat_protection=threat_protection,
                deletion_protection=deletion_protection,
                removal_policy=removal_policy,
            )
            self.user_pool = self.created_user_pool
        if self.imported:
            ignored = [prop for prop, value in pool_only.items() if value is not None]
            if ignored:
                Annotations.of(self).add_warning_v2(
                    "petplatform:auth-pool-import-ignores-props",
                    f"AuthPool imports an existing user pool, so these pool-only props are "
                    f"ignored: {', '.join(ignored)}. Change them on the pool itself, or adopt the "
                    "pool into this stack with `cdk import` and stop passing it in.",
                )

        self.clients: dict[str, cognito.UserPoolClient] = {
            spec.name: self._add_client(spec, resolved_naming) for spec in clients
        }
        self.client_ids: list[str] = [c.user_pool_client_id for c in self.clients.values()]
        self.groups: dict[str, cognito.UserPoolGroup] = {
            spec.name: cognito.UserPoolGroup(
                self,
                f"Group-{spec.name}",
                user_pool=self.user_pool,
                group_name=spec.name,
                description=spec.description,
                precedence=spec.precedence,
                role=spec.role,
            )
            for spec in group_specs
        }
        self.domain = self._add_domain(domain_prefix, custom_domain, certificate)
        self.identity_pool: identitypool.IdentityPool | None = None
        self.authenticated_role: iam.IRole | None = None
        if identity_pool:
            self.identity_pool = identitypool.IdentityPool(
                self,
                "IdentityPool",
                allow_unauthenticated_identities=False,
                authentication_providers=identitypool.IdentityPoolAuthenticationProviders(
                    user_pools=[
                        identitypool.UserPoolAuthenticationProvider(
                            user_pool=self.user_pool, user_pool_client=client
                        )
                        for client in self.clients.values()
                    ]
                ),
            )
            self.authenticated_role = self.identity_pool.authenticated_role
        self.issuer_url: str = (
            f"https://cognito-idp.{self.user_pool.env.region}.amazonaws.com/"
            f"{self.user_pool.user_pool_id}"
        )
        if export_prefix is not None:
            self._add_outputs(export_prefix)

    # -- creation ---------------------------------------------------------------------------
    def _create_pool(
        self,
        *,
        profile: StageProfile,
        pool_name: str | None,
        self_sign_up: bool,
        custom_attributes: Mapping[str, cognito.ICustomAttribute],
        min_length: int,
        temp_days: int,
        mfa: cognito.Mfa,
        mfa_sms: bool,
        email: cognito.UserPoolEmail | None,
        threat_protection: cognito.StandardThreatProtectionMode | None,
        deletion_protection: bool | None,
        removal_policy: RemovalPolicy | None,
    ) -> cognito.UserPool:
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=pool_name,
            self_sign_up_enabled=self_sign_up,
            sign_in_aliases=cognito.SignInAliases(email=True),
            # Emails are case-insensitive in practice; Alice@ and alice@ must be one user.
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            # An unverified new address must not replace the verified one (account takeover).
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes=dict(custom_attributes) or None,
            user_verification=cognito.UserVerificationConfig(
                email_style=cognito.VerificationEmailStyle.CODE
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=min_length,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(temp_days),
            ),
            mfa=mfa,
            mfa_second_factor=(
                None if mfa is cognito.Mfa.OFF else cognito.MfaSecondFactor(otp=True, sms=mfa_sms)
            ),
            enable_sms_role=mfa_sms,
            email=email,
            feature_plan=(
                cognito.FeaturePlan.ESSENTIALS
                if threat_protection is None
                else cognito.FeaturePlan.PLUS
            ),
            standard_threat_protection_mode=threat_protection,
            deletion_protection=(
                profile.deletion_protection if deletion_protection is None else deletion_protection
            ),
            removal_policy=profile.removal_policy if removal_policy is None else removal_policy,
        )
        cfn_pool = cast(cognito.CfnUserPool, pool.node.default_child)
        if mfa is not cognito.Mfa.REQUIRED:
            acknowledge(
                cfn_pool,
                "AwsSolutions-COG2",
                "MFA is optional by design (mfa=Mfa.OPTIONAL): every user can "
                "enrol TOTP, sign-up stays frictionless; pass mfa=Mfa.REQUIRED to enforce it"
                if mfa is cognito.Mfa.OPTIONAL
                else "MFA is switched off explicitly with mfa=Mfa.OFF by the app owner; the "
                "strong password policy still applies",
            )
        if threat_protection is None:
            acknowledge(
                cfn_pool,
                "AwsSolutions-COG8",
                "Threat protection needs the PLUS feature plan, billed per monthly active user; "
                "it is opt-in (threat_protection=FULL_FUNCTION) so small apps do not pay for it "
                "by default",
            )
        if mfa_sms:
            sms_role = pool.node.try_find_child("smsRole")
            if sms_role is not None:
                acknowledge(
                    sms_role,
                    "AwsSolutions-IAM5[Resource::*]",
                    "Cognito publishes SMS codes straight to phone numbers, which have no ARN, so "
                    "sns:Publish needs Resource '*'; only cognito-idp can assume the role, with an "
                    "external id",
                )
        return pool

    def _add_client(self, spec: AppClient, naming: Naming | None) -> cognito.UserPoolClient:
        return cognito.UserPoolClient(
            self,
            f"Client-{spec.name}",
            user_pool=self.user_pool,
            user_pool_client_name=_physical_name(naming, spec.name, "clients"),
            generate_secret=spec.generate_secret,
            auth_flows=cognito.AuthFlow(user_srp=True),
            disable_o_auth=not spec.oauth,
            o_auth=(
                cognito.OAuthSettings(
                    flows=cognito.OAuthFlows(authorization_code_grant=True),
                    scopes=[_scope(s) for s in spec.scopes],
                    callback_urls=list(spec.callback_urls),
                    logout_urls=list(spec.logout_urls) or None,
                )
                if spec.oauth
                else None
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=spec.access_token_validity or Duration.minutes(60),
            id_token_validity=spec.id_token_validity or Duration.minutes(60),
            refresh_token_validity=spec.refresh_token_validity or Duration.days(30),
        )

    def _add_domain(
        self,
        domain_prefix: str | None,
        custom_domain: str | None,
        certificate: acm.ICertificate | None,
    ) -> cognito.UserPoolDomain | None:
        if domain_prefix is not None:
            return cognito.UserPoolDomain(
                self,
                "Domain",
                user_pool=self.user_pool,
                cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix),
            )
        if custom_domain is not None and certificate is not None:
            return cognito.UserPoolDomain(
                self,
                "Domain",
                user_pool=self.user_pool,
                custom_domain=cognito.CustomDomainOptions(
                    domain_name=custom_domain, certificate=certificate
                ),
            )
        return None

    def _add_outputs(self, prefix: str) -> None:
        exports = {
            "UserPoolId": self.user_pool.user_pool_id,
            "UserPoolArn": self.user_pool.user_pool_arn,
        }
        for client_name, client in self.clients.items():
            exports[f"UserPoolClientId-{client_name}"] = client.user_pool_client_id
        if self.identity_pool is not None:
            exports["IdentityPoolId"] = self.identity_pool.identity_pool_id
        add_exports(self, prefix, exports)

    # -- grants -----------------------------------------------------------------------------
    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` look users, groups and clients up on this pool; no writes."""
        return self.user_pool.grant(grantee, *READ_ACTIONS)

    def grant_user_management(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a backend create, update, disable, delete and regroup users."""
        return self.user_pool.grant(grantee, *USER_MANAGEMENT_ACTIONS)

    # -- metrics ----------------------------------------------------------------------------
    def register_observability(self, watcher: Watcher) -> None:
        """Watched per app client: sign-ins, sign-ups, refreshes, and a sign-in throttle alarm."""
        watcher.watch_user_pool(self)

    def metric_sign_in_successes(
        self, *, client: str | None = None, period: Duration | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        """Successful sign-ins of app client ``client``; ``Average`` gives the success rate.

        ``client`` may be left out when the pool has one client. Default period 5 minutes.
        """
        return self._metric("SignInSuccesses", client, period, statistic)

    def metric_sign_up_successes(
        self, *, client: str | None = None, period: Duration | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        """Successful sign-ups of app client ``client`` (optional with one client)."""
        return self._metric("SignUpSuccesses", client, period, statistic)

    def metric_token_refresh_successes(
        self, *, client: str | None = None, period: Duration | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        """Successful token refreshes of app client ``client`` (optional with one client)."""
        return self._metric("TokenRefreshSuccesses", client, period, statistic)

    def metric_sign_in_throttles(
        self, *, client: str | None = None, period: Duration | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        """Throttled sign-ins of app client ``client``: a quota reached, or an attack."""
        return self._metric("SignInThrottles", client, period, statistic)

    def _metric(
        self, metric_name: str, client: str | None, period: Duration | None, statistic: str
    ) -> cloudwatch.Metric:
        # Cognito publishes these per (UserPool, UserPoolClient) only, so a client is needed.
        if client is None:
            require(
                len(self.clients) == 1,
                _OWNER,
                "client",
                client,
                f"name the app client; this pool has {sorted(self.clients) or 'none'}",
            )
            client = next(iter(self.clients))
        require(
            client in self.clients,
            _OWNER,
            "client",
            client,
            f"one of the app clients {sorted(self.clients)}",
        )
        return cloudwatch.Metric(
            namespace="AWS/Cognito",
            metric_name=metric_name,
            dimensions_map={
                "UserPool": self.user_pool.user_pool_id,
                "UserPoolClient": self.clients[client].user_pool_client_id,
            },
            period=period or Duration.minutes(5),
            statistic=statistic,
        )


# -- validation helpers ----------------------------------------------------------------------
def _naming_or_none(scope: Construct, naming: Naming | None) -> Naming | None:
    """The naming in force, or ``None`` when the app set none (names are then used literally)."""
    try:
        return Naming.of(scope, naming)
    except PropError:
        return None


def _physical_name(naming: Naming | None, short: str, prop: str) -> str:
    full = naming.name(short) if naming is not None else short
    require(
        len(full) <= _MAX_NAME,
        _OWNER,
        prop,
        full,
        f"Cognito names are at most {_MAX_NAME} characters after the naming pattern",
    )
    return full


def _check_unique(prop: str, names: Iterable[str], allowed: str) -> None:
    seen: set[str] = set()
    for item in names:
        if item in seen:
            raise PropError(_OWNER, prop, item, f"duplicate name; {allowed}")
        seen.add(item)


def _check_pool_props(
    custom_attributes: Mapping[str, cognito.ICustomAttribute],
    min_length: int,
    temp_days: int,
    mfa: cognito.Mfa,
    mfa_sms: bool,
    threat_protection: cognito.StandardThreatProtectionMode | None,
) -> None:
    for attr_name in custom_attributes:
        require(
            bool(_ATTRIBUTE_NAME.fullmatch(attr_name)),
            _OWNER,
            "custom_attributes",
            attr_name,
            "attribute names are 1-20 letters, digits or '_' (Cognito adds the 'custom:' prefix)",
        )
    require(
        8 <= min_length <= 99,
        _OWNER,
        "password_min_length",
        min_length,
        "8 to 99 (fewer than 8 characters is not a secure password policy)",
    )
    require(
        1 <= temp_days <= 365,
        _OWNER,
        "temporary_password_validity_days",
        temp_days,
        "1 to 365 days",
    )
    require(
        not (mfa_sms and mfa is cognito.Mfa.OFF),
        _OWNER,
        "mfa_sms",
        mfa_sms,
        "SMS is an MFA factor: set mfa to Mfa.OPTIONAL or Mfa.REQUIRED, or drop mfa_sms",
    )
    require(
        threat_protection is not cognito.StandardThreatProtectionMode.NO_ENFORCEMENT,
        _OWNER,
        "threat_protection",
        threat_protection,
        "FULL_FUNCTION or AUDIT_ONLY; leave it None for no threat protection (NO_ENFORCEMENT "
        "would pay for the PLUS plan without using it)",
    )


def _check_app_props(
    clients: Sequence[AppClient],
    groups: Sequence[UserGroup],
    identity_pool: bool,
    export_prefix: str | None,
) -> None:
    require_sequence(_OWNER, "clients", clients)
    _check_unique("clients", [c.name for c in clients], "app client names are keys of clients")
    for client in clients:
        _check_client(client)
    _check_unique("groups", [g.name for g in groups], "group names are unique in a pool")
    for group in groups:
        _check_group(group)
    require(
        not identity_pool or bool(clients),
        _OWNER,
        "identity_pool",
        identity_pool,
        "an identity pool trusts the pool's app clients: declare at least one in clients",
    )
    check_export_prefix(_OWNER, export_prefix)


def _check_client(client: AppClient) -> None:
    require(
        bool(_CLIENT_NAME.fullmatch(client.name)),
        _OWNER,
        "clients.name",
        client.name,
        "1-40 letters, digits and '-', starting with a letter",
    )
    for field in ("callback_urls", "logout_urls", "oauth_flows", "scopes"):
        require_sequence(_OWNER, f"clients[{client.name}].{field}", getattr(client, field))
    for flow in client.oauth_flows:
        if flow == "implicit":
            raise PropError(
                _OWNER,
                f"clients[{client.name}].oauth_flows",
                flow,
                "the implicit flow returns tokens in the URL, where they leak; use 'code' "
                "(authorization code with PKCE)",
            )
        require(
            flow == "code",
            _OWNER,
            f"clients[{client.name}].oauth_flows",
            flow,
            "only 'code' (authorization-code flow) is supported",
        )
    if client.oauth:
        require(
            bool(client.callback_urls),
            _OWNER,
            f"clients[{client.name}].callback_urls",
            list(client.callback_urls),
            "an OAuth client needs at least one callback URL (or set oauth=False for SDK-only "
            "sign-in)",
        )
        require(
            bool(client.oauth_flows),
            _OWNER,
            f"clients[{client.name}].oauth_flows",
            list(client.oauth_flows),
            "('code',)",
        )
        for url in client.callback_urls:
            _check_redirect_url(client.name, "callback_urls", url)
        for url in client.logout_urls:
            _check_redirect_url(client.name, "logout_urls", url)
        for scope_name in client.scopes:
            _scope(scope_name, client.name)
        oidc = _OIDC_SCOPES.intersection(client.scopes)
        require(
            not oidc or "openid" in client.scopes,
            _OWNER,
            f"clients[{client.name}].scopes",
            list(client.scopes),
            f"{sorted(oidc)} require the 'openid' scope",
        )
    _check_validity(client, "access_token_validity", client.access_token_validity, 5, 1440)
    _check_validity(client, "id_token_validity", client.id_token_validity, 5, 1440)
    _check_validity(
        client, "refresh_token_validity", client.refresh_token_validity, 60, 3650 * 1440
    )
    refresh = (client.refresh_token_validity or Duration.days(30)).to_seconds()
    for prop, duration in (
        ("access_token_validity", client.access_token_validity),
        ("id_token_validity", client.id_token_validity),
    ):
        seconds = (duration or Duration.minutes(60)).to_seconds()
        require(
            seconds <= refresh,
            _OWNER,
            f"clients[{client.name}].{prop}",
            f"{seconds / 60:g} minutes",
            "must not exceed refresh_token_validity",
        )


def _check_validity(
    client: AppClient, prop: str, value: Duration | None, low_min: int, high_min: int
) -> None:
    if value is None:
        return
    minutes = value.to_seconds() / 60
    require(
        low_min <= minutes <= high_min,
        _OWNER,
        f"clients[{client.name}].{prop}",
        f"{minutes:g} minutes",
        f"{low_min} to {high_min} minutes",
    )


def _check_redirect_url(client: str, prop: str, url: str) -> None:
    if Token.is_unresolved(url):
        return
    parsed = urlsplit(url)
    scheme = parsed.scheme.lower()
    secure_web = scheme == "https" and bool(parsed.hostname)
    local_dev = scheme == "http" and parsed.hostname == "localhost"
    native_app = bool(scheme) and scheme not in _UNSAFE_SCHEMES and scheme != "https"
    require(
        (secure_web or local_dev or native_app) and not parsed.fragment,
        _OWNER,
        f"clients[{client}].{prop}",
        url,
        "https:// URLs, http://localhost for development, or a native app scheme "
        "(myapp://callback); no fragment",
    )


def _scope(scope_name: str, client: str = "?") -> cognito.OAuthScope:
    if scope_name in _SCOPES:
        return _SCOPES[scope_name]
    require(
        "/" in scope_name.strip("/"),
        _OWNER,
        f"clients[{client}].scopes",
        scope_name,
        f"one of {sorted(_SCOPES)} or a resource-server scope 'server/scope'",
    )
    return cognito.OAuthScope.custom(scope_name)


def _check_group(group: UserGroup) -> None:
    require(
        bool(_GROUP_NAME.fullmatch(group.name)),
        _OWNER,
        "groups.name",
        group.name,
        "1-128 letters, digits and _.+=,@-",
    )
    require(
        group.precedence is None or group.precedence >= 0,
        _OWNER,
        f"groups[{group.name}].precedence",
        group.precedence,
        "a non-negative integer (0 wins)",
    )


def _check_domain(
    domain_prefix: str | None, custom_domain: str | None, certificate: acm.ICertificate | None
) -> None:
    if domain_prefix is not None and (custom_domain is not None or certificate is not None):
        raise PropError(
            _OWNER,
            "domain_prefix",
            domain_prefix,
            "give a domain_prefix or a custom_domain with a certificate, not both (a pool has "
            "one hosted-UI domain of each kind, and this construct manages one)",
        )
    if domain_prefix is not None:
        try:
            validate_name(ResourceKind.COGNITO_DOMAIN_PREFIX, domain_prefix)
        except PropError as exc:
            raise PropError(_OWNER, "domain_prefix", domain_prefix, exc.allowed) from None
    if custom_domain is not None and certificate is None:
        raise PropError(
            _OWNER, "custom_domain", custom_domain, "custom_domain and certificate go together"
        )
    if certificate is not None and custom_domain is None:
        raise PropError(
            _OWNER,
            "certificate",
            certificate.certificate_arn,
            "custom_domain and certificate go together",
        )
    if certificate is not None:
        region = _certificate_region(certificate)
        require(
            region is None or region == "us-east-1",
            _OWNER,
            "certificate",
            certificate.certificate_arn,
            "Cognito custom domains are served by CloudFront: the ACM certificate must be in "
            "us-east-1 (create it in a us-east-1 stack with cross_region_references=True)",
        )


def _certificate_region(certificate: acm.ICertificate) -> str | None:
    """The certificate's region when known at synth time, else ``None``."""
    arn = certificate.certificate_arn
    if not Token.is_unresolved(arn):
        return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region
    region = certificate.env.region
    return None if Token.is_unresolved(region) else region
