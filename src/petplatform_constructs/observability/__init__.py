"""The parts of :class:`~petplatform_constructs.observability.pack.ObservabilityPack`.

* :mod:`.pack`: the construct (props, validation, rendering of plans, the ``watch_*`` methods).
* :mod:`.plans`: what to watch on each kind of resource, as data, one module per service.
* :mod:`.settings`: alarm windows, thresholds and budgets, validated.
* :mod:`.alerting`: the encrypted alert topic and the AWS Budgets that notify it.
"""

from petplatform_constructs.core.watch import AlarmRule, Panel, WatchPlan
from petplatform_constructs.observability.settings import AlarmThresholds, AlarmWindow, BudgetSpec

__all__ = ["AlarmRule", "AlarmThresholds", "AlarmWindow", "BudgetSpec", "Panel", "WatchPlan"]
