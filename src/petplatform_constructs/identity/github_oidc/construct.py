"""GithubOidc: passwordless GitHub Actions deployments through IAM's OIDC federation.

A workflow exchanges its GitHub OIDC token for short-lived credentials of a deploy role
(``sts:AssumeRoleWithWebIdentity``), so no AWS access key lives in GitHub. The role trusts
only the audience ``sts.amazonaws.com`` and the ``sub`` claims given (a repository and a
branch, tag, environment or pull request), and by default may do one thing: assume the CDK
bootstrap roles of the given accounts and regions, which hold the deployment permissions.
"""

from __future__ import annotations

from collections.abc import Iterator

import jsii
from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import require
from petplatform_constructs.core.existing import check_existing
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.iam import as_list
from petplatform_constructs.core.props import receive
from petplatform_constructs.identity.github_oidc.props import (
    AUDIENCE,
    GITHUB_ISSUER,
    PROVIDER_ONLY,
    GithubOidcProps,
)
from petplatform_constructs.identity.github_oidc.validation import RolePlan, plan_oidc
from petplatform_constructs.platform.compliance import Finding, acknowledge_after_resolution
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "BOOTSTRAP_ASSUME_ACTIONS",
    "ECR_PUSH_ACTIONS",
    "PROVIDER_CONSTRUCT_ID",
    "GithubOidc",
]

PROVIDER_CONSTRUCT_ID = "Provider"
"""Construct id of the ``AWS::IAM::OIDCProvider`` (or of the reference to an existing one)."""
BOOTSTRAP_ASSUME_ACTIONS: tuple[str, ...] = ("sts:AssumeRole",)
"""What a deploy role may do with the CDK bootstrap roles (plus ``sts:TagSession`` if asked)."""
ECR_PUSH_ACTIONS: tuple[str, ...] = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
"""What :meth:`GithubOidc.grant_ecr_push` allows on the repository (``docker push``)."""
_TOKEN_ACTION = "ecr:GetAuthorizationToken"
_TOKEN_REASON = (
    "ecr:GetAuthorizationToken (docker login) supports no resource-level permission, so AWS "
    "requires Resource '*'; the token only authenticates, and the push actions are granted on "
    "the named repositories alone"
)


@jsii.implements(iam.IPrincipal)
class _PolicyPrincipal:
    """A deploy role as a principal whose statements go to the library's policy of that role."""

    def __init__(self, owner: GithubOidc, key: str) -> None:
        self._owner, self._key = owner, key
        self._role = owner.roles[key]

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self

    @property
    def assume_role_action(self) -> str:
        return self._role.assume_role_action

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        return self._role.policy_fragment

    @property
    def principal_account(self) -> str | None:
        return self._role.principal_account

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        return self.add_to_principal_policy(statement).statement_added

    def add_to_principal_policy(
        self, statement: iam.PolicyStatement
    ) -> iam.AddToPrincipalPolicyResult:
        policy = self._owner._library_policy(self._key)
        policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=policy)


class GithubOidc(Construct):
    """The GitHub Actions OIDC provider (created or existing) and deploy roles trusted by it.

    Stable construct ids (renaming one replaces the resource and changes its ARN):
    ``Provider`` (:data:`PROVIDER_CONSTRUCT_ID`), ``Role-{name}`` per deploy role and its
    ``Permissions-{name}`` policy, and the outputs ``ProviderArnOutput`` and
    ``RoleArn-{name}Output``.

    Args:
        scope: parent construct.
        id: construct id.
        existing_provider: trust this provider (an ``iam.IOidcProvider`` for
            ``token.actions.githubusercontent.com``) instead of creating one; IAM allows one
            provider per URL per account. ``thumbprints`` and ``removal_policy`` are refused
            with it. Default: create the provider.
        existing_provider_arn: the same, by ARN; :meth:`provider_arn_of` gives the account's.
        props: see :class:`GithubOidcProps`; ``roles`` is required.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_provider: iam.IOidcProvider | iam.IOpenIdConnectProvider | None = None,
        existing_provider_arn: str | None = None,
        **props: Unpack[GithubOidcProps],
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        self.outputs: dict[str, CfnOutput] = {}
        """CfnOutputs by attribute (``ProviderArn``, ``RoleArn-{name}``)."""
        self.imported = existing_provider is not None or existing_provider_arn is not None
        """Whether the roles trust an existing provider instead of a created one."""

        received = receive(self._owner, GithubOidcProps, props)
        problems, valid = received.problems, received.valid
        existing_prop = (
            "existing_provider" if existing_provider is not None else "existing_provider_arn"
        )
        check_existing(
            problems,
            existing_prop,
            existing_provider if existing_provider is not None else existing_provider_arn,
            {k: v for k, v in props.items() if k in PROVIDER_ONLY},
        )
        plan = plan_oidc(
            self,
            problems,
            valid,
            existing_provider=existing_provider,
            existing_provider_arn=existing_provider_arn,
            rejected=received.rejected,
        )
        problems.raise_if_any()
        assert plan is not None  # no problems, so the plan exists

        if existing_provider is not None:
            self.provider_arn: str = existing_provider.open_id_connect_provider_arn
            """The ARN of the provider the roles trust."""
        elif existing_provider_arn is not None:
            self.provider_arn = iam.OidcProviderNative.from_oidc_provider_arn(
                self, PROVIDER_CONSTRUCT_ID, existing_provider_arn
            ).oidc_provider_arn
        else:
            removal_policy = valid.get("removal_policy")
            provider = iam.OidcProviderNative(
                self,
                PROVIDER_CONSTRUCT_ID,
                url=f"https://{GITHUB_ISSUER}",
                client_ids=[AUDIENCE],
                thumbprints=list(plan.thumbprints) or None,
                removal_policy=removal_policy
                or StageProfile.of(self, valid.get("stage_profile")).removal_policy,
            )
            self.provider_arn = provider.oidc_provider_arn
        self.roles: dict[str, iam.Role] = {}
        """Deploy roles by name."""
        self.policies: dict[str, iam.ManagedPolicy] = {}
        """The policy of each role with the statements the library writes, by role name."""
        for role in plan.roles:
            self._add_role(role)
        export_prefix = valid.get("export_prefix")
        if export_prefix is not None:
            attributes = {"ProviderArn": self.provider_arn}
            attributes.update({f"RoleArn-{k}": r.role_arn for k, r in self.roles.items()})
            self.outputs.update(add_exports(self, export_prefix, attributes))
        acknowledge_after_resolution(self, self._token_findings)

    @staticmethod
    def provider_arn_of(scope: Construct, account: str | None = None) -> str:
        """The ARN of the GitHub provider of ``account`` (default: ``scope``'s stack's)."""
        return Stack.of(scope).format_arn(
            service="iam",
            region="",
            account=account,
            resource="oidc-provider",
            resource_name=GITHUB_ISSUER,
        )

    # -- roles ------------------------------------------------------------------------------
    def _add_role(self, plan: RolePlan) -> None:
        spec = plan.spec
        subject_key, audience_key = f"{GITHUB_ISSUER}:sub", f"{GITHUB_ISSUER}:aud"
        subjects = [*plan.exact, *plan.patterns]
        conditions: dict[str, dict[str, object]] = {"StringEquals": {audience_key: AUDIENCE}}
        # StringEquals unless a subject is a pattern: then StringLike, for all of them (two
        # operators on one key would both have to match).
        operator = "StringLike" if plan.patterns else "StringEquals"
        conditions.setdefault(operator, {})[subject_key] = (
            subjects[0] if len(subjects) == 1 else subjects
        )
        repositories = sorted({s.removeprefix("repo:").split(":")[0] for s in subjects})
        role = iam.Role(
            self,
            f"Role-{spec.name}",
            assumed_by=iam.WebIdentityPrincipal(self.provider_arn, conditions),
            role_name=plan.role_name,
            description=spec.description
            or f"GitHub Actions deploy role of {', '.join(repositories)}"[:1000],
            max_session_duration=spec.max_session_duration or Duration.hours(1),
            managed_policies=list(spec.managed_policies) or None,
        )
        self.roles[spec.name] = role
        for statement in spec.policy_statements:
            role.add_to_policy(statement)
        stack = Stack.of(self)
        targets = [
            stack.format_arn(
                service="iam",
                region="",
                account=account,
                resource="role",
                resource_name=f"cdk-{spec.qualifier}-{kind}-role-{account}-{region}",
            )
            for account in spec.accounts or (stack.account,)
            for region in spec.regions or (stack.region,)
            for kind in spec.bootstrap_roles
        ]
        if targets:
            actions = [
                *BOOTSTRAP_ASSUME_ACTIONS,
                *(("sts:TagSession",) if spec.tag_session else ()),
            ]
            self._library_policy(spec.name).add_statements(
                iam.PolicyStatement(
                    sid="AssumeCdkBootstrapRoles", actions=actions, resources=targets
                )
            )

    def _library_policy(self, key: str) -> iam.ManagedPolicy:
        if key not in self.policies:
            self.policies[key] = iam.ManagedPolicy(
                self,
                f"Permissions-{key}",
                description=f"What GitHub Actions deploy role {key} may do",
                roles=[self.roles[key]],
            )
        return self.policies[key]

    def _role_key(self, role: str | None) -> str:
        if role is None:
            require(
                len(self.roles) == 1,
                self._owner,
                "role",
                role,
                f"name the deploy role; this construct has {sorted(self.roles)}",
            )
            return next(iter(self.roles))
        require(role in self.roles, self._owner, "role", role, f"one of {sorted(self.roles)}")
        return role

    # -- grants -----------------------------------------------------------------------------
    def grant_ecr_push(self, repository: ecr.IRepository, *, role: str | None = None) -> iam.Grant:
        """Let deploy role ``role`` push images to ``repository`` (and ``docker login``).

        ``role`` may be left out when there is one deploy role.
        """
        principal = _PolicyPrincipal(self, self._role_key(role))
        grant = iam.Grant.add_to_principal(
            grantee=principal,
            actions=list(ECR_PUSH_ACTIONS),
            resource_arns=[repository.repository_arn],
        )
        token = iam.Grant.add_to_principal(
            grantee=principal, actions=[_TOKEN_ACTION], resource_arns=["*"]
        )
        return grant.combine(token)

    # -- compliance -------------------------------------------------------------------------
    def _token_findings(self) -> Iterator[Finding]:
        """``Resource::*`` on a library policy whose only ``*`` statement is the ECR token."""
        for policy in self.policies.values():
            cfn = policy.node.default_child
            if not isinstance(cfn, iam.CfnManagedPolicy):
                continue
            statements = Stack.of(policy).resolve(cfn.policy_document).get("Statement", [])
            on_star = [s for s in statements if "*" in as_list(s.get("Resource"))]
            if on_star and all(as_list(s.get("Action")) == [_TOKEN_ACTION] for s in on_star):
                yield cfn, "AwsSolutions-IAM5[Resource::*]", _TOKEN_REASON
