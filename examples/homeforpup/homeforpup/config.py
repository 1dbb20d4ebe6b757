"""Per-stage settings of HomeForPup that are not stage-profile decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from aws_cdk import App

ImageAccess = Literal["cdn", "public"]

_WEB_ORIGINS: Mapping[str, str] = {
    "dev": "http://localhost:3000",
    "staging": "https://staging.homeforpup.com",
    "prod": "https://homeforpup.com",
}


@dataclass(frozen=True)
class HomeForPupConfig:
    """What differs between deployments besides the stage profile.

    Args:
        web_origin: the web app's origin: CORS origin of the image bucket, and the base of the
            OAuth callback and logout URLs.
        image_access: ``"cdn"`` (private bucket behind CloudFront with OAC, the default) or
            ``"public"`` (the seed's public-read bucket; needs account-level Block Public
            Access off, see the README).
        user_pool_id: import this existing user pool instead of creating one (000#33).
        alarm_email: who receives the alarms of every stack (none by default).
        cloudtrail_log_group: the CloudWatch Logs group a CloudTrail trail delivers to; when
            given, the IAM stack alerts on access-denied errors (000#62, conflict 39).
        auth_domain / auth_certificate_arn: a custom hosted-UI domain and its us-east-1
            certificate (000#41); otherwise the ``homeforpup{suffix}`` prefix domain.
    """

    web_origin: str
    image_access: ImageAccess = "cdn"
    user_pool_id: str | None = None
    auth_domain: str | None = None
    auth_certificate_arn: str | None = None
    alarm_email: str | None = None
    cloudtrail_log_group: str | None = None

    @classmethod
    def for_stage(cls, stage: str, **overrides: str | None) -> HomeForPupConfig:
        return cls(web_origin=_WEB_ORIGINS[stage], **overrides)  # type: ignore[arg-type]

    @classmethod
    def from_context(cls, app: App, stage: str) -> HomeForPupConfig:
        """Read ``-c image_access=public -c user_pool_id=... -c auth_domain=...``."""
        keys = (
            "image_access",
            "user_pool_id",
            "auth_domain",
            "auth_certificate_arn",
            "alarm_email",
            "cloudtrail_log_group",
        )
        given = {k: v for k in keys if (v := app.node.try_get_context(k))}
        return cls.for_stage(stage, **given)
