"""Prices are computed here, never taken from the client: the payment charges this amount."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

# Daycare and boarding are charged per started 24 hours; the others per visit.
DAILY_RATES = {"daycare": Decimal("45.00"), "boarding": Decimal("65.00")}
VISIT_RATES = {"grooming": Decimal("35.00"), "walk": Decimal("20.00")}
SERVICE_TYPES = (*DAILY_RATES, *VISIT_RATES)


def price(service_type: str, start: datetime, end: datetime) -> Decimal:
    """The seed's example: daycare from 09:00 to 17:00 costs 45.00."""
    if service_type in VISIT_RATES:
        return VISIT_RATES[service_type]
    days = max(1, math.ceil((end - start).total_seconds() / 86400))
    return DAILY_RATES[service_type] * days
