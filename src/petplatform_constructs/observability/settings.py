"""Value objects of :class:`~petplatform_constructs.observability.pack.ObservabilityPack`.

How long a condition must last before an alarm fires (:class:`AlarmWindow`), the default
thresholds of every alarm the pack creates (:class:`AlarmThresholds`) and cost budgets
(:class:`BudgetSpec`). Each validates itself against what CloudWatch and AWS Budgets accept, so a
bad value fails at synth time with a :class:`~petplatform_constructs.core.errors.PropError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from aws_cdk import Duration, Token

from petplatform_constructs.core.errors import require
from petplatform_constructs.platform.naming import ResourceKind, validate_name

__all__ = [
    "MAX_BUDGET_EMAILS",
    "MAX_BUDGET_NOTIFICATIONS",
    "AlarmThresholds",
    "AlarmWindow",
    "BudgetSpec",
    "check_email",
    "check_percent",
    "check_positive",
    "check_statistic",
]

MAX_BUDGET_NOTIFICATIONS = 5
"""AWS Budgets allows at most five notifications per budget."""
MAX_BUDGET_EMAILS = 10
"""AWS Budgets allows at most ten email subscribers per notification (plus one SNS topic)."""

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_STATISTIC = re.compile(
    r"(Average|Maximum|Minimum|Sum|SampleCount|avg|max|min|sum|n|p\d{1,2}(\.\d+)?|p100)"
)
_DAY_SECONDS = 86_400
_WEEK_SECONDS = 7 * _DAY_SECONDS


def check_positive(owner: str, prop: str, value: float) -> None:
    """Thresholds are counts, rates or durations: zero or less would alarm on normal operation."""
    require(value > 0, owner, prop, value, "must be > 0")


def check_percent(owner: str, prop: str, value: float) -> None:
    """A percentage threshold: above 0 and at most 100."""
    require(0 < value <= 100, owner, prop, value, "a percentage in (0, 100]")


def check_statistic(owner: str, prop: str, value: str) -> None:
    """A CloudWatch statistic such as ``p90``, ``p99.9`` or ``Average``."""
    require(
        bool(_STATISTIC.fullmatch(value)),
        owner,
        prop,
        value,
        "a CloudWatch statistic: Average, Maximum, Minimum, Sum, SampleCount or pNN(.N)",
    )


def check_email(owner: str, prop: str, address: str) -> None:
    """An email address (tokens are accepted unchecked: they resolve at deploy time)."""
    if Token.is_unresolved(address):
        return
    require(
        bool(_EMAIL.fullmatch(address)), owner, prop, address, "an email address such as ops@x.io"
    )


@dataclass(frozen=True)
class AlarmWindow:
    """How long a condition must hold before an alarm fires: M of N periods.

    The default, 3 breaching one-minute datapoints out of 5, ignores a single spike but pages
    within about five minutes of a real incident.

    Args:
        period: length of one datapoint; a whole number of minutes. Default 1 minute.
        evaluation_periods: N, the datapoints looked at. Default 5.
        datapoints_to_alarm: M, how many of them must breach (1..N). Default 3.
    """

    period: Duration = field(default_factory=lambda: Duration.minutes(1))
    evaluation_periods: int = 5
    datapoints_to_alarm: int = 3

    def check(self, owner: str, prop: str = "alarm_window") -> None:
        """Raise :class:`PropError` unless CloudWatch accepts this window."""
        seconds = self.period.to_seconds()
        require(
            seconds >= 60 and seconds % 60 == 0,
            owner,
            f"{prop}.period",
            self.period.to_human_string(),
            "a whole number of minutes (AWS metrics have one-minute resolution at best)",
        )
        require(
            self.evaluation_periods >= 1,
            owner,
            f"{prop}.evaluation_periods",
            self.evaluation_periods,
            "must be >= 1",
        )
        require(
            1 <= self.datapoints_to_alarm <= self.evaluation_periods,
            owner,
            f"{prop}.datapoints_to_alarm",
            self.datapoints_to_alarm,
            f"1..evaluation_periods ({self.evaluation_periods})",
        )
        limit = _WEEK_SECONDS if seconds >= 3600 else _DAY_SECONDS
        require(
            self.evaluation_periods * seconds <= limit,
            owner,
            f"{prop}.evaluation_periods",
            self.evaluation_periods,
            f"period x evaluation_periods must be <= {limit // 3600} hours (CloudWatch limit)",
        )


@dataclass(frozen=True)
class AlarmThresholds:
    """Default thresholds of the pack's alarms; ``watch_*`` arguments override them per resource.

    Counts alarm at ``>= value`` per period; rates, latencies and durations at ``> value``.

    Args:
        table_throttle_events: DynamoDB read + write throttle events. Default 1.
        sign_in_throttles: Cognito ``SignInThrottles`` per app client. Default 1.
        lambda_error_rate_percent: ``100 * Errors / Invocations``. Default 5.
        lambda_throttles: Lambda ``Throttles``. Default 1.
        lambda_duration_timeout_fraction: p99 ``Duration`` above this fraction of the
            function's timeout, (0, 1]. Default 0.8.
        api_error_rate_percent: ``100 * 5XX / Count`` of an API. Default 5.
        api_latency_ms: API ``Latency`` in milliseconds. Default 2000.
        api_latency_statistic: statistic of the latency alarm. Default ``p90``.
        queue_oldest_message_age_seconds: SQS ``ApproximateAgeOfOldestMessage``. Default 300.
        dlq_messages: visible messages in a dead-letter queue. Default 1 (any message).
        access_denied_events: CloudTrail access-denied events. Default 1.
    """

    table_throttle_events: int = 1
    sign_in_throttles: int = 1
    lambda_error_rate_percent: float = 5
    lambda_throttles: int = 1
    lambda_duration_timeout_fraction: float = 0.8
    api_error_rate_percent: float = 5
    api_latency_ms: float = 2000
    api_latency_statistic: str = "p90"
    queue_oldest_message_age_seconds: int = 300
    dlq_messages: int = 1
    access_denied_events: int = 1

    def check(self, owner: str, prop: str = "thresholds") -> None:
        """Raise :class:`PropError` for a threshold that could never make sense."""
        for spec in fields(self):
            value = getattr(self, spec.name)
            name = f"{prop}.{spec.name}"
            if spec.name == "api_latency_statistic":
                check_statistic(owner, name, value)
            elif spec.name.endswith("_percent"):
                check_percent(owner, name, value)
            elif spec.name.endswith("_fraction"):
                require(0 < value <= 1, owner, name, value, "a fraction in (0, 1]")
            else:
                check_positive(owner, name, value)


@dataclass(frozen=True)
class BudgetSpec:
    """A monthly AWS cost budget whose notifications go to the alert topic.

    Budgets measure the whole account unless ``cost_allocation_tags`` narrows them, so a dev
    and a prod stack sharing an account should each filter on their ``Environment`` tag (the tag
    must be activated as a cost allocation tag in the Billing console first).

    Args:
        name: short budget name, through the naming strategy in scope (budget names are unique
            per account): letters, digits, spaces and ``._-``.
        limit_usd: the monthly limit in USD, > 0.
        thresholds_percent: notify when actual cost passes these percentages of the limit,
            each in (0, 100]. Default ``(80, 100)``.
        thresholds_usd: notify when actual cost passes these absolute amounts (USD, > 0),
            as ``ABSOLUTE_VALUE`` notifications. Default none.
        email_addresses: also email these addresses directly (at most 10), e.g. finance,
            besides the alert topic. Default none.
        cost_allocation_tags: count only costs carrying one of these tags, e.g.
            ``{"Environment": "prod"}``. Default: the whole account.
    """

    name: str
    limit_usd: float
    thresholds_percent: Sequence[float] = (80, 100)
    thresholds_usd: Sequence[float] = ()
    email_addresses: Sequence[str] = ()
    cost_allocation_tags: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def monthly_cost_alerts(
        cls,
        *amounts_usd: float,
        name: str = "monthly-cost",
        email_addresses: Sequence[str] = (),
        cost_allocation_tags: Mapping[str, str] | None = None,
    ) -> BudgetSpec:
        """One monthly budget alerting at each of ``amounts_usd`` (e.g. 50 and 100).

        The limit is the largest amount; each amount is an ``ABSOLUTE_VALUE`` notification.
        """
        return cls(
            name=name,
            limit_usd=max(amounts_usd, default=0),
            thresholds_percent=(),
            thresholds_usd=tuple(amounts_usd),
            email_addresses=email_addresses,
            cost_allocation_tags=dict(cost_allocation_tags or {}),
        )

    def check(self, owner: str, prop: str) -> None:
        """Raise :class:`PropError` unless AWS Budgets accepts this budget."""
        validate_name(ResourceKind.BUDGET, self.name, owner=owner, prop=f"{prop}.name")
        require(self.limit_usd > 0, owner, f"{prop}.limit_usd", self.limit_usd, "must be > 0 USD")
        for value in self.thresholds_percent:
            check_percent(owner, f"{prop}.thresholds_percent", value)
        for value in self.thresholds_usd:
            check_positive(owner, f"{prop}.thresholds_usd", value)
        count = len(self.thresholds_percent) + len(self.thresholds_usd)
        require(
            1 <= count <= MAX_BUDGET_NOTIFICATIONS,
            owner,
            f"{prop}.thresholds_percent",
            [*self.thresholds_percent, *(f"${v}" for v in self.thresholds_usd)],
            f"1-{MAX_BUDGET_NOTIFICATIONS} thresholds in all (AWS Budgets limit per budget)",
        )
        thresholds: dict[str, Sequence[float]] = {
            "percent": self.thresholds_percent,
            "usd": self.thresholds_usd,
        }
        for kind, values in thresholds.items():
            require(
                len(set(values)) == len(values),
                owner,
                f"{prop}.thresholds_{kind}",
                list(values),
                "each threshold once",
            )
        require(
            len(self.email_addresses) <= MAX_BUDGET_EMAILS,
            owner,
            f"{prop}.email_addresses",
            list(self.email_addresses),
            f"at most {MAX_BUDGET_EMAILS} addresses per notification (AWS Budgets limit)",
        )
        for address in self.email_addresses:
            check_email(owner, f"{prop}.email_addresses", address)
        for tag_key, tag_value in self.cost_allocation_tags.items():
            require(
                bool(tag_key) and bool(tag_value) and "$" not in tag_key,
                owner,
                f"{prop}.cost_allocation_tags",
                {tag_key: tag_value},
                "non-empty tag keys and values; keys without '$'",
            )
