"""AuthPool: a Cognito user pool, created or existing, with its app clients, groups and domain.

One construct gives an app what it needs to sign users in and to protect an API with their
tokens: email sign-in with verification, a strong password policy, TOTP MFA, groups for
role-based access, OAuth code-flow app clients with short-lived tokens, a hosted-UI domain, and
an optional identity pool for direct AWS access. Prod-like stages retain the pool and turn on
deletion protection, because Cognito has no backup: a deleted pool loses every user.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_cognito_identitypool as identitypool
from aws_cdk import aws_iam as iam
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import require
from petplatform_constructs.core.existing import check_existing, describe
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.identity.auth_pool.pool import create_user_pool
from petplatform_constructs.identity.auth_pool.privileged import MfaGuard, add_mfa_guard
from petplatform_constructs.identity.auth_pool.props import (
    CLIENT_WRITABLE_STANDARD_ATTRIBUTES,
    SHARED_ONLY,
    AuthPoolProps,
)
from petplatform_constructs.identity.auth_pool.validation import (
    AuthPlan,
    ClientPlan,
    plan_auth,
)
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["READ_ACTIONS", "USER_MANAGEMENT_ACTIONS", "USER_POOL_CONSTRUCT_ID", "AuthPool"]

USER_POOL_CONSTRUCT_ID = "UserPool"
"""Construct id of the created ``UserPool`` (or the reference to an existing pool id). Public
contract: never change it, or the pool and every user in it is replaced."""

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


class AuthPool(Construct):
    """A Cognito user pool (created or existing) with app clients, groups, a domain and more.

    Stable construct ids (a public contract: changing them replaces resources):
    ``UserPool`` (:data:`USER_POOL_CONSTRUCT_ID`), ``Client-{name}`` per app client,
    ``Group-{name}`` per group, ``Domain`` (prefix or custom domain), ``IdentityPool``.

    Args:
        scope: parent construct.
        id: construct id.
        existing_user_pool: use this pool (an ``IUserPool``) instead of creating one: only the
            clients, groups, domain and identity pool are created, and only ``clients``,
            ``groups``, ``domain_prefix``, ``custom_domain``, ``certificate``,
            ``identity_pool``, ``export_prefix``, ``stage_profile`` and ``naming`` may come with
            it (the others would configure a pool that this stack does not own). Default:
            create a pool.
        existing_user_pool_id: the same, by pool id. Not with ``existing_user_pool``.
        props: see :class:`AuthPoolProps`; every prop is optional and documents its default.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_user_pool: cognito.IUserPool | None = None,
        existing_user_pool_id: str | None = None,
        **props: Unpack[AuthPoolProps],
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        self.outputs: dict[str, CfnOutput] = {}
        """CfnOutputs by attribute (``UserPoolId``, ``UserPoolArn``, ...)."""
        self.imported = existing_user_pool is not None or existing_user_pool_id is not None
        """Whether this construct uses an existing pool instead of creating one."""
        self.created_user_pool: cognito.UserPool | None = None
        """The created ``UserPool`` (``None`` for an existing pool), for L2-only features such as
        ``add_trigger``."""
        self.mfa_guard: MfaGuard | None = None
        """The pre-token-generation trigger that enforces MFA for ``privileged_groups``, if any."""
        self.privileged_groups: tuple[str, ...] = ()
        """The groups whose members get them in tokens only with MFA enabled."""

        received = receive(self._owner, AuthPoolProps, props)
        problems, valid = received.problems, received.valid
        problems.check(
            existing_user_pool is None or existing_user_pool_id is None,
            "existing_user_pool_id",
            existing_user_pool_id,
            "pass existing_user_pool_id or existing_user_pool, not both",
        )
        problems.check_type(
            "existing_user_pool_id", existing_user_pool_id, str, "a user pool id string"
        )
        problems.check(
            existing_user_pool is None or hasattr(existing_user_pool, "user_pool_id"),
            "existing_user_pool",
            describe(existing_user_pool),
            "an IUserPool, e.g. cognito.UserPool.from_user_pool_id(...); or give the id as "
            "existing_user_pool_id",
        )
        check_existing(
            problems,
            "existing_user_pool_id" if existing_user_pool is None else "existing_user_pool",
            existing_user_pool if existing_user_pool is not None else existing_user_pool_id,
            {k: v for k, v in props.items() if k not in SHARED_ONLY},
        )
        plan = plan_auth(self, problems, valid, wraps=self.imported, rejected=received.rejected)
        problems.raise_if_any()
        assert plan is not None  # no problems, so the plan exists

        if existing_user_pool is not None:
            self.user_pool: cognito.IUserPool = existing_user_pool
            """The pool: the created ``UserPool`` or the existing ``IUserPool``."""
        elif existing_user_pool_id is not None:
            self.user_pool = cognito.UserPool.from_user_pool_id(
                self, USER_POOL_CONSTRUCT_ID, existing_user_pool_id
            )
        else:
            assert plan.pool is not None  # created pools are planned
            profile = StageProfile.of(self, valid.get("stage_profile"))
            self.created_user_pool = create_user_pool(
                self, USER_POOL_CONSTRUCT_ID, plan.pool, valid, profile
            )
            self.user_pool = self.created_user_pool
            self.privileged_groups = plan.pool.privileged_groups
            if plan.pool.privileged_groups:
                self.mfa_guard = add_mfa_guard(
                    self,
                    self.created_user_pool,
                    plan.pool.privileged_groups,
                    profile,
                    plan.pool.mfa_guard_name,
                )
        self._build(plan, valid)

    def _build(self, plan: AuthPlan, props: AuthPoolProps) -> None:
        writable = list(props.get("user_writable_attributes") or ())
        self.clients: dict[str, cognito.UserPoolClient] = {
            client.spec.name: self._add_client(client, writable) for client in plan.clients
        }
        """App clients by name."""
        self.client_ids: list[str] = [c.user_pool_client_id for c in self.clients.values()]
        """Client ids in declaration order (the audience of a JWT authorizer)."""
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
            for spec in plan.groups
        }
        """Groups by name."""
        self.domain = self._add_domain(props)
        """The hosted-UI domain, if any."""
        self.identity_pool: identitypool.IdentityPool | None = None
        """The identity pool, if any."""
        self.authenticated_role: iam.IRole | None = None
        """The role of authenticated identity-pool users, if any."""
        if props.get("identity_pool"):
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
        """The token issuer, ``https://cognito-idp.{region}.amazonaws.com/{pool id}``."""
        export_prefix = props.get("export_prefix")
        if export_prefix is not None:
            self._export(export_prefix)

    # -- creation ---------------------------------------------------------------------------
    def _add_client(self, client: ClientPlan, writable: Sequence[str]) -> cognito.UserPoolClient:
        spec = client.spec
        return cognito.UserPoolClient(
            self,
            f"Client-{spec.name}",
            user_pool=self.user_pool,
            user_pool_client_name=client.client_name,
            generate_secret=spec.generate_secret,
            auth_flows=cognito.AuthFlow(
                user_srp=True, admin_user_password=spec.backend_password_auth or None
            ),
            disable_o_auth=not spec.oauth,
            o_auth=(
                cognito.OAuthSettings(
                    flows=cognito.OAuthFlows(authorization_code_grant=True),
                    scopes=client.scopes,
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
            # Users write their profile, never a custom attribute that was not declared
            # user-writable (authorization attributes such as userType), nor a verified flag.
            write_attributes=cognito.ClientAttributes()
            .with_standard_attributes(**CLIENT_WRITABLE_STANDARD_ATTRIBUTES)
            .with_custom_attributes(*writable),
        )

    def _add_domain(self, props: AuthPoolProps) -> cognito.UserPoolDomain | None:
        prefix, custom = props.get("domain_prefix"), props.get("custom_domain")
        certificate = props.get("certificate")
        if prefix is not None:
            return cognito.UserPoolDomain(
                self,
                "Domain",
                user_pool=self.user_pool,
                cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix),
            )
        if custom is None or certificate is None:
            return None
        return cognito.UserPoolDomain(
            self,
            "Domain",
            user_pool=self.user_pool,
            custom_domain=cognito.CustomDomainOptions(domain_name=custom, certificate=certificate),
        )

    def _export(self, prefix: str) -> None:
        attributes = {
            "UserPoolId": self.user_pool.user_pool_id,
            "UserPoolArn": self.user_pool.user_pool_arn,
        }
        for client_name, client in self.clients.items():
            attributes[f"UserPoolClientId-{client_name}"] = client.user_pool_client_id
        if self.identity_pool is not None:
            attributes["IdentityPoolId"] = self.identity_pool.identity_pool_id
        self.outputs.update(add_exports(self, prefix, attributes))

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
                self._owner,
                "client",
                client,
                f"name the app client; this pool has {sorted(self.clients) or 'none'}",
            )
            client = next(iter(self.clients))
        require(
            client in self.clients,
            self._owner,
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
