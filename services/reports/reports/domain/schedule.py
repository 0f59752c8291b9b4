"""Cron schedules in an IANA time zone: validation, due times, and the period a run covers.

Due times are computed in the schedule's own time zone (so "09:00 Asia/Tokyo" stays 09:00
there) and stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter

CRON_FIELDS = 5


class InvalidSchedule(ValueError):
    pass


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> ZoneInfo:
    if name not in _zones():
        raise InvalidSchedule(f"{name!r} is not an IANA time zone (e.g. Asia/Tokyo)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSchedule(f"{name!r} is not an IANA time zone") from exc


def check_cron(expression: str) -> str:
    """Five fields (minute hour day-of-month month day-of-week) that fire at least once."""
    fields = expression.split()
    if len(fields) != CRON_FIELDS or not croniter.is_valid(expression):
        raise InvalidSchedule(
            f"{expression!r} is not a cron expression of five fields "
            "(minute hour day-of-month month day-of-week), e.g. '0 9 * * 1'"
        )
    try:
        croniter(expression, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except Exception as exc:  # croniter gives up on dates that never come (31 February)
        raise InvalidSchedule(f"{expression!r} never fires") from exc
    return " ".join(fields)


def next_due_after(expression: str, timezone: str, moment: datetime) -> datetime:
    """The first due time strictly after ``moment``, in UTC."""
    local = moment.astimezone(ZoneInfo(timezone))
    due: datetime = croniter(expression, local).get_next(datetime)
    return due.astimezone(UTC)


def latest_due_at_or_before(expression: str, timezone: str, moment: datetime) -> datetime:
    """The last due time not after ``moment``, in UTC (due times are whole minutes)."""
    local = moment.astimezone(ZoneInfo(timezone)) + timedelta(seconds=1)
    due: datetime = croniter(expression, local).get_prev(datetime)
    return due.astimezone(UTC)


def period_for(expression: str, timezone: str, due_at: datetime) -> tuple[date, date]:
    """The local dates a run covers: from the previous due date to the day before this one.

    A weekly Monday run covers the previous Monday to Sunday; a monthly run on the 1st covers
    the previous month; a run more often than daily covers its own day.
    """
    zone = ZoneInfo(timezone)
    due_local = due_at.astimezone(zone)
    previous = croniter(expression, due_local).get_prev(datetime).astimezone(zone)
    start, end = previous.date(), due_local.date() - timedelta(days=1)
    if end < start:
        return due_local.date(), due_local.date()
    return start, end
