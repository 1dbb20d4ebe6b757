"""Cognito stack: the user pool (created or imported), its web client and domain (000#33-42)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from petplatform_constructs import AppClient, AuthPool, Naming
from petplatform_constructs.platform.naming import ResourceKind
from petplatform_constructs.platform.tagging import apply_standard_tags

from .config import HomeForPupConfig
from .monitoring import monitor


class CognitoStack(Stack):
    """Email sign-in, ``custom:userType``, strong passwords, optional TOTP MFA, OAuth code flow."""

    def __init__(self, scope: Construct, id: str, *, config: HomeForPupConfig) -> None:
        super().__init__(scope, id, description="HomeForPup authentication (Cognito)")
        apply_standard_tags(self, service="cognito")
        certificate = (
            acm.Certificate.from_certificate_arn(
                self, "AuthCertificate", config.auth_certificate_arn
            )
            if config.auth_certificate_arn
            else None
        )
        self.auth = AuthPool(
            self,
            "Auth",
            existing_user_pool_id=config.user_pool_id,
            name=None if config.user_pool_id else "homeforpup-users",
            # A consumer marketplace: adopters and breeders register themselves.
            self_sign_up=None if config.user_pool_id else True,
            # Required MFA would put a TOTP enrolment in front of every adopter's first visit;
            # the seed keeps it optional (every user can enrol) and says so in prod.
            mfa_opt_out_reason=(
                None
                if config.user_pool_id
                else "consumer marketplace: adopters and breeders sign themselves up, and TOTP "
                "is optional so that sign-up stays frictionless; every user can enrol it, and "
                "the password policy, email verification and threat protection still apply"
            ),
            # Immutable once created (conflict 4): declared once, never changed.
            custom_attributes=(
                None
                if config.user_pool_id
                else {"userType": cognito.StringAttribute(min_len=1, max_len=32, mutable=True)}
            ),
            clients=[
                AppClient(
                    "web",
                    callback_urls=[f"{config.web_origin}/auth/callback"],
                    logout_urls=[f"{config.web_origin}/"],
                )
            ],
            # Prefixes are global per region (conflict 5): homeforpup, homeforpup-staging, ...
            domain_prefix=(
                None
                if config.auth_domain
                else Naming.of(self).name("homeforpup", ResourceKind.COGNITO_DOMAIN_PREFIX)
            ),
            custom_domain=config.auth_domain,
            certificate=certificate,
            export_prefix=self.stack_name,
        )
        # Sign-in, sign-up and token-refresh metrics, and a sign-in throttling alarm (000#61).
        self.monitoring = monitor(self, "cognito", config, self.auth)
