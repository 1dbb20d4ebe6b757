"""MFA for privileged groups: Cognito requires MFA for everyone or no one, so this does the rest.

With MFA optional, :func:`add_mfa_guard` installs a pre-token-generation trigger (event
V2_0, so the access token is covered as well as the ID token) that removes the privileged
groups from the tokens of a member who has no enabled MFA factor (the handler is
:mod:`petplatform_constructs.runtime.triggers.privileged_mfa`). Its role may call
``cognito-idp:AdminGetUser`` on this pool only. That statement is in a managed policy of its
own, not in the function's default policy: the function depends on its default policy, the
pool on the function (its trigger), so a policy naming the pool's ARN there would close a
dependency cycle. A separate policy depends on the pool and the role, and nothing depends on
it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.identity.auth_pool.props import UserGroup
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.runtime.triggers import TRIGGERS_DIRECTORY
from petplatform_constructs.runtime.triggers.privileged_mfa import PRIVILEGED_GROUPS_ENV

__all__ = [
    "MFA_GUARD_CONSTRUCT_ID",
    "MFA_GUARD_POLICY_ID",
    "MfaGuard",
    "add_mfa_guard",
    "check_privileged",
]

MFA_GUARD_CONSTRUCT_ID = "MfaGuard"
"""Construct id of the trigger function's construct (its ``Handler``, ``Role``, ``LogGroup``)."""
MFA_GUARD_POLICY_ID = "UserLookup"
"""Construct id (under :data:`MFA_GUARD_CONSTRUCT_ID`) of the ``AdminGetUser`` policy."""
_HANDLER = "privileged_mfa.handler"


class MfaGuard:
    """What :func:`add_mfa_guard` built: the trigger function, its role and lookup policy."""

    def __init__(
        self, function: lambda_.Function, role: iam.Role, policy: iam.ManagedPolicy
    ) -> None:
        self.function, self.role, self.policy = function, role, policy


def check_privileged(
    problems: Problems,
    privileged: Sequence[str],
    groups: Sequence[UserGroup | str] | None,
    mfa: cognito.Mfa,
) -> None:
    """Record a problem unless each privileged group is declared and MFA is optional."""
    if not privileged:
        return
    problems.check(
        mfa is cognito.Mfa.OPTIONAL,
        "privileged_groups",
        list(privileged),
        f"needs mfa=Mfa.OPTIONAL (got {mfa.name}): with REQUIRED every user already has MFA, "
        "and with OFF no member could enrol a factor and get the group",
    )
    declared = {g.name if isinstance(g, UserGroup) else g for g in groups or ()}
    for name in privileged:
        problems.check(
            name in declared,
            "privileged_groups",
            name,
            f"names of the pool's groups: {sorted(declared) or 'none declared in groups'}",
        )


def add_mfa_guard(
    scope: Construct, pool: cognito.UserPool, groups: Sequence[str], profile: StageProfile
) -> MfaGuard:
    """The trigger that keeps ``groups`` out of tokens of users without MFA, on ``pool``."""
    # Loaded here: only pools with privileged groups need the function machinery.
    from petplatform_constructs.compute.serverless_api import ApiFunction, FunctionSpec

    built = ApiFunction(
        scope,
        MFA_GUARD_CONSTRUCT_ID,
        spec=FunctionSpec(
            name="mfa-guard",
            code_path=TRIGGERS_DIRECTORY,
            handler=_HANDLER,
            memory_mb=256,
            description="Removes privileged groups from the tokens of users without MFA",
        ),
        function_name=None,
        # Cognito waits at most 5 seconds for a trigger.
        timeout=Duration.seconds(5),
        environment={PRIVILEGED_GROUPS_ENV: json.dumps(list(groups))},
        profile=profile,
    )
    policy = iam.ManagedPolicy(
        built,
        MFA_GUARD_POLICY_ID,
        description="Look up a user's MFA settings in this user pool only",
        roles=[built.role],
        statements=[
            iam.PolicyStatement(
                actions=["cognito-idp:AdminGetUser"], resources=[pool.user_pool_arn]
            )
        ],
    )
    pool.add_trigger(
        cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
        built.function,
        cognito.LambdaVersion.V2_0,
    )
    return MfaGuard(built.function, built.role, policy)
