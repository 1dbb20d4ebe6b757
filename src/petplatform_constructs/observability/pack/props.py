"""ObservabilityPack's props, declared once, and what ``watch`` accepts.

The existing-resource prop, ``alert_topic``, is a keyword of the constructor; it excludes the
props in :data:`TOPIC_CREATION_PROPS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias, TypedDict

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

from petplatform_constructs.core.resources import HasTable
from petplatform_constructs.core.watch import Observable
from petplatform_constructs.observability.channels import SlackChannel
from petplatform_constructs.observability.settings import AlarmThresholds, AlarmWindow, BudgetSpec
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["TOPIC_CREATION_PROPS", "ObservabilityPackProps", "Watchable"]

Watchable: TypeAlias = (
    Observable
    | dynamodb.ITable
    | dynamodb.ITableV2
    | HasTable
    | lambda_.IFunction
    | sqs.IQueue
    | apigateway.IRestApi
    | apigatewayv2.IHttpApi
    | cloudfront.IDistribution
)
"""Anything :meth:`ObservabilityPack.watch` accepts: a construct implementing
:class:`~petplatform_constructs.core.watch.Observable` (every construct of this library that has
something to watch), a table (or a wrapper of one), a function, a queue, an API or a CloudFront
distribution."""


class ObservabilityPackProps(TypedDict, total=False):
    """Every prop of :class:`~petplatform_constructs.ObservabilityPack`. All optional."""

    name: str
    """Short name of the topic and the dashboard, through the naming strategy in scope (used
    literally when the app has none). Default: CloudFormation-generated names."""
    alarm_email_addresses: Sequence[str]
    """Email subscriptions of the created topic; each address confirms the subscription from
    AWS's email. Default none."""
    alarm_https_endpoints: Sequence[str]
    """HTTPS subscriptions of the created topic, e.g. PagerDuty's
    ``https://events.pagerduty.com/integration/<key>/enqueue``. Default none."""
    slack_channel: SlackChannel
    """A Slack channel (AWS Chatbot) that receives every alarm of the created topic; the
    workspace must be authorized in the Chatbot console first. Default none."""
    topic_name: str
    """Literal topic name, validated; overrides ``name`` for the topic. Default: from ``name``."""
    encryption_key: kms.IKey
    """KMS key of the created topic. Default: a new key with rotation, retained in prod-like
    stages (the AWS-managed ``alias/aws/sns`` key cannot work: CloudWatch may not use it)."""
    dashboard_name: str
    """Literal dashboard name (letters, digits, ``-`` and ``_``); overrides ``name`` for the
    dashboard. Default: from ``name``."""
    alarms_enabled: bool
    """Create alarms. Default: ``StageProfile.alarms_enabled`` (off in dev); the dashboard and
    budgets exist either way."""
    alarm_window: AlarmWindow
    """M of N datapoints for every alarm. Default ``AlarmWindow()``: 3 of 5 one-minute periods."""
    thresholds: AlarmThresholds
    """Default thresholds; ``watch_*`` arguments override them per resource. Default
    ``AlarmThresholds()``."""
    watch: Sequence[Watchable]
    """Resources to watch now, as with :meth:`ObservabilityPack.watch`, each once. Default none."""
    discover: bool
    """Also watch every :class:`Observable` construct below the pack's scope now, as with
    :meth:`ObservabilityPack.watch_all_in` (so create the pack after them). Default False."""
    budgets: Sequence[BudgetSpec]
    """Monthly cost budgets notifying the topic, e.g. ``[BudgetSpec.monthly_cost_alerts(50,
    100)]``. Default none."""
    access_denied_log_group: logs.ILogGroup | str
    """CloudTrail's log group (or its name) to count denied API calls in, with a metric filter
    and an alarm; trails are per account, so one pack per account and region. Default: none."""
    export_prefix: str
    """Export ``{prefix}-AlertTopicArn`` and ``{prefix}-DashboardName``. Default: no outputs."""
    stage_profile: StageProfile
    """Profile to use instead of the scope default."""
    naming: Naming
    """Naming strategy to use instead of the scope default (for ``name`` and budget names)."""


TOPIC_CREATION_PROPS: tuple[str, ...] = (
    "alarm_email_addresses",
    "alarm_https_endpoints",
    "slack_channel",
    "topic_name",
    "encryption_key",
)
"""Props that configure a created topic: refused with ``alert_topic`` (an existing topic)."""
