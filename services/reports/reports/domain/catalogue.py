"""What reports exist, in which formats, and the vocabularies they count over (plain data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from setu_contract.vocabulary import CAREER_STAGES, FOCUS_AREAS, PROGRAMME_STATUSES  # noqa: F401 (re-exported)

PROGRAMME_PORTFOLIO = "programme_portfolio"
EXCHANGE_FLOWS = "exchange_flows"
PARTNER_ACTIVITY = "partner_activity"
BUDGET_COMMITMENTS = "budget_commitments"
REPORT_TYPES = (PROGRAMME_PORTFOLIO, EXCHANGE_FLOWS, PARTNER_ACTIVITY, BUDGET_COMMITMENTS)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
FORMATS = tuple(CONTENT_TYPES)

JOB_STATUSES = ("queued", "running", "succeeded", "failed")

# Statuses in which a programme's budget counts as committed (it has been approved).
COMMITTED_STATUSES = ("approved", "active", "completed")
DIRECTIONS = ("JP_TO_IN", "IN_TO_JP")
# Minor units per currency unit: JPY is whole yen, INR has paise.
MINOR_UNITS = {"JPY": 1, "INR": 100}
# A period may cover at most this many days (ten years).
MAX_PERIOD_DAYS = 3660


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): the period's dates are inclusive."""
    lower = datetime.combine(start, time.min, tzinfo=UTC)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return lower, upper


def file_name(report_type: str, fmt: str, start: date, end: date) -> str:
    return f"{report_type}_{start.isoformat()}_{end.isoformat()}.{fmt}"
