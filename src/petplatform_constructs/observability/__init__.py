"""The parts of :class:`~petplatform_constructs.observability.pack.ObservabilityPack`.

* :mod:`.pack`: the construct (props, validation, rendering of plans, the ``watch_*`` methods).
* :mod:`.plans`: what to watch on each kind of resource, as data, one module per service.
* :mod:`.settings`: alarm windows, thresholds and budgets, validated.
* :mod:`.alerting`: the encrypted alert topic and the AWS Budgets that notify it.

Lazy, like :mod:`.plans`: a construct that imports one plan loads neither the pack nor its
settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from petplatform_constructs.core.lazy import lazy_exports

if TYPE_CHECKING:
    from petplatform_constructs.core.watch import AlarmRule, Panel, WatchPlan
    from petplatform_constructs.observability.settings import (
        AlarmThresholds,
        AlarmWindow,
        BudgetSpec,
    )

_SETTINGS = "petplatform_constructs.observability.settings"
_HOME: dict[str, str] = {
    "AlarmRule": "petplatform_constructs.core.watch",
    "AlarmThresholds": _SETTINGS,
    "AlarmWindow": _SETTINGS,
    "BudgetSpec": _SETTINGS,
    "Panel": "petplatform_constructs.core.watch",
    "WatchPlan": "petplatform_constructs.core.watch",
}
"""The module each name lives in."""

__all__ = ["AlarmRule", "AlarmThresholds", "AlarmWindow", "BudgetSpec", "Panel", "WatchPlan"]

__getattr__, __dir__ = lazy_exports(__name__, _HOME)
