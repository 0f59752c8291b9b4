"""What reports exist, in which formats, and the vocabularies they count over (plain data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from setu_contract import vocabulary
from setu_contract.vocabulary import CAREER_STAGES as CAREER_STAGES  # re-exported
from setu_contract.vocabulary import FOCUS_AREAS as FOCUS_AREAS
from setu_contract.vocabulary import PROGRAMME_STATUSES as PROGRAMME_STATUSES

PROGRAMME_PORTFOLIO = "programme_portfolio"
EXCHANGE_FLOWS = "exchange_flows"
PARTNER_ACTIVITY = "partner_activity"
BUDGET_COMMITMENTS = "budget_commitments"
CALL_OUTCOMES = "call_outcomes"
COMPLIANCE = "compliance"
REPORT_TYPES = vocabulary.REPORT_TYPES  # the contract's list: the console offers the same

# The one Content-Type of each format's download (JSON is UTF-8 by definition: no charset).
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
# The formats whose words are in the report's language (csv and json keep the codes).
LOCALISED_FORMATS = ("html", "pdf")
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


def period_name(start: date, end: date) -> str:
    """A period as a person names it: 2026, 2026-Q1, 2026-03, 2026-W14, 2026-03-05, or
    2026-03-05-to-2026-04-20 when it is none of those."""
    after = end + timedelta(days=1)
    if start.day == 1 and after.day == 1:  # whole calendar months
        months = (after.year - start.year) * 12 + after.month - start.month
        if months == 12 and start.month == 1:
            return f"{start.year}"
        if months == 3 and start.month % 3 == 1:
            return f"{start.year}-Q{start.month // 3 + 1}"
        if months == 1:
            return f"{start:%Y-%m}"
        return f"{start:%Y-%m}-to-{end:%Y-%m}"
    if start.isoweekday() == 1 and (end - start).days == 6:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()}-to-{end.isoformat()}"


def download_name(report_type: str, fmt: str, start: date, end: date, language: str) -> str:
    """setu-programme-portfolio-2026-Q1.pdf: what the download is saved as (the html and pdf
    of another language than English say which: ...-2026-Q1-ja.pdf)."""
    suffix = f"-{language}" if fmt in LOCALISED_FORMATS and language != "en" else ""
    return f"setu-{report_type.replace('_', '-')}-{period_name(start, end)}{suffix}.{fmt}"
