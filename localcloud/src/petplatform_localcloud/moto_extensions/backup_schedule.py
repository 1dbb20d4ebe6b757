"""AWS Backup schedules on a clock the caller controls, and ``LocalCloud.backup``.

A test cannot wait for 05:00 UTC, so the local cloud keeps a backup clock of its own:
``cloud.backup.advance(hours=24)`` moves it forward and runs, at each minute a plan rule's
``cron(...)`` ``ScheduleExpression`` names, that rule's jobs (:func:`.backup_jobs.run_backup_plan`),
in every region with plans. The clock starts at the cloud's start, on the minute.

Cron fields are AWS's six (minute, hour, day of month, month, day of week, year) with ``*``,
``?``, lists, ranges, steps and month and day names; ``L``, ``W`` and ``#`` are refused, loudly.
Jobs complete at the minute they start (the start and completion windows are not emulated).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from moto.backup.models import backup_backends

from petplatform_localcloud.moto_extensions import backup_jobs
from petplatform_localcloud.moto_extensions.backup_jobs import BackupJob, RecoveryPoint

__all__ = ["Cron", "LocalBackup", "ScheduledRun"]

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# (lowest, highest, names) per field: minute, hour, day of month, month, day of week, year.
_FIELDS = ((0, 59, ()), (0, 23, ()), (1, 31, ()), (1, 12, _MONTHS), (1, 7, _DAYS), (1970, 2199, ()))


def _value(text: str, low: int, names: Sequence[str]) -> int:
    upper = text.upper()
    return names.index(upper) + low if upper in names else int(text)


def _parse_field(text: str, low: int, high: int, names: Sequence[str]) -> frozenset[int] | None:
    """The values a field allows; ``None`` for any (``*`` or ``?``)."""
    if text in ("*", "?"):
        return None
    allowed: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _value(first, low, names), _value(last, low, names)
        else:
            start = _value(base, low, names)
            end = high if step_text else start
        if not low <= start <= end <= high or step < 1:
            raise ValueError(f"out of range {low}-{high}")
        allowed.update(range(start, end + 1, step))
    return frozenset(allowed)


@dataclass(frozen=True)
class Cron:
    """An AWS ``cron(...)`` expression, evaluated in UTC."""

    expression: str
    fields: tuple[frozenset[int] | None, ...]

    @classmethod
    def parse(cls, expression: str) -> Cron:
        match = re.fullmatch(r"cron\((.*)\)", expression.strip())
        parts = match.group(1).split() if match else []
        if len(parts) != 6 or any(c in "".join(parts) for c in "LW#"):
            raise ValueError(
                f"schedule {expression!r}: the local cloud runs cron(min hour day month weekday "
                "year) with *, ?, lists, ranges, steps and names (not L, W or #)"
            )
        try:
            fields = tuple(_parse_field(p, *spec) for p, spec in zip(parts, _FIELDS, strict=True))
        except ValueError as exc:
            raise ValueError(f"schedule {expression!r}: {exc}") from exc
        return cls(expression, fields)

    def matches(self, when: datetime) -> bool:
        """Whether the schedule fires at minute ``when`` (UTC)."""
        weekday = (when.isoweekday() % 7) + 1  # AWS: 1 = Sunday
        values = (when.minute, when.hour, when.day, when.month, weekday, when.year)
        return all(f is None or v in f for f, v in zip(self.fields, values, strict=True))

    def fire_times(self, after: datetime, until: datetime) -> list[datetime]:
        """Every minute in ``(after, until]`` at which the schedule fires."""
        minute = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        found = []
        while minute <= until:
            if self.matches(minute):
                found.append(minute)
            minute += timedelta(minutes=1)
        return found


@dataclass(frozen=True)
class ScheduledRun:
    """One scheduled run of a plan rule: when, where, and its jobs."""

    at: datetime
    region: str
    plan_id: str
    rule_name: str
    jobs: tuple[BackupJob, ...]


class LocalBackup:
    """AWS Backup's jobs and schedules in a running local cloud (``cloud.backup``)."""

    def __init__(self, account_id: str, now: datetime | None = None) -> None:
        self.account_id = account_id
        start = now or datetime.now(timezone.utc)
        self.now = start.replace(second=0, microsecond=0)
        """The backup clock (UTC). Only :meth:`advance` and :meth:`run_due_jobs` move it."""

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0
    ) -> list[ScheduledRun]:
        """Move the clock forward and run every plan rule whose schedule fired meanwhile."""
        return self.run_due_jobs(self.now + timedelta(days=days, hours=hours, minutes=minutes))

    def run_due_jobs(self, now: datetime) -> list[ScheduledRun]:
        """Run, in time order, every rule of every plan (all regions) that is due in
        ``(clock, now]``, once per time it fired; then set the clock to ``now``."""
        if now < self.now:
            raise ValueError(f"the backup clock is at {self.now}; it cannot go back to {now}")
        due: list[tuple[datetime, str, str, str]] = []
        for region, backend in list(backup_backends[self.account_id].items()):
            for plan_id, plan in list(backend.plans.items()):
                for rule in plan.backup_plan["Rules"]:
                    schedule = rule.get("ScheduleExpression")
                    if schedule:
                        for at in Cron.parse(schedule).fire_times(self.now, now):
                            due.append((at, region, plan_id, rule["RuleName"]))
        runs = []
        for at, region, plan_id, rule_name in sorted(due):
            jobs = backup_jobs.run_backup_plan(
                self.account_id, region, plan_id, at=at, rules=(rule_name,)
            )
            runs.append(ScheduledRun(at, region, plan_id, rule_name, tuple(jobs)))
        self.now = now
        return runs

    def run_plan(self, region: str, plan_id: str) -> list[BackupJob]:
        """Run every rule of a plan now, on demand (``StartBackupJob`` for its resources)."""
        return backup_jobs.run_backup_plan(self.account_id, region, plan_id, at=self.now)

    def fail_next_job(self, region: str, kind: str, reason: str) -> None:
        """Make the next ``"backup"`` or ``"copy"`` job started in ``region`` fail."""
        backup_jobs.fail_next_job(self.account_id, region, kind, reason)

    def recovery_points(self, region: str, vault_name: str) -> list[RecoveryPoint]:
        """The recovery points of a vault, oldest first."""
        return backup_jobs.recovery_points(self.account_id, region, vault_name)

    def restore_table(self, recovery_point_arn: str, table_name: str) -> str:
        """Restore a table's recovery point to a new table in its region; its ARN."""
        return backup_jobs.restore_table(self.account_id, recovery_point_arn, table_name)

    def restore_bucket(self, recovery_point_arn: str, bucket_name: str) -> str:
        """Restore a bucket's recovery point to a new bucket in its region; its name."""
        return backup_jobs.restore_bucket(self.account_id, recovery_point_arn, bucket_name)
