"""Value objects of :class:`~petplatform_constructs.observability.pack.ObservabilityPack`.

How long a condition must last before an alarm fires (:class:`AlarmWindow`), the default
thresholds of every alarm the pack creates (:class:`AlarmThresholds`) and cost budgets
(:class:`BudgetSpec`). Each checks itself against what CloudWatch and AWS Budgets accept and
records every problem in a :class:`~petplatform_constructs.core.errors.Problems`, which the pack
raises at once at synth time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from aws_cdk import Duration, Token

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.platform.naming import ResourceKind, validate_name

__all__ = [
    "MAX_BUDGET_EMAILS",
    "MAX_BUDGET_NOTIFICATIONS",
    "AlarmThresholds",
    "AlarmWindow",
    "BudgetSpec",
    "check_duration",
    "check_email",
    "check_number",
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


def check_number(problems: Problems, prop: str, value: object) -> bool:
    """Record a problem unless ``value`` is None or a number (``bool`` is not one)."""
    return problems.check_type(prop, value, (int, float), "a number")


def check_positive(problems: Problems, prop: str, value: float | None) -> bool:
    """Thresholds are counts, rates or durations: zero or less would alarm on normal operation.

    ``None`` (the default) passes; so do the checks below.
    """
    if value is None or not check_number(problems, prop, value):
        return value is None
    return problems.check(value > 0, prop, value, "must be > 0")


def check_percent(problems: Problems, prop: str, value: float | None) -> bool:
    """A percentage threshold: above 0 and at most 100."""
    if value is None or not check_number(problems, prop, value):
        return value is None
    return problems.check(0 < value <= 100, prop, value, "a percentage in (0, 100]")


def check_duration(problems: Problems, prop: str, value: Duration | None) -> bool:
    """A positive ``Duration`` (a latency, an age or a duration threshold)."""
    if value is None:
        return True
    if not problems.check(
        isinstance(value, Duration), prop, value, f"a Duration (got {type(value).__name__})"
    ):
        return False
    return problems.check(value.to_milliseconds() > 0, prop, value.to_human_string(), "must be > 0")


def check_statistic(problems: Problems, prop: str, value: str | None) -> bool:
    """A CloudWatch statistic such as ``p90``, ``p99.9`` or ``Average``."""
    return value is None or problems.check(
        isinstance(value, str) and bool(_STATISTIC.fullmatch(value)),
        prop,
        value,
        "a CloudWatch statistic: Average, Maximum, Minimum, Sum, SampleCount or pNN(.N)",
    )


def check_email(problems: Problems, prop: str, address: str) -> bool:
    """An email address (tokens are accepted unchecked: they resolve at deploy time)."""
    if isinstance(address, str) and Token.is_unresolved(address):
        return True
    return problems.check(
        isinstance(address, str) and bool(_EMAIL.fullmatch(address)),
        prop,
        address,
        "an email address such as ops@x.io",
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

    def check(self, problems: Problems, prop: str = "alarm_window") -> bool:
        """Record every way CloudWatch would refuse this window; return whether it is valid."""
        before = len(problems.errors)
        typed = [
            problems.check(
                isinstance(value, expected) and not isinstance(value, bool),
                f"{prop}.{name}",
                value,
                f"{label} (got {type(value).__name__})",
            )
            for name, value, expected, label in (
                ("period", self.period, Duration, "a Duration"),
                ("evaluation_periods", self.evaluation_periods, int, "an int"),
                ("datapoints_to_alarm", self.datapoints_to_alarm, int, "an int"),
            )
        ]
        if not all(typed):
            return False
        seconds = self.period.to_seconds()
        problems.check(
            seconds >= 60 and seconds % 60 == 0,
            f"{prop}.period",
            self.period.to_human_string(),
            "a whole number of minutes (AWS metrics have one-minute resolution at best)",
        )
        problems.check(
            self.evaluation_periods >= 1,
            f"{prop}.evaluation_periods",
            self.evaluation_periods,
            "must be >= 1",
        )
        problems.check(
            1 <= self.datapoints_to_alarm <= self.evaluation_periods,
            f"{prop}.datapoints_to_alarm",
            self.datapoints_to_alarm,
            f"1..evaluation_periods ({self.evaluation_periods})",
        )
        limit = _WEEK_SECONDS if seconds >= 3600 else _DAY_SECONDS
        problems.check(
            self.evaluation_periods * seconds <= limit,
            f"{prop}.evaluation_periods",
            self.evaluation_periods,
            f"period x evaluation_periods must be <= {limit // 3600} hours (CloudWatch limit)",
        )
        return len(problems.errors) == before


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
        distribution_5xx_error_rate_percent: CloudFront ``5xxErrorRate``. Default 5.
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
    distribution_5xx_error_rate_percent: float = 5

    def check(self, problems: Problems, prop: str = "thresholds") -> bool:
        """Record every threshold that could never make sense; return whether all are valid."""
        before = len(problems.errors)
        for spec in fields(self):
            value = getattr(self, spec.name)
            name = f"{prop}.{spec.name}"
            if spec.name == "api_latency_statistic":
                check_statistic(problems, name, value)
            elif spec.name.endswith("_percent"):
                check_percent(problems, name, value)
            elif spec.name.endswith("_fraction"):
                if check_number(problems, name, value):
                    problems.check(0 < value <= 1, name, value, "a fraction in (0, 1]")
            else:
                check_positive(problems, name, value)
        return len(problems.errors) == before


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

    def check(self, problems: Problems, prop: str) -> bool:
        """Record every way AWS Budgets would refuse this budget; return whether it is valid."""
        before = len(problems.errors)
        if problems.check(isinstance(self.name, str), f"{prop}.name", self.name, "a str"):
            with problems.collecting(f"{prop}.name", self.name):
                validate_name(ResourceKind.BUDGET, self.name)
        limit = self.limit_usd
        if check_number(problems, f"{prop}.limit_usd", limit):
            problems.check(
                limit is not None and limit > 0, f"{prop}.limit_usd", limit, "must be > 0 USD"
            )
        thresholds: dict[str, Sequence[float]] = {
            "percent": self.thresholds_percent,
            "usd": self.thresholds_usd,
        }
        sequences = [
            problems.check_sequence(f"{prop}.thresholds_{kind}", values, (int, float), "numbers")
            for kind, values in thresholds.items()
        ]
        if all(sequences):
            for kind, values in thresholds.items():
                name = f"{prop}.thresholds_{kind}"
                check = check_percent if kind == "percent" else check_positive
                for value in values:
                    check(problems, name, value)
                problems.check(
                    len(set(values)) == len(values), name, list(values), "each threshold once"
                )
            count = len(self.thresholds_percent) + len(self.thresholds_usd)
            problems.check(
                1 <= count <= MAX_BUDGET_NOTIFICATIONS,
                f"{prop}.thresholds_percent",
                [*self.thresholds_percent, *(f"${v}" for v in self.thresholds_usd)],
                f"1-{MAX_BUDGET_NOTIFICATIONS} thresholds in all (AWS Budgets limit per budget)",
            )
        if problems.check_sequence(f"{prop}.email_addresses", self.email_addresses, str, "str"):
            problems.check(
                len(self.email_addresses) <= MAX_BUDGET_EMAILS,
                f"{prop}.email_addresses",
                list(self.email_addresses),
                f"at most {MAX_BUDGET_EMAILS} addresses per notification (AWS Budgets limit)",
            )
            for address in self.email_addresses:
                check_email(problems, f"{prop}.email_addresses", address)
        tags = self.cost_allocation_tags
        if problems.check_type(f"{prop}.cost_allocation_tags", tags, Mapping, "a mapping"):
            for tag_key, tag_value in tags.items():
                problems.check(
                    isinstance(tag_key, str)
                    and isinstance(tag_value, str)
                    and bool(tag_key)
                    and bool(tag_value)
                    and "$" not in tag_key,
                    f"{prop}.cost_allocation_tags",
                    {tag_key: tag_value},
                    "non-empty tag keys and values; keys without '$'",
                )
        return len(problems.errors) == before
