"""The local cloud's AWS Backup clock: cron schedules as AWS Backup reads them (no server)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from petplatform_localcloud import LocalCloud, LocalCloudError
from petplatform_localcloud.moto_extensions.backup_schedule import Cron

pytestmark = pytest.mark.localcloud


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.utc)  # 2026-03-01 is a Sunday


def test_a_daily_schedule_fires_once_a_day_at_its_minute() -> None:
    daily = Cron.parse("cron(0 5 * * ? *)")
    assert daily.fire_times(_at(1, 0), _at(3, 0)) == [_at(1, 5), _at(2, 5)]
    assert daily.fire_times(_at(1, 5), _at(2, 4, 59)) == []  # the start is excluded


def test_lists_ranges_steps_and_names() -> None:
    weekdays = Cron.parse("cron(30 */12 ? * MON-FRI *)")
    fired = weekdays.fire_times(_at(1, 0), _at(3, 23))  # Sunday to Tuesday
    assert fired == [_at(2, 0, 30), _at(2, 12, 30), _at(3, 0, 30), _at(3, 12, 30)]
    sunday = Cron.parse("cron(0 1 ? MAR 1 2026)")  # day of week 1 is Sunday, as in AWS
    assert sunday.fire_times(_at(1, 0), _at(8, 0)) == [_at(1, 1)]


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 day)",
        "cron(0 5 * * *)",
        "cron(0 5 L * ? *)",
        "cron(0 25 * * ? *)",
        "cron(x 5 * * ? *)",
    ],
)
def test_what_the_clock_cannot_run_is_refused_loudly(expression: str) -> None:
    with pytest.raises(ValueError, match="schedule"):
        Cron.parse(expression)


def test_the_clock_needs_a_running_cloud() -> None:
    with pytest.raises(LocalCloudError, match="started"):
        _ = LocalCloud().backup
