"""Per-stage settings of Dog Care that are not stage-profile decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import App

# The seed's deployment strategy (001#44-46): dev and staging share an account, prod has its own.
DEFAULT_ACCOUNTS = {"dev": "111111111111", "staging": "111111111111", "prod": "222222222222"}
_WEB_ORIGINS = {
    "dev": "http://localhost:3000",
    "staging": "https://staging.dogcare.example.com",
    "prod": "https://dogcare.example.com",
}


@dataclass(frozen=True)
class DogCareConfig:
    """Where a stage deploys and who hears about it.

    Args:
        account / region: the stage's AWS environment (prod in its own account).
        web_origin: the web app's origin (CORS, OAuth callback and logout URLs).
        payment_provider_url: the payment provider's API base URL (a sandbox outside prod).
        alarm_emails: who receives alarms and cost alerts.
        waf: per-IP and per-user rate limiting, AWS managed rule groups and request logs with
            WAF (001#42); it costs money, so it is on in the prod-like stages (staging and prod)
            only by default.
        function_concurrency: concurrent executions reserved for (and capping) each function:
            a runaway caller cannot starve the others, nor run up the bill. 25 in prod, which
            has its own account (4 x 25 of the default quota of 1,000 leaves 900 unreserved);
            none in dev and staging, which share an account.
    """

    account: str
    region: str
    web_origin: str
    payment_provider_url: str
    alarm_emails: Sequence[str] = ()
    waf: bool = False
    function_concurrency: int | None = None

    @classmethod
    def for_stage(cls, stage: str, **overrides: object) -> DogCareConfig:
        values: dict[str, object] = {
            "account": DEFAULT_ACCOUNTS[stage],
            "region": "us-east-1",
            "web_origin": _WEB_ORIGINS[stage],
            "payment_provider_url": (
                "https://api.payments.example.com/v1"
                if stage == "prod"
                else "https://sandbox.payments.example.com/v1"
            ),
            "alarm_emails": ("oncall@dogcare.example.com",),
            "waf": stage in ("staging", "prod"),
            "function_concurrency": 25 if stage == "prod" else None,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def from_context(cls, app: App, stage: str) -> DogCareConfig:
        """Read ``-c prod_account=``, ``dev_account``, ``region``, ``payment_provider_url``,
        ``alarm_email``."""
        given: dict[str, object] = {}
        account_key = "prod_account" if stage == "prod" else "dev_account"
        if account := app.node.try_get_context(account_key):
            given["account"] = str(account)
        if region := app.node.try_get_context("region"):
            given["region"] = str(region)
        if url := app.node.try_get_context("payment_provider_url"):
            given["payment_provider_url"] = str(url)
        if email := app.node.try_get_context("alarm_email"):
            given["alarm_emails"] = (str(email),)
        return cls.for_stage(stage, **given)
