"""Cron and time-zone rules of report schedules, due times and the period each run covers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reports.domain.schedule import (
    InvalidSchedule,
    check_cron,
    check_timezone,
    latest_due_at_or_before,
    next_due_after,
    period_for,
)

TOKYO_MONDAY_9 = ("0 9 * * 1", "Asia/Tokyo")
KOLKATA_FIRST_9 = ("0 9 1 * *", "Asia/Kolkata")


@pytest.mark.parametrize(
    "expression",
    ["61 25 * * *", "0 9 * *", "* * * * * *", "0 9 31 2 *", "", "every monday", "0 9 * * 8"],
)
def test_bad_cron_is_refused(expression):
    with pytest.raises(InvalidSchedule):
        check_cron(expression)


def test_good_cron_is_normalised():
    assert check_cron("0  9 * *   MON") == "0 9 * * MON"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "JST", "", "asia/tokyo", "../etc/passwd"])
def test_unknown_time_zones_are_refused(zone):
    with pytest.raises(InvalidSchedule):
        check_timezone(zone)


def test_iana_zones_are_accepted():
    assert str(check_timezone("Asia/Kolkata")) == "Asia/Kolkata"


def test_monday_nine_in_tokyo_is_sunday_midnight_utc():
    due = next_due_after(*TOKYO_MONDAY_9, datetime(2030, 1, 1, tzinfo=UTC))
    assert due == datetime(2030, 1, 7, 0, 0, tzinfo=UTC)
    assert latest_due_at_or_before(*TOKYO_MONDAY_9, due) == due
    assert latest_due_at_or_before(*TOKYO_MONDAY_9, datetime(2030, 1, 27, tzinfo=UTC)) == (
        datetime(2030, 1, 21, tzinfo=UTC)
    )


def test_first_of_month_in_kolkata_is_half_past_three_utc():
    due = next_due_after(*KOLKATA_FIRST_9, datetime(2030, 1, 15, tzinfo=UTC))
    assert due == datetime(2030, 2, 1, 3, 30, tzinfo=UTC)


def test_runs_cover_the_previous_week_or_month_in_local_dates():
    assert period_for(*TOKYO_MONDAY_9, datetime(2030, 1, 7, tzinfo=UTC)) == (
        date(2029, 12, 31),
        date(2030, 1, 6),
    )
    assert period_for(*KOLKATA_FIRST_9, datetime(2030, 2, 1, 3, 30, tzinfo=UTC)) == (
        date(2030, 1, 1),
        date(2030, 1, 31),
    )
    assert period_for("*/15 * * * *", "UTC", datetime(2030, 2, 1, 3, 30, tzinfo=UTC)) == (
        date(2030, 2, 1),
        date(2030, 2, 1),
    )
