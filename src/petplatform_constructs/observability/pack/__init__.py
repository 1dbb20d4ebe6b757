"""ObservabilityPack: alert topic, dashboard, alarms with runbooks and budgets; its props.

* :mod:`.props`: :class:`ObservabilityPackProps`, declared once, and :data:`Watchable`.
* :mod:`.validation`: every rule of the props, recorded at once; which method watches what.
* :mod:`.rendering`: plans into dashboard sections and alarms.
* :mod:`.services`: the ``watch_*`` methods, one per kind of AWS resource.
* :mod:`.construct`: the construct.
"""

from petplatform_constructs.core.watch import AlarmRule, Panel, WatchPlan
from petplatform_constructs.observability.alerting import (
    TOPIC_CONSTRUCT_ID,
    TOPIC_KEY_CONSTRUCT_ID,
)
from petplatform_constructs.observability.channels import SlackChannel
from petplatform_constructs.observability.pack.construct import (
    ACCESS_DENIED_CONSTRUCT_ID,
    ACCESS_DENIED_METRIC_NAMESPACE,
    DASHBOARD_CONSTRUCT_ID,
    ObservabilityPack,
    SupportsObservability,
)
from petplatform_constructs.observability.pack.props import ObservabilityPackProps, Watchable
from petplatform_constructs.observability.settings import AlarmThresholds, AlarmWindow, BudgetSpec

__all__ = [
    "ACCESS_DENIED_CONSTRUCT_ID",
    "ACCESS_DENIED_METRIC_NAMESPACE",
    "DASHBOARD_CONSTRUCT_ID",
    "TOPIC_CONSTRUCT_ID",
    "TOPIC_KEY_CONSTRUCT_ID",
    "AlarmRule",
    "AlarmThresholds",
    "AlarmWindow",
    "BudgetSpec",
    "ObservabilityPack",
    "ObservabilityPackProps",
    "Panel",
    "SlackChannel",
    "SupportsObservability",
    "WatchPlan",
    "Watchable",
]
