"""EventBus: a custom EventBridge bus with an archive, schema discovery and rules as data."""

from petplatform_constructs.integration.event_bus.construct import (
    ARCHIVE_CONSTRUCT_ID,
    BUS_CONSTRUCT_ID,
    EventBus,
)
from petplatform_constructs.integration.event_bus.props import (
    EventBusProps,
    FunctionTarget,
    LogGroupTarget,
    QueueTarget,
    RuleSpec,
    RuleTarget,
)

__all__ = [
    "ARCHIVE_CONSTRUCT_ID",
    "BUS_CONSTRUCT_ID",
    "EventBus",
    "EventBusProps",
    "FunctionTarget",
    "LogGroupTarget",
    "QueueTarget",
    "RuleSpec",
    "RuleTarget",
]
