"""DataTable: a DynamoDB ``TableV2`` with stage-aware protection, its props and their rules."""

from petplatform_constructs.data.data_table.construct import (
    ALARMABLE_OPERATIONS,
    TABLE_CONSTRUCT_ID,
    DataTable,
)
from petplatform_constructs.data.data_table.props import (
    AutoscaledCapacity,
    DataTableProps,
    IndexSpec,
    KeySpec,
    ProvisionedCapacity,
    TableSettings,
    key_attribute,
)

__all__ = [
    "ALARMABLE_OPERATIONS",
    "TABLE_CONSTRUCT_ID",
    "AutoscaledCapacity",
    "DataTable",
    "DataTableProps",
    "IndexSpec",
    "KeySpec",
    "ProvisionedCapacity",
    "TableSettings",
    "key_attribute",
]
