"""CloudFormation models for the serverless and monitoring types moto 5.2.5 lacks or breaks.

A companion of :mod:`.moto_extensions` (same rules: one moto release, each model tested), for
what ``ServerlessApi``, ``ObservabilityPack`` and a Secrets Manager secret emit. Covered gaps
(moto 5.2.5):

* ``AWS::SecretsManager::Secret``: no model. A real secret, with ``SecretString`` or a value
  generated from ``GenerateSecretString`` (template and key, as CloudFormation does); ``Ref`` is
  the ARN. An update keeps the value; a delete is immediate (no recovery window).
* ``AWS::KMS::Key``: moto stores the ``KeyPolicy`` object instead of a JSON string (so
  ``GetKeyPolicy`` answers garbage) and reads CloudFormation tags as KMS tags (``KeyError``).
  Also key rotation, ``Enabled``, key spec and usage, and deletion scheduled with the
  template's ``PendingWindowInDays``.
* ``AWS::Lambda::Permission``: moto's model has no physical id (``DescribeStackResources``
  lists it without one) and no delete. The statement id is the physical id, and the statement is
  removed with the resource.
* ``AWS::SNS::Subscription`` and ``AWS::SNS::TopicPolicy``: no model. A real subscription (with
  its filter policy, raw delivery and redrive policy) and the topic's policy document.
* ``AWS::SQS::QueuePolicy``: no model. The policy set on each queue.
* ``AWS::CloudWatch::Alarm``: no model. A metric alarm, including metric-math alarms
  (``Metrics``).
* ``AWS::Budgets::Budget``: no model. The budget and its notifications with subscribers.
* ``AWS::WAFv2::WebACL`` / ``WebACLAssociation``: no model. A web ACL with its rules, and its
  association with an API Gateway stage (WAF rules are recorded, not enforced locally).
* API Gateway REST: moto's ``Method`` model keeps the integration's type and URI only (no
  authorizer, request models, validator, request parameters, method or integration responses),
  its ``Deployment`` has no physical id (a ``Ref`` to it yields a Python object), and there is no
  model for ``Stage``, ``Authorizer``, ``Model``, ``RequestValidator``, ``GatewayResponse`` or
  ``Account``; ``RestApi`` drops its policy, binary media types and tags and is never deleted.
  Here all of them land in moto's API Gateway backend complete, so that ``GetMethod``,
  ``GetAuthorizers``, ``GetModels``... describe the deployed API as AWS would, and
  :mod:`.apigateway` can serve it over HTTP.

Call :func:`install` after :func:`.moto_extensions.install` (it adds its models on top of the
ones registered there).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from moto.apigateway.models import RestAPI, apigateway_backends
from moto.awslambda.models import lambda_backends
from moto.budgets.models import budgets_backends
from moto.cloudwatch.models import (
    Dimension,
    Metric,
    MetricDataQuery,
    MetricStat,
    cloudwatch_backends,
)
from moto.core.common_models import CloudFormationModel
from moto.kms.models import Key as MotoKey
from moto.kms.models import kms_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.wafv2.models import wafv2_backends

from petplatform_localcloud.moto_extensions import Json, _Record

__all__ = ["EXTENSIONS"]


def _tags(props: Json, key: str = "Tags") -> list[Json]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get(key) or []]


def _document(value: object) -> str:
    """A policy or schema as the JSON string the service APIs take and return."""
    return value if isinstance(value, str) else json.dumps(value)


# --------------------------------------------------------------------------------------------
# Secrets Manager


def _generated_secret(backend: Any, spec: Json) -> str:
    """The value CloudFormation generates from ``GenerateSecretString``."""
    password = backend.get_random_password(
        password_length=int(spec.get("PasswordLength", 32)),
        exclude_characters=spec.get("ExcludeCharacters", ""),
        exclude_numbers=bool(spec.get("ExcludeNumbers", False)),
        exclude_punctuation=bool(spec.get("ExcludePunctuation", False)),
        exclude_uppercase=bool(spec.get("ExcludeUppercase", False)),
        exclude_lowercase=bool(spec.get("ExcludeLowercase", False)),
        include_space=bool(spec.get("IncludeSpace", False)),
        require_each_included_type=bool(spec.get("RequireEachIncludedType", True)),
    )
    generated = str(json.loads(password)["RandomPassword"])
    template = spec.get("SecretStringTemplate")
    if template is None:
        return generated
    document = json.loads(template)
    document[spec["GenerateStringKey"]] = generated
    return json.dumps(document)


class Secret(_Record):
    """``AWS::SecretsManager::Secret`` (``Ref`` is the ARN)."""

    attributes = ("Id",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Secret:
        props = cloudformation_json.get("Properties", {})
        backend = secretsmanager_backends[account_id][region_name]
        if "SecretString" in props:
            value = str(props["SecretString"])
        else:
            value = _generated_secret(backend, props.get("GenerateSecretString") or {})
        created = backend.create_secret(
            name=props.get("Name", resource_name),
            secret_string=value,
            secret_binary=None,
            description=props.get("Description"),
            tags=_tags(props),
            kms_key_id=props.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        arn = str(json.loads(created)["ARN"])
        return cls(arn, {"Id": arn})

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
        """In place (the value is kept), unless the name changes."""
        props = cloudformation_json.get("Properties", {})
        backend: Any = secretsmanager_backends[account_id][region_name]
        arn = original_resource.physical_resource_id
        secret: Any = backend.secrets[arn]
        if props.get("Name", secret.name) != secret.name:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        secret.description = props.get("Description")
        secret.kms_key_id = props.get("KmsKeyId")
        secret.tags = _tags(props)
        if "SecretString" in props:
            backend.put_secret_value(
                secret_id=arn,
                secret_string=str(props["SecretString"]),
                secret_binary=None,
                client_request_token=None,
                version_stages=["AWSCURRENT"],
            )
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = secretsmanager_backends[account_id][region_name]
        if resource_name in backend.secrets:
            backend.delete_secret(
                secret_id=resource_name,
                recovery_window_in_days=None,
                force_delete_without_recovery=True,
            )


# --------------------------------------------------------------------------------------------
# KMS


class KmsKey(_Record):
    """``AWS::KMS::Key`` with its policy as a JSON document and CloudFormation-shaped tags."""

    attributes = ("Arn", "KeyId")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::KMS::Key"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> KmsKey:
        props = cloudformation_json.get("Properties", {})
        backend = kms_backends[account_id][region_name]
        key: MotoKey = backend.create_key(
            policy=_document(props["KeyPolicy"]) if "KeyPolicy" in props else None,
            key_usage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=props.get("Description", ""),
            tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in _tags(props)],
            multi_region=bool(props.get("MultiRegion", False)),
        )
        cls._configure(key, props)
        record = cls(key.id, {"Arn": key.arn, "KeyId": key.id})
        record.pending_window_days = int(props.get("PendingWindowInDays", 30))
        return record

    pending_window_days = 30

    @staticmethod
    def _configure(key: MotoKey, props: Json) -> None:
        key.key_rotation_status = bool(props.get("EnableKeyRotation", False))
        key.enabled = bool(props.get("Enabled", True))
        key.key_state = "Enabled" if key.enabled else "Disabled"

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
        """Keys are updated in place: replacing one would orphan what it encrypted."""
        props = cloudformation_json.get("Properties", {})
        key = kms_backends[account_id][region_name].keys[original_resource.physical_resource_id]
        if "KeyPolicy" in props:
            key.policy = _document(props["KeyPolicy"])
        key.description = props.get("Description", "")
        cls._configure(key, props)
        if isinstance(original_resource, KmsKey):
            original_resource.pending_window_days = int(props.get("PendingWindowInDays", 30))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        """Scheduled for deletion after the template's pending window, as in AWS."""
        backend = kms_backends[account_id][region_name]
        if self.physical_resource_id in backend.keys:
            backend.schedule_key_deletion(self.physical_resource_id, self.pending_window_days)


# --------------------------------------------------------------------------------------------
# Lambda


class LambdaPermission(_Record):
    """``AWS::Lambda::Permission`` with a physical id (its statement id) and a delete: moto's
    model has neither, so ``DescribeStackResources`` lists it without one and the statement
    outlives the stack."""

    function_name = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Permission"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaPermission:
        props = dict(cloudformation_json["Properties"])
        statement_id = f"{kwargs.get('LogicalId', 'Permission')}-{uuid.uuid4().hex[:12]}"
        props.setdefault("StatementId", statement_id)
        backend = lambda_backends[account_id][region_name]
        function = backend.get_function(props["FunctionName"])
        function.policy.add_statement(json.dumps(props))
        record = cls(props["StatementId"])
        record.function_name = function.function_name
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        backend = lambda_backends[account_id][region_name]
        try:
            function = backend.get_function(self.function_name)
        except Exception:  # the function went first: its policy went with it
            return
        statements = function.policy.statements
        statements[:] = [s for s in statements if s.get("Sid") != self.physical_resource_id]


# --------------------------------------------------------------------------------------------
# SNS and SQS

_SUBSCRIPTION_ATTRIBUTES = ("DeliveryPolicy", "FilterPolicy", "RedrivePolicy")


class SnsSubscription(_Record):
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
                backend.set_subscription_attributes(subscription.arn, name, _document(props[name]))
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


class SnsTopicPolicy(_Record):
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
        document = _document(props["PolicyDocument"])
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


class SqsQueuePolicy(_Record):
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
            backend.set_queue_attributes(name, {"Policy": _document(props["PolicyDocument"])})
        record = cls(f"{resource_name}-{uuid.uuid4().hex[:12]}")
        record.queues = names
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sqs_backends[account_id][region_name]
        for name in self.queues:
            queue = backend.queues.get(name)
            if queue is not None:
                queue.policy = None


# --------------------------------------------------------------------------------------------
# CloudWatch alarms and budgets


def _dimensions(metric: Json) -> list[Dimension]:
    return [Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", [])]


def _metric_queries(metrics: list[Json]) -> list[MetricDataQuery]:
    queries = []
    for query in metrics:
        stat = query.get("MetricStat")
        metric_stat = None
        if stat:
            metric = stat["Metric"]
            metric_stat = MetricStat(
                metric=Metric(metric["MetricName"], metric["Namespace"], _dimensions(metric)),
                period=str(stat["Period"]),
                stat=stat["Stat"],
                unit=stat.get("Unit"),
            )
        queries.append(
            MetricDataQuery(
                query_id=query["Id"],
                label=query.get("Label"),  # type: ignore[arg-type]  # moto accepts None
                period=str(query["Period"]) if "Period" in query else None,  # type: ignore[arg-type]
                return_data=str(query.get("ReturnData", True)).lower(),
                expression=query.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


class Alarm(_Record):
    """``AWS::CloudWatch::Alarm``, single-metric or metric math (``Ref`` is the alarm name)."""

    attributes = ("Arn",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Alarm:
        props = cloudformation_json["Properties"]
        name = props.get("AlarmName", resource_name)
        metrics = props.get("Metrics")
        backend: Any = cloudwatch_backends[account_id][region_name]  # optional args typed as not
        alarm = backend.put_metric_alarm(
            name=name,
            namespace=props.get("Namespace"),
            metric_name=props.get("MetricName"),
            comparison_operator=props["ComparisonOperator"],
            evaluation_periods=int(props["EvaluationPeriods"]),
            period=int(props["Period"]) if "Period" in props else None,
            threshold=float(props["Threshold"]) if "Threshold" in props else None,
            statistic=props.get("Statistic"),
            description=props.get("AlarmDescription"),
            dimensions=list(props.get("Dimensions", [])),
            alarm_actions=list(props.get("AlarmActions", [])),
            metric_data_queries=_metric_queries(metrics) if metrics else None,
            datapoints_to_alarm=(
                int(props["DatapointsToAlarm"]) if "DatapointsToAlarm" in props else None
            ),
            extended_statistic=props.get("ExtendedStatistic"),
            ok_actions=list(props.get("OKActions", [])),
            insufficient_data_actions=list(props.get("InsufficientDataActions", [])),
            unit=props.get("Unit"),
            actions_enabled=bool(props.get("ActionsEnabled", True)),
            treat_missing_data=props.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=props.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=props.get("ThresholdMetricId"),
            tags=_tags(props),
        )
        return cls(name, {"Arn": alarm.alarm_arn})

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
        """``PutMetricAlarm`` overwrites an alarm of the same name; a new name replaces it."""
        props = cloudformation_json["Properties"]
        name = props.get("AlarmName", original_resource.physical_resource_id)
        if name != original_resource.physical_resource_id:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        return cls.create_from_cloudformation_json(
            name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        cloudwatch_backends[account_id][region_name].delete_alarms([resource_name])


def _budget_backend(account_id: str) -> Any:
    return budgets_backends[account_id]["aws"]


class Budget(_Record):
    """``AWS::Budgets::Budget`` with its notifications (``Ref`` is the budget name)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Budgets::Budget"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Budget:
        props = cloudformation_json["Properties"]
        budget = dict(props["Budget"])
        budget.setdefault("BudgetName", resource_name)
        if "BudgetLimit" in budget:
            limit = budget["BudgetLimit"]
            budget["BudgetLimit"] = {"Amount": str(limit["Amount"]), "Unit": limit["Unit"]}
        _budget_backend(account_id).create_budget(
            account_id=account_id,
            budget=budget,
            notifications=list(props.get("NotificationsWithSubscribers", [])),
        )
        return cls(budget["BudgetName"])

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        backend = _budget_backend(account_id)
        if resource_name in backend.budgets[account_id]:
            backend.delete_budget(account_id=account_id, budget_name=resource_name)


# --------------------------------------------------------------------------------------------
# WAFv2


def _camel_tags(props: Json) -> list[Json]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags") or []]


class WebAcl(_Record):
    """``AWS::WAFv2::WebACL``: recorded with its rules (``Ref`` is ``name|id|scope``)."""

    attributes = ("Arn", "Id", "LabelNamespace", "Capacity")
    arn = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::WAFv2::WebACL"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> WebAcl:
        props = cloudformation_json["Properties"]
        name = props.get("Name", resource_name)
        acl = wafv2_backends[account_id][region_name].create_web_acl(
            name=name,
            visibility_config=props["VisibilityConfig"],
            default_action=props["DefaultAction"],
            scope=props["Scope"],
            description=props.get("Description", ""),
            tags=_camel_tags(props),
            rules=list(props.get("Rules", [])),
            association_config=props.get("AssociationConfig"),
            captcha_config=props.get("CaptchaConfig"),
            challenge_config=props.get("ChallengeConfig"),
            custom_response_bodies=props.get("CustomResponseBodies"),
            token_domains=props.get("TokenDomains"),
        )
        record = cls(
            f"{name}|{acl.id}|{props['Scope']}",
            {
                "Arn": acl.arn,
                "Id": acl.id,
                "LabelNamespace": f"awswaf:{account_id}:webacl:{name}:",
                "Capacity": "0",
            },
        )
        record.arn = acl.arn
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        backend = wafv2_backends[account_id][region_name]
        backend.wacls.pop(self.arn, None)


class WebAclAssociation(_Record):
    """``AWS::WAFv2::WebACLAssociation`` (moto also marks the API Gateway stage)."""

    resource_arn = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::WAFv2::WebACLAssociation"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> WebAclAssociation:
        props = cloudformation_json["Properties"]
        backend = wafv2_backends[account_id][region_name]
        backend.associate_web_acl(props["WebACLArn"], props["ResourceArn"])
        record = cls(f"{props['WebACLArn']}|{props['ResourceArn']}")
        record.resource_arn = props["ResourceArn"]
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        wafv2_backends[account_id][region_name].disassociate_web_acl(self.resource_arn)


# --------------------------------------------------------------------------------------------
# API Gateway (REST)


def _apigw(account_id: str, region_name: str) -> Any:
    return apigateway_backends[account_id][region_name]


class _ApiChild(_Record):
    """A record that belongs to one REST API; deleted with it if the API went first.

    A child kept in one of the API's collections names it in ``collection``, and deleting the
    record removes its entry (keyed by the physical id) from there.
    """

    rest_api_id = ""
    collection = ""

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None and self.collection:
            getattr(api, self.collection).pop(self.physical_resource_id, None)

    def _api(self, account_id: str, region_name: str) -> RestAPI | None:
        api: RestAPI | None = _apigw(account_id, region_name).apis.get(self.rest_api_id)
        return api

    @classmethod
    def _child(
        cls, physical_id: str, rest_api_id: str, attributes: Mapping[str, str] | None = None
    ) -> Any:
        record = cls(physical_id, attributes)
        record.rest_api_id = rest_api_id
        return record


class RestApi(_Record):
    """``AWS::ApiGateway::RestApi`` with policy, binary media types and tags, and deletable."""

    attributes = ("RestApiId", "RootResourceId")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RestApi"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> RestApi:
        props = cloudformation_json.get("Properties", {})
        api: RestAPI = _apigw(account_id, region_name).create_rest_api(
            name=props.get("Name", resource_name),
            description=props.get("Description", ""),
            api_key_source=props.get("ApiKeySourceType"),
            endpoint_configuration=props.get("EndpointConfiguration"),
            tags={t["Key"]: t["Value"] for t in _tags(props)} or None,  # moto keeps a dict
            policy=_document(props["Policy"]) if "Policy" in props else None,
            minimum_compression_size=props.get("MinimumCompressionSize"),
            disable_execute_api_endpoint=props.get("DisableExecuteApiEndpoint"),
        )
        api.binaryMediaTypes = list(props.get("BinaryMediaTypes", []))
        return cls(
            api.id,
            {"RestApiId": api.id, "RootResourceId": str(api.get_cfn_attribute("RootResourceId"))},
        )

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
        """In place: the API keeps its id, resources and stages."""
        props = cloudformation_json.get("Properties", {})
        api = _apigw(account_id, region_name).get_rest_api(original_resource.physical_resource_id)
        api.name = props.get("Name", api.name)
        api.description = props.get("Description", "")
        api.policy = _document(props["Policy"]) if "Policy" in props else None
        api.binaryMediaTypes = list(props.get("BinaryMediaTypes", []))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        _apigw(account_id, region_name).apis.pop(resource_name, None)


class ApiResource(_ApiChild):
    """``AWS::ApiGateway::Resource`` (moto's, plus a delete)."""

    collection = "resources"

    attributes = ("ResourceId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Resource"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiResource:
        props = cloudformation_json["Properties"]
        backend = _apigw(account_id, region_name)
        resource = backend.create_resource(
            function_id=props["RestApiId"],
            parent_resource_id=props["ParentId"],
            path_part=props["PathPart"],
        )
        record: ApiResource = cls._child(
            resource.id, props["RestApiId"], {"ResourceId": resource.id}
        )
        return record


def _response_parameters(values: Mapping[str, object] | None) -> dict[str, Any] | None:
    return dict(values) if values else None


class ApiMethod(_ApiChild):
    """``AWS::ApiGateway::Method`` with everything the method and its integration declare."""

    resource_id = ""
    http_method = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Method"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiMethod:
        props = cloudformation_json["Properties"]
        api_id, resource_id, http_method = (
            props["RestApiId"],
            props["ResourceId"],
            props["HttpMethod"],
        )
        backend = _apigw(account_id, region_name)
        backend.put_method(
            function_id=api_id,
            resource_id=resource_id,
            method_type=http_method,
            authorization_type=props.get("AuthorizationType", "NONE"),
            api_key_required=bool(props.get("ApiKeyRequired", False)),
            request_parameters=props.get("RequestParameters"),
            request_models=props.get("RequestModels"),
            operation_name=props.get("OperationName"),
            authorizer_id=props.get("AuthorizerId"),
            authorization_scopes=props.get("AuthorizationScopes"),
            request_validator_id=props.get("RequestValidatorId"),
        )
        for response in props.get("MethodResponses", []):
            backend.put_method_response(
                function_id=api_id,
                resource_id=resource_id,
                method_type=http_method,
                response_code=str(response["StatusCode"]),
                response_models=response.get("ResponseModels"),
                response_parameters=_response_parameters(response.get("ResponseParameters")),
            )
        integration = props.get("Integration")
        if integration:
            backend.put_integration(
                function_id=api_id,
                resource_id=resource_id,
                method_type=http_method,
                integration_type=integration["Type"],
                uri=integration.get("Uri"),
                integration_method=integration.get("IntegrationHttpMethod"),
                credentials=integration.get("Credentials"),
                request_templates=integration.get("RequestTemplates"),
                passthrough_behavior=integration.get("PassthroughBehavior"),
                cache_namespace=integration.get("CacheNamespace"),
                timeout_in_millis=integration.get("TimeoutInMillis"),
                request_parameters=integration.get("RequestParameters"),
                content_handling=integration.get("ContentHandling"),
                connection_type=integration.get("ConnectionType"),
            )
            for response in integration.get("IntegrationResponses", []):
                backend.put_integration_response(
                    function_id=api_id,
                    resource_id=resource_id,
                    method_type=http_method,
                    status_code=str(response["StatusCode"]),
                    selection_pattern=response.get("SelectionPattern"),
                    response_templates=response.get("ResponseTemplates"),
                    response_parameters=_response_parameters(response.get("ResponseParameters")),
                    content_handling=response.get("ContentHandling"),
                )
        record: ApiMethod = cls._child(f"{resource_id}-{http_method}", api_id)
        record.resource_id, record.http_method = resource_id, http_method
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        resource = api.resources.get(self.resource_id) if api is not None else None
        if resource is not None:
            resource.resource_methods.pop(self.http_method, None)


class ApiDeployment(_ApiChild):
    """``AWS::ApiGateway::Deployment`` (``Ref`` is the deployment id)."""

    collection = "deployments"

    attributes = ("DeploymentId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Deployment"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiDeployment:
        props = cloudformation_json["Properties"]
        deployment = _apigw(account_id, region_name).create_deployment(
            function_id=props["RestApiId"],
            name=props.get("StageName"),
            description=props.get("Description", ""),
        )
        record: ApiDeployment = cls._child(
            deployment.id, props["RestApiId"], {"DeploymentId": deployment.id}
        )
        return record


class ApiStage(_ApiChild):
    """``AWS::ApiGateway::Stage`` with its variables, tracing, access logs and method settings
    (``Ref`` is the stage name)."""

    collection = "stages"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StageName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiStage:
        props = cloudformation_json["Properties"]
        api_id = props["RestApiId"]
        stage = _apigw(account_id, region_name).create_stage(
            function_id=api_id,
            stage_name=props.get("StageName", resource_name),
            deploymentId=props["DeploymentId"],
            variables=props.get("Variables"),
            description=props.get("Description", ""),
            cacheClusterEnabled=props.get("CacheClusterEnabled"),
            cacheClusterSize=props.get("CacheClusterSize"),
            tags={t["Key"]: t["Value"] for t in _tags(props)} or None,
            tracing_enabled=props.get("TracingEnabled"),
        )
        cls._configure(stage, props)
        record: ApiStage = cls._child(stage.name, api_id)
        return record

    @staticmethod
    def _configure(stage: Any, props: Json) -> None:
        access_log = props.get("AccessLogSetting")
        stage.access_log_settings = (
            {"destinationArn": access_log.get("DestinationArn"), "format": access_log.get("Format")}
            if access_log
            else None
        )
        settings = {}
        for setting in props.get("MethodSettings", []):
            key = (
                f"{setting.get('ResourcePath', '/*').lstrip('/')}/{setting.get('HttpMethod', '*')}"
            )
            settings[key] = {
                "metricsEnabled": bool(setting.get("MetricsEnabled", False)),
                "loggingLevel": setting.get("LoggingLevel", "OFF"),
                "dataTraceEnabled": bool(setting.get("DataTraceEnabled", False)),
                "throttlingBurstLimit": setting.get("ThrottlingBurstLimit", 5000),
                "throttlingRateLimit": float(setting.get("ThrottlingRateLimit", 10000.0)),
                "cachingEnabled": bool(setting.get("CachingEnabled", False)),
            }
        stage.method_settings = settings

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> _Record:
        """In place (a new deployment is pointed to), unless the stage or API changes."""
        props = cloudformation_json["Properties"]
        api_id = props["RestApiId"]
        name = props.get("StageName", original_resource.physical_resource_id)
        if name != original_resource.physical_resource_id or api_id != getattr(
            original_resource, "rest_api_id", ""
        ):
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        stage = _apigw(account_id, region_name).get_stage(api_id, name)
        stage.deployment_id = props["DeploymentId"]
        stage.variables = props.get("Variables") or {}
        stage.description = props.get("Description", "")
        stage.tracing_enabled = props.get("TracingEnabled")
        cls._configure(stage, props)
        return original_resource


class ApiAuthorizer(_ApiChild):
    """``AWS::ApiGateway::Authorizer`` (``Ref`` is the authorizer id)."""

    collection = "authorizers"

    attributes = ("AuthorizerId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Authorizer"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiAuthorizer:
        props = cloudformation_json["Properties"]
        ttl = props.get("AuthorizerResultTtlInSeconds")
        authorizer = _apigw(account_id, region_name).create_authorizer(
            restapi_id=props["RestApiId"],
            name=props.get("Name", resource_name),
            authorizer_type=props["Type"],
            provider_arns=props.get("ProviderARNs"),
            auth_type=props.get("AuthType"),
            authorizer_uri=props.get("AuthorizerUri"),
            authorizer_credentials=props.get("AuthorizerCredentials"),
            identity_source=props.get("IdentitySource"),
            identiy_validation_expression=props.get("IdentityValidationExpression"),
            authorizer_result_ttl=int(ttl) if ttl is not None else 300,
        )
        record: ApiAuthorizer = cls._child(
            authorizer.id, props["RestApiId"], {"AuthorizerId": authorizer.id}
        )
        return record


class ApiModel(_ApiChild):
    """``AWS::ApiGateway::Model`` (``Ref`` is the model name)."""

    collection = "models"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Model"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiModel:
        props = cloudformation_json["Properties"]
        model = _apigw(account_id, region_name).create_model(
            rest_api_id=props["RestApiId"],
            name=props.get("Name", resource_name),
            content_type=props.get("ContentType", "application/json"),
            description=props.get("Description", ""),
            schema=_document(props.get("Schema", {})),
        )
        record: ApiModel = cls._child(model.name, props["RestApiId"])
        return record


class ApiRequestValidator(_ApiChild):
    """``AWS::ApiGateway::RequestValidator`` (``Ref`` is the validator id)."""

    collection = "request_validators"

    attributes = ("RequestValidatorId",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RequestValidator"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiRequestValidator:
        props = cloudformation_json["Properties"]
        validator = _apigw(account_id, region_name).create_request_validator(
            restapi_id=props["RestApiId"],
            name=props.get("Name", resource_name),
            body=bool(props.get("ValidateRequestBody", False)),
            params=bool(props.get("ValidateRequestParameters", False)),
        )
        record: ApiRequestValidator = cls._child(
            validator.id, props["RestApiId"], {"RequestValidatorId": validator.id}
        )
        return record


class ApiGatewayResponse(_ApiChild):
    """``AWS::ApiGateway::GatewayResponse``: headers and templates of the gateway's own errors."""

    response_type = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::GatewayResponse"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayResponse:
        props = cloudformation_json["Properties"]
        status = props.get("StatusCode")
        _apigw(account_id, region_name).put_gateway_response(
            rest_api_id=props["RestApiId"],
            response_type=props["ResponseType"],
            status_code=str(status) if status is not None else None,
            response_parameters=props.get("ResponseParameters"),
            response_templates=props.get("ResponseTemplates"),
        )
        record: ApiGatewayResponse = cls._child(
            f"{props['RestApiId']}-{props['ResponseType']}", props["RestApiId"]
        )
        record.response_type = props["ResponseType"]
        return record

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None:
            api.gateway_responses.pop(self.response_type, None)


class ApiAccount(_Record):
    """``AWS::ApiGateway::Account``: the region's CloudWatch role, a stack record here."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Account"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiAccount:
        return cls(f"ApiGatewayAccount-{region_name}")


# --------------------------------------------------------------------------------------------
# Registration

EXTENSIONS: tuple[type[CloudFormationModel], ...] = (
    Secret,
    KmsKey,
    LambdaPermission,
    SnsSubscription,
    SnsTopicPolicy,
    SqsQueuePolicy,
    Alarm,
    Budget,
    WebAcl,
    WebAclAssociation,
    RestApi,
    ApiResource,
    ApiMethod,
    ApiDeployment,
    ApiStage,
    ApiAuthorizer,
    ApiModel,
    ApiRequestValidator,
    ApiGatewayResponse,
    ApiAccount,
)
