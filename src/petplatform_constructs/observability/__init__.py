"""The parts of :class:`~petplatform_constructs.observability.pack.ObservabilityPack`.

* :mod:`.settings`: alarm windows, thresholds and budgets, validated.
* :mod:`.plans`: what to watch on each kind of resource, as data (metrics, panels, alarm rules).
* :mod:`.alerting`: the encrypted alert topic and the AWS Budgets that notify it.

The pack is a facade over these small factories; use it rather than them.
"""

from petplatform_constructs.observability.plans import AlarmRule, Panel, WatchPlan
from petplatform_constructs.observability.settings import AlarmThresholds, AlarmWindow, BudgetSpec

__all__ = ["AlarmRule", "AlarmThresholds", "AlarmWindow", "BudgetSpec", "Panel", "WatchPlan"]
