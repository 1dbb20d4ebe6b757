"""What to watch on a Cognito user pool: sign-ins, sign-ups, refreshes and throttles per client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from petplatform_constructs.core.watch import Panel, UserPoolMetrics, WatchPlan
from petplatform_constructs.observability.plans.common import AT_LEAST, alarm_panel

if TYPE_CHECKING:
    from aws_cdk import Duration

__all__ = ["user_pool_plan"]


def user_pool_plan(
    pool: UserPoolMetrics, *, label: str, sign_in_throttles: float, period: Duration
) -> WatchPlan:
    """Sign-in, sign-up and token-refresh successes and sign-in throttles per app client.

    Cognito publishes these per (pool, app client) only, so a pool without clients has nothing
    to show.
    """
    panels: list[Panel] = []
    for client in pool.clients:
        panels.append(
            Panel(
                f"Sign-ins, sign-ups, token refreshes ({client})",
                [
                    pool.metric_sign_in_successes(client=client, period=period),
                    pool.metric_sign_up_successes(client=client, period=period),
                    pool.metric_token_refresh_successes(client=client, period=period),
                ],
            )
        )
        panels.append(
            alarm_panel(
                f"Sign-in throttles ({client})",
                pool.metric_sign_in_throttles(client=client, period=period),
                id=f"SignInThrottles-{client}",
                threshold=sign_in_throttles,
                comparison=AT_LEAST,
                summary=f"Cognito throttled at least {sign_in_throttles:g} sign-in(s) per "
                f"period of app client '{client}' of {label}.",
                runbook="check the UserAuthentication quota in Service Quotas (request "
                "more), and look for credential stuffing from few IPs (threat protection, "
                "WAF rate limits).",
            )
        )
    note = None if panels else "No app clients: Cognito publishes sign-in metrics per client."
    return WatchPlan(kind="UserPool", title=f"Cognito user pool {label}", panels=panels, note=note)
