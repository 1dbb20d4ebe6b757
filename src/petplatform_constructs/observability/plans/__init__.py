"""What to watch on each kind of resource, as data: one module per AWS service.

A plan factory turns a resource (an L2 interface, or a protocol of
:mod:`petplatform_constructs.core.watch`) into a :class:`WatchPlan`: dashboard panels, some of
which carry an :class:`AlarmRule`. Plans create no constructs; the pack renders them into
widgets and, when alarms are enabled, into ``cloudwatch.Alarm``\\ s. A construct with metrics of
its own builds its plan with these types (and :func:`alarm_panel`) and hands it to
``watcher.add_plan(self, plan)``.

* :mod:`.dynamodb`: :func:`table_plan`
* :mod:`.cognito`: :func:`user_pool_plan`
* :mod:`.s3`: :func:`bucket_plan`
* :mod:`.lambda_`: :func:`function_plan`
* :mod:`.sqs`: :func:`queue_plan`
* :mod:`.apigateway`: :func:`rest_api_plan`, :func:`http_api_plan`
* :mod:`.cloudfront`: :func:`distribution_plan` (metrics in us-east-1)
* :mod:`.cloudtrail`: :func:`access_denied_plan`, :data:`ACCESS_DENIED_FILTER_PATTERN`

The package is lazy: ``from petplatform_constructs.observability.plans import table_plan``
imports the DynamoDB plan only, so a construct that uses one plan loads no other service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from petplatform_constructs.core.lazy import lazy_exports

if TYPE_CHECKING:
    from petplatform_constructs.core.watch import AlarmRule, Panel, WatchPlan
    from petplatform_constructs.observability.plans.apigateway import (
        http_api_plan,
        rest_api_plan,
    )
    from petplatform_constructs.observability.plans.cloudfront import distribution_plan
    from petplatform_constructs.observability.plans.cloudtrail import (
        ACCESS_DENIED_FILTER_PATTERN,
        access_denied_plan,
    )
    from petplatform_constructs.observability.plans.cognito import user_pool_plan
    from petplatform_constructs.observability.plans.common import alarm_panel
    from petplatform_constructs.observability.plans.dynamodb import table_plan
    from petplatform_constructs.observability.plans.lambda_ import function_plan
    from petplatform_constructs.observability.plans.s3 import bucket_plan
    from petplatform_constructs.observability.plans.sqs import queue_plan

_PLANS = "petplatform_constructs.observability.plans"
_HOME: dict[str, str] = {
    "ACCESS_DENIED_FILTER_PATTERN": f"{_PLANS}.cloudtrail",
    "AlarmRule": "petplatform_constructs.core.watch",
    "Panel": "petplatform_constructs.core.watch",
    "WatchPlan": "petplatform_constructs.core.watch",
    "access_denied_plan": f"{_PLANS}.cloudtrail",
    "alarm_panel": f"{_PLANS}.common",
    "bucket_plan": f"{_PLANS}.s3",
    "distribution_plan": f"{_PLANS}.cloudfront",
    "function_plan": f"{_PLANS}.lambda_",
    "http_api_plan": f"{_PLANS}.apigateway",
    "queue_plan": f"{_PLANS}.sqs",
    "rest_api_plan": f"{_PLANS}.apigateway",
    "table_plan": f"{_PLANS}.dynamodb",
    "user_pool_plan": f"{_PLANS}.cognito",
}
"""The module each name lives in."""

__all__ = [
    "ACCESS_DENIED_FILTER_PATTERN",
    "AlarmRule",
    "Panel",
    "WatchPlan",
    "access_denied_plan",
    "alarm_panel",
    "bucket_plan",
    "distribution_plan",
    "function_plan",
    "http_api_plan",
    "queue_plan",
    "rest_api_plan",
    "table_plan",
    "user_pool_plan",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
