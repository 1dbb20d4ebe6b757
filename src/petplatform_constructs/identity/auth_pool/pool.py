"""The user pool an AuthPool creates: its settings, and the findings they make on purpose."""

from __future__ import annotations

from typing import cast

from aws_cdk import Annotations, Duration
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from petplatform_constructs.identity.auth_pool.props import AuthPoolProps
from petplatform_constructs.identity.auth_pool.validation import PoolPlan
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["create_user_pool"]


def create_user_pool(
    scope: Construct, id: str, plan: PoolPlan, props: AuthPoolProps, profile: StageProfile
) -> cognito.UserPool:
    """The ``UserPool`` of ``plan``: email sign-in, strong passwords, TOTP, stage protection.

    cdk-nag findings that the settings make on purpose (optional MFA, no PLUS plan, the SMS
    role's ``Resource::*``) are acknowledged on the resource they concern, with their reason.
    """
    threat_protection = plan.threat_protection
    deletion_protection = props.get("deletion_protection")
    removal_policy = props.get("removal_policy")
    pool = cognito.UserPool(
        scope,
        id,
        user_pool_name=plan.name,
        self_sign_up_enabled=bool(props.get("self_sign_up")),
        sign_in_aliases=cognito.SignInAliases(email=True),
        # Emails are case-insensitive in practice; Alice@ and alice@ must be one user.
        sign_in_case_sensitive=False,
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        # An unverified new address must not replace the verified one (account takeover).
        keep_original=cognito.KeepOriginalAttrs(email=True),
        standard_attributes=cognito.StandardAttributes(
            email=cognito.StandardAttribute(required=True, mutable=True)
        ),
        custom_attributes=dict(props.get("custom_attributes") or {}) or None,
        user_verification=cognito.UserVerificationConfig(
            email_style=cognito.VerificationEmailStyle.CODE
        ),
        account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
        password_policy=cognito.PasswordPolicy(
            min_length=plan.password_min_length,
            require_lowercase=True,
            require_uppercase=True,
            require_digits=True,
            require_symbols=True,
            temp_password_validity=Duration.days(plan.temporary_password_validity_days),
        ),
        mfa=plan.mfa,
        mfa_second_factor=(
            None
            if plan.mfa is cognito.Mfa.OFF
            else cognito.MfaSecondFactor(otp=True, sms=plan.mfa_sms)
        ),
        enable_sms_role=plan.mfa_sms,
        email=props.get("email"),
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
    _acknowledge(pool, plan, threat_protection)
    return pool


def _acknowledge(
    pool: cognito.UserPool,
    plan: PoolPlan,
    threat_protection: cognito.StandardThreatProtectionMode | None,
) -> None:
    cfn_pool = cast(cognito.CfnUserPool, pool.node.default_child)
    if plan.mfa is not cognito.Mfa.REQUIRED:
        reason = plan.mfa_reason or (
            "a stage that is not prod-like: MFA is optional (every user can enrol TOTP) and "
            "required by default in prod-like stages"
        )
        if plan.privileged_groups:
            reason = (
                f"MFA is enforced for the privileged groups {list(plan.privileged_groups)}: a "
                "pre-token-generation trigger removes them from the ID and access tokens of a "
                "member without an enabled MFA factor; optional for other users"
                + (f" ({plan.mfa_reason})" if plan.mfa_reason else "")
            )
        acknowledge(cfn_pool, "AwsSolutions-COG2", f"MFA {plan.mfa.name}: {reason}")
        if plan.prod_like and not plan.privileged_groups:
            Annotations.of(pool).add_warning_v2(
                "petplatform:mfa-not-required",
                f"MFA is not required in a prod-like stage (mfa={plan.mfa.name}): {reason}",
            )
    if threat_protection is None:
        reason = plan.threat_reason or (
            "a stage that is not prod-like: threat protection (the PLUS plan, billed per "
            "monthly active user) is on by default in prod-like stages only"
        )
        acknowledge(cfn_pool, "AwsSolutions-COG8", f"threat protection off: {reason}")
        if plan.prod_like:
            Annotations.of(pool).add_warning_v2(
                "petplatform:threat-protection-off",
                f"threat protection is off in a prod-like stage: {reason}",
            )
    sms_role = pool.node.try_find_child("smsRole") if plan.mfa_sms else None
    if sms_role is not None:
        acknowledge(
            sms_role,
            "AwsSolutions-IAM5[Resource::*]",
            "Cognito publishes SMS codes straight to phone numbers, which have no ARN, so "
            "sns:Publish needs Resource '*'; only cognito-idp can assume the role, with an "
            "external id",
        )
