"""The seed's recommended CloudWatch set-up (000#59-62), one pack per stack.

Each stack watches what it owns, with its own alert topic, so the four stacks stay independently
deployable (000#1). Alarms follow the stage profile: none in dev, on in staging and prod.
"""

from __future__ import annotations

from aws_cdk import Stack

from petplatform_constructs import ObservabilityPack, Watchable

from .config import HomeForPupConfig


def monitor(
    stack: Stack,
    family: str,
    config: HomeForPupConfig,
    *watch: Watchable,
    access_denied_log_group: str | None = None,
) -> ObservabilityPack:
    """A dashboard, alarms and an alert topic for ``watch`` in ``stack``."""
    return ObservabilityPack(
        stack,
        "Monitoring",
        name=f"homeforpup-{family}",
        alarm_email_addresses=[config.alarm_email] if config.alarm_email else [],
        watch=watch,
        access_denied_log_group=access_denied_log_group,
    )
