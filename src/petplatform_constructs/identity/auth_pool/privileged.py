"""MFA for privileged groups: Cognito requires MFA for everyone or no one, so this does the rest.

With MFA optional, :func:`add_mfa_guard` installs a pre-token-generation trigger (event
V2_0, so the access token is covered as well as the ID token) that removes the privileged
groups from the tokens of a member who has no enabled MFA factor (the handler is
:mod:`petplatform_constructs.runtime.triggers.privileged_mfa`). Its role may call
``cognito-idp:AdminGetUser`` on this pool only, and write its own log group; both are in a
managed policy, not in the role's default policy: a function depends on its default policy and
the pool on the function (its trigger), so the pool's ARN there would close a dependency cycle.
The managed policy depends on the pool and the role, and nothing depends on it (a managed
policy also keeps HIPAA's and NIST's no-inline-policy rules quiet).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.names import ResourceKind, physical_name
from petplatform_constructs.identity.auth_pool.props import AuthPoolProps, UserGroup
from petplatform_constructs.platform.log_encryption import log_key_for
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.runtime.triggers import TRIGGERS_DIRECTORY
from petplatform_constructs.runtime.triggers.privileged_mfa import PRIVILEGED_GROUPS_ENV

__all__ = [
    "MFA_GUARD_CONSTRUCT_ID",
    "MFA_GUARD_POLICY_ID",
    "MfaGuard",
    "add_mfa_guard",
    "check_privileged",
    "guard_function_name",
    "plan_mfa",
]

MFA_GUARD_CONSTRUCT_ID = "MfaGuard"
"""Construct id of the trigger function's construct (its ``Handler``, ``Role``, ``LogGroup``)."""
MFA_GUARD_POLICY_ID = "Policy"
"""Construct id (under :data:`MFA_GUARD_CONSTRUCT_ID`) of the function's managed policy."""
_HANDLER = "privileged_mfa.handler"


class MfaGuard:
    """What :func:`add_mfa_guard` built: the trigger function, its role, policy and logs."""

    def __init__(
        self,
        function: lambda_.Function,
        role: iam.Role,
        policy: iam.ManagedPolicy,
        log_group: logs.LogGroup,
    ) -> None:
        self.function, self.role, self.policy, self.log_group = function, role, policy, log_group


def plan_mfa(
    problems: Problems, props: AuthPoolProps, *, prod_like: bool, reason: str | None
) -> tuple[cognito.Mfa, tuple[str, ...]]:
    """The pool's MFA mode and privileged groups: required in prod-like stages, optional with
    privileged groups (MFA enforced for them) or with an opt-out ``reason``."""
    privileged = tuple(props.get("privileged_groups") or ())
    required_by_default = prod_like and reason is None and not privileged
    mfa = props.get("mfa") or (
        cognito.Mfa.REQUIRED if required_by_default else cognito.Mfa.OPTIONAL
    )
    problems.check(
        not prod_like or mfa is cognito.Mfa.REQUIRED or reason is not None or bool(privileged),
        "mfa",
        mfa,
        "Mfa.REQUIRED in a prod-like stage, Mfa.OPTIONAL with privileged_groups (MFA "
        "enforced for them), or say why not in mfa_opt_out_reason",
    )
    check_privileged(problems, privileged, props.get("groups"), mfa)
    problems.check(
        not (mfa is cognito.Mfa.REQUIRED and reason is not None),
        "mfa_opt_out_reason",
        reason,
        "only with mfa OPTIONAL or OFF: MFA is required",
    )
    return mfa, privileged


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
    for group in groups or ():
        if isinstance(group, UserGroup) and group.name in privileged:
            problems.check(
                group.role is None,
                f"groups[{group.name}].role",
                group.role,
                "a privileged group carries no IAM role: the trigger removes the group from "
                "tokens, and its role would stay in cognito:roles and cognito:preferred_role",
            )
    for name in privileged:
        problems.check(
            name in declared,
            "privileged_groups",
            name,
            f"names of the pool's groups: {sorted(declared) or 'none declared in groups'}",
        )


def guard_function_name(
    scope: IConstruct, problems: Problems, pool_name: str | None, naming: Naming | None
) -> str | None:
    """``{pool name}-mfa-guard`` through the naming strategy, or ``None`` (generated)."""
    if pool_name is None or naming is None:
        return None
    return physical_name(
        scope,
        problems,
        ResourceKind.LAMBDA_FUNCTION,
        name=f"{pool_name}-mfa-guard",
        literal=None,
        literal_prop="name",
        strategy=lambda: naming,
    )


def add_mfa_guard(
    scope: Construct,
    pool: cognito.UserPool,
    groups: Sequence[str],
    profile: StageProfile,
    function_name: str | None,
) -> MfaGuard:
    """The trigger that keeps ``groups`` out of tokens of users without MFA, on ``pool``.

    Children of ``MfaGuard``: ``LogGroup`` (the stage's retention), ``Role``, ``Policy`` (write
    to that log group, ``AdminGetUser`` on ``pool``; a managed policy, see the module) and
    ``Handler``. No X-Ray: the trigger makes one call and logs what it removes.
    """
    guard = Construct(scope, MFA_GUARD_CONSTRUCT_ID)
    log_group = logs.LogGroup(
        guard,
        "LogGroup",
        log_group_name=f"/aws/lambda/{function_name}" if function_name else None,
        retention=profile.log_retention,
        removal_policy=profile.removal_policy,
        deletion_protection_enabled=profile.deletion_protection,
        # The stack's shared log key in prod-like stages, as for every library log group.
        encryption_key=log_key_for(guard, None, profile),
    )
    role = iam.Role(
        guard,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description="Execution role of the MFA guard: its log group and AdminGetUser on its pool",
    )
    policy = iam.ManagedPolicy(
        guard,
        MFA_GUARD_POLICY_ID,
        description="Write the MFA guard's logs; look users up in its user pool only",
        roles=[role],
        statements=[
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            ),
            iam.PolicyStatement(
                actions=["cognito-idp:AdminGetUser"], resources=[pool.user_pool_arn]
            ),
        ],
    )
    function = lambda_.Function(
        guard,
        "Handler",
        code=lambda_.Code.from_asset(
            str(TRIGGERS_DIRECTORY), exclude=["__pycache__", "*.pyc", ".*_cache"]
        ),
        handler=_HANDLER,
        # Standard library only, so it follows the newest Python this CDK knows.
        runtime=_latest_python(),
        memory_size=256,
        # Cognito waits at most 5 seconds for a trigger.
        timeout=Duration.seconds(5),
        function_name=function_name,
        description="Removes privileged groups from the tokens of users without MFA",
        role=role,
        log_group=log_group,
        logging_format=lambda_.LoggingFormat.JSON,
        environment={PRIVILEGED_GROUPS_ENV: json.dumps(list(groups))},
    )
    pool.add_trigger(
        cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
        function,
        cognito.LambdaVersion.V2_0,
    )
    return MfaGuard(function, role, policy, log_group)


def _latest_python() -> lambda_.Runtime:
    pythons = [r for r in lambda_.Runtime.ALL if re.fullmatch(r"python3\.\d+", r.name) is not None]
    return max(pythons, key=lambda r: int(r.name.split(".")[1]))
