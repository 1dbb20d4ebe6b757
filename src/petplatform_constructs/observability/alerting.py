"""Where alerts go: an encrypted SNS topic that CloudWatch and AWS Budgets may publish to.

Two AWS details decide the shape of the topic:

* CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed ``alias/aws/sns``
  key (its policy cannot be edited), so the topic gets a customer-managed key whose policy lets
  ``cloudwatch.amazonaws.com`` and ``budgets.amazonaws.com`` use it.
* A topic policy replaces SNS's default policy, and ``enforce_ssl`` creates one; so the topic
  policy also allows both services to publish, each scoped to this account with
  ``aws:SourceAccount`` and ``aws:SourceArn`` (confused-deputy protection).

The key policy statements follow the SNS guide for AWS services publishing to encrypted topics:
``aws:SourceAccount``/``aws:SourceArn`` name this account's alarms (or budgets), and
``kms:EncryptionContext:aws:sns:topicArn`` this account's and region's topics. ``kms:ViaService``
is not used: the guide does not document it for service principals, and a condition key absent
from the request denies, so alarms would notify no one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_chatbot as chatbot
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct, IConstruct, IValidation

from petplatform_constructs.observability.settings import BudgetSpec

__all__ = [
    "BUDGETS_PRINCIPAL",
    "CLOUDWATCH_PRINCIPAL",
    "TOPIC_CONSTRUCT_ID",
    "TOPIC_KEY_CONSTRUCT_ID",
    "allow_budgets_to_publish",
    "create_alert_topic",
    "create_budget",
    "warn_without_subscribers",
]

TOPIC_CONSTRUCT_ID = "AlertTopic"
"""Construct id of the created SNS topic. Public contract: subscriptions hang off it."""
TOPIC_KEY_CONSTRUCT_ID = "AlertTopicKey"
"""Construct id of the KMS key created for the topic. Public contract: the key is stateful."""
CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"
BUDGETS_PRINCIPAL = "budgets.amazonaws.com"
_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]


def _source_conditions(stack: Stack, source_arn: str) -> Mapping[str, Mapping[str, str]]:
    return {
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnLike": {"aws:SourceArn": source_arn},
    }


def _budgets_source_arn(stack: Stack) -> str:
    return stack.format_arn(service="budgets", region="", resource="*")


def _alarms_source_arn(stack: Stack) -> str:
    return stack.format_arn(
        service="cloudwatch",
        resource="alarm",
        resource_name="*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def _key_conditions(stack: Stack, source_arn: str) -> Mapping[str, Mapping[str, str]]:
    """A service's use of the topic key: on behalf of ``source_arn`` in this account, for a
    topic of this account and region only."""
    topics = stack.format_arn(service="sns", resource="*", arn_format=ArnFormat.NO_RESOURCE_NAME)
    return {
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnLike": {
            "aws:SourceArn": source_arn,
            "kms:EncryptionContext:aws:sns:topicArn": topics,
        },
    }


def create_alert_topic(
    scope: Construct,
    *,
    topic_name: str | None,
    encryption_key: kms.IKey | None,
    email_addresses: Sequence[str],
    removal_policy: RemovalPolicy,
) -> tuple[sns.Topic, kms.IKey]:
    """The ``AlertTopic`` (SSL-only, KMS-encrypted) and its key ``AlertTopicKey`` (if created).

    Only CloudWatch alarms in this account may publish (besides IAM principals of the account).
    """
    stack = Stack.of(scope)
    key = encryption_key or kms.Key(
        scope,
        TOPIC_KEY_CONSTRUCT_ID,
        description=f"Encrypts the alert topic of {scope.node.path}",
        enable_key_rotation=True,
        pending_window=Duration.days(7),
        removal_policy=removal_policy,
    )
    # The service principal may use the key only for this account's alarms, and only for this
    # account's topics; who may publish at all is decided by the topic policy.
    added = key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToUseTheKey",
            principals=[iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
            actions=_KEY_ACTIONS,
            resources=["*"],
            conditions=_key_conditions(stack, _alarms_source_arn(stack)),
        )
    )
    if not added.statement_added:
        Annotations.of(scope).add_warning_v2(
            "petplatform:observability-imported-key",
            f"the alert topic key {key.key_arn} is imported, so its policy cannot be changed "
            f"here: allow {CLOUDWATCH_PRINCIPAL} (and {BUDGETS_PRINCIPAL} with budgets) "
            "kms:Decrypt and kms:GenerateDataKey* on it, or alarms cannot notify.",
        )
    topic = sns.Topic(
        scope,
        TOPIC_CONSTRUCT_ID,
        topic_name=topic_name,
        master_key=key,
        enforce_ssl=True,
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToPublish",
            principals=[iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions=_source_conditions(stack, _alarms_source_arn(stack)),
        )
    )
    for address in email_addresses:
        topic.add_subscription(subscriptions.EmailSubscription(address))
    return topic, key


def allow_budgets_to_publish(scope: Construct, topic: sns.ITopic, key: kms.IKey | None) -> None:
    """Let AWS Budgets of this account publish to ``topic`` (and use its key, if known).

    Imported topics keep their own policy: a warning says what to add there.
    """
    stack = Stack.of(scope)
    conditions = _source_conditions(stack, _budgets_source_arn(stack))
    published = topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowBudgetsToPublish",
            principals=[iam.ServicePrincipal(BUDGETS_PRINCIPAL)],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions=conditions,
        )
    )
    if not published.statement_added:
        Annotations.of(scope).add_warning_v2(
            "petplatform:observability-imported-topic",
            f"alert_topic is imported, so its policy cannot be changed here: allow "
            f"{BUDGETS_PRINCIPAL} to sns:Publish to it (aws:SourceAccount = this account), or "
            "budget notifications to the topic fail.",
        )
    if key is not None:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowBudgetsToUseTheKey",
                principals=[iam.ServicePrincipal(BUDGETS_PRINCIPAL)],
                actions=_KEY_ACTIONS,
                resources=["*"],
                conditions=_key_conditions(stack, _budgets_source_arn(stack)),
            )
        )


def create_budget(
    scope: Construct, id: str, spec: BudgetSpec, *, budget_name: str, topic: sns.ITopic
) -> budgets.CfnBudget:
    """A monthly COST budget notifying ``topic`` (and the spec's emails) at each threshold."""
    subscribers = [
        budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic.topic_arn),
        *(
            budgets.CfnBudget.SubscriberProperty(subscription_type="EMAIL", address=address)
            for address in spec.email_addresses
        ),
    ]
    thresholds = [(value, "PERCENTAGE") for value in spec.thresholds_percent] + [
        (value, "ABSOLUTE_VALUE") for value in spec.thresholds_usd
    ]
    cost_filters = (
        {"TagKeyValue": [f"user:{k}${v}" for k, v in spec.cost_allocation_tags.items()]}
        if spec.cost_allocation_tags
        else None
    )
    budget = budgets.CfnBudget(
        scope,
        id,
        budget=budgets.CfnBudget.BudgetDataProperty(
            budget_name=budget_name,
            budget_type="COST",
            time_unit="MONTHLY",
            budget_limit=budgets.CfnBudget.SpendProperty(amount=spec.limit_usd, unit="USD"),
            cost_filters=cost_filters,
        ),
        notifications_with_subscribers=[
            budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    comparison_operator="GREATER_THAN",
                    notification_type="ACTUAL",
                    threshold=value,
                    threshold_type=threshold_type,
                ),
                subscribers=subscribers,
            )
            for value, threshold_type in thresholds
        ],
    )
    # Budgets checks that it may publish when the budget is created: policy first.
    budget.node.add_dependency(topic)
    return budget


def warn_without_subscribers(scope: Construct, topic: sns.ITopic) -> None:
    """A synth-time warning on ``scope`` when nothing in the app subscribes to ``topic``.

    Checked when the construct tree is validated, so subscriptions added after the pack
    (``topic.add_subscription``, a ``CfnSubscription`` or a Chatbot channel anywhere in the
    app) count.
    """
    scope.node.add_validation(_SubscriberCheck(scope, topic))


@jsii.implements(IValidation)
class _SubscriberCheck:
    def __init__(self, scope: Construct, topic: sns.ITopic) -> None:
        self._scope, self._topic = scope, topic
        self._warned = False

    def _subscribed(self, node: IConstruct) -> bool:
        arn = self._topic.topic_arn
        if isinstance(node, sns.CfnSubscription):
            return node.topic_arn == arn
        if isinstance(node, chatbot.CfnSlackChannelConfiguration):
            return arn in (node.sns_topic_arns or [])
        return False

    def validate(self) -> list[str]:
        root = self._scope.node.root
        if not self._warned and not any(self._subscribed(n) for n in root.node.find_all()):
            self._warned = True
            Annotations.of(self._scope).add_warning_v2(
                "petplatform:alert-topic-without-subscriber",
                "the alert topic has no subscriber in a prod-like stage, so alarms notify no "
                "one: give alarm email addresses, or subscribe an on-call tool to alert_topic",
            )
        return []
