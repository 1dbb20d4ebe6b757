"""SNS subscriptions and topic policies, SQS queue policies: no model in moto 5.2.

* ``AWS::SNS::Subscription``: a real subscription (with its filter policy, raw delivery and
  redrive policy).
* ``AWS::SNS::TopicPolicy``: the document set as each topic's ``Policy``.
* ``AWS::SQS::QueuePolicy``: the policy set on each queue.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

from petplatform_localcloud.moto_extensions.records import Json, Record, json_document

__all__ = ["EXTENSIONS", "SnsSubscription", "SnsTopicPolicy", "SqsQueuePolicy"]

_SUBSCRIPTION_ATTRIBUTES = ("DeliveryPolicy", "FilterPolicy", "RedrivePolicy")


class SnsSubscription(Record):
    """``AWS::SNS::Subscription`` (``Ref`` is the subscription ARN)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::Subscription"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SnsSubscription:
        props = cloudformation_json["Properties"]
        backend = sns_backends[account_id][region_name]
        subscription = backend.subscribe(props["TopicArn"], props["Endpoint"], props["Protocol"])
        for name in _SUBSCRIPTION_ATTRIBUTES:
            if name in props:
                backend.set_subscription_attributes(
                    subscription.arn, name, json_document(props[name])
                )
        if "FilterPolicyScope" in props:
            backend.set_subscription_attributes(
                subscription.arn, "FilterPolicyScope", props["FilterPolicyScope"]
            )
        if props.get("RawMessageDelivery"):
            backend.set_subscription_attributes(subscription.arn, "RawMessageDelivery", "true")
        return cls(subscription.arn)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        sns_backends[account_id][region_name].unsubscribe(resource_name)


class SnsTopicPolicy(Record):
    """``AWS::SNS::TopicPolicy``: the document set as each topic's ``Policy``."""

    topics: tuple[str, ...] = ()

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::TopicPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SnsTopicPolicy:
        props = cloudformation_json["Properties"]
        backend = sns_backends[account_id][region_name]
        document = json_document(props["PolicyDocument"])
        for topic_arn in props["Topics"]:
            backend.set_topic_attribute(topic_arn, "policy", document)
        record = cls(f"{resource_name}-{uuid.uuid4().hex[:12]}")
        record.topics = tuple(props["Topics"])
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        """Back to the topic's default policy, as when the policy resource is removed."""
        backend = sns_backends[account_id][region_name]
        for topic_arn in self.topics:
            topic = backend.topics.get(topic_arn)
            if topic is not None:
                topic._policy_json = topic._create_default_topic_policy(
                    region_name, account_id, topic.name
                )


class SqsQueuePolicy(Record):
    """``AWS::SQS::QueuePolicy``: the document set as each queue's ``Policy``."""

    queues: tuple[str, ...] = ()

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::QueuePolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SqsQueuePolicy:
        props = cloudformation_json["Properties"]
        backend = sqs_backends[account_id][region_name]
        names = tuple(str(url).rstrip("/").rsplit("/", 1)[-1] for url in props["Queues"])
        for name in names:
            backend.set_queue_attributes(name, {"Policy": json_document(props["PolicyDocument"])})
        record = cls(f"{resource_name}-{uuid.uuid4().hex[:12]}")
        record.queues = names
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sqs_backends[account_id][region_name]
        for name in self.queues:
            queue = backend.queues.get(name)
            if queue is not None:
                queue.policy = None


EXTENSIONS = (SnsSubscription, SnsTopicPolicy, SqsQueuePolicy)
