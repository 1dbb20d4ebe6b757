"""On-call channels of an alert topic besides email: Slack (through AWS Chatbot, now Amazon Q
Developer in chat applications) and HTTPS endpoints such as PagerDuty's Events API.

The Slack workspace must be authorized once in the Chatbot console before the channel
configuration can deploy; the workspace and channel ids come from there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_chatbot as chatbot
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.props import check_fields

__all__ = ["SLACK_CONSTRUCT_ID", "SlackChannel", "check_channels", "subscribe_channels"]

SLACK_CONSTRUCT_ID = "Slack"
"""Construct id of the Chatbot Slack channel configuration (children ``Role``, ``Channel``)."""
_WORKSPACE = re.compile(r"[0-9A-Z]{1,255}")
_CHANNEL = re.compile(r"[A-Za-z0-9]{1,255}")
_CONFIG_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
# Chatbot's guardrail: what any Slack user of the channel could do through it, at most.
_GUARDRAIL = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"


@dataclass(frozen=True)
class SlackChannel:
    """A Slack channel that receives every alarm.

    Args:
        workspace_id: the authorized workspace (team) id, e.g. ``T0123ABCD``.
        channel_id: the channel id, e.g. ``C0123ABCD`` (channel details, bottom).
        configuration_name: name of the Chatbot configuration, unique per account.
    """

    workspace_id: str
    channel_id: str
    configuration_name: str


def check_channels(
    problems: Problems, slack: SlackChannel | None, https_endpoints: Sequence[str]
) -> None:
    """Record every problem of the Slack channel and the HTTPS endpoints."""
    if slack is not None and not check_fields(problems, "slack_channel", slack):
        for field, pattern, allowed in (
            ("workspace_id", _WORKSPACE, "uppercase letters and digits (e.g. T0123ABCD)"),
            ("channel_id", _CHANNEL, "letters and digits (e.g. C0123ABCD)"),
            ("configuration_name", _CONFIG_NAME, "1-128 letters, digits, '_' and '-'"),
        ):
            value = getattr(slack, field)
            problems.check(bool(pattern.fullmatch(value)), f"slack_channel.{field}", value, allowed)
    for endpoint in https_endpoints:
        problems.check(
            isinstance(endpoint, str) and endpoint.startswith("https://"),
            "alarm_https_endpoints",
            endpoint,
            "an https:// URL (e.g. https://events.pagerduty.com/integration/<key>/enqueue)",
        )


def subscribe_channels(
    scope: Construct,
    topic: sns.ITopic,
    slack: SlackChannel | None,
    https_endpoints: Sequence[str],
) -> chatbot.CfnSlackChannelConfiguration | None:
    """Subscribe each HTTPS endpoint to ``topic``, and configure the Slack channel."""
    for endpoint in https_endpoints:
        topic.add_subscription(subscriptions.UrlSubscription(endpoint))
    if slack is None:
        return None
    holder = Construct(scope, SLACK_CONSTRUCT_ID)
    # Notifications need no permission: the role only exists because Chatbot requires one.
    role = iam.Role(
        holder,
        "Role",
        assumed_by=iam.ServicePrincipal("chatbot.amazonaws.com"),
        description="AWS Chatbot channel role: posts alarm notifications, runs no command",
    )
    return chatbot.CfnSlackChannelConfiguration(
        holder,
        "Channel",
        configuration_name=slack.configuration_name,
        iam_role_arn=role.role_arn,
        slack_workspace_id=slack.workspace_id,
        slack_channel_id=slack.channel_id,
        sns_topic_arns=[topic.topic_arn],
        guardrail_policies=[_GUARDRAIL],
        logging_level="ERROR",
    )
