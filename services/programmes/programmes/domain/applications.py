"""Field rules of a talent-exchange application that need more than one field to check."""

from __future__ import annotations

from datetime import date

from setu_contract.vocabulary import CAREER_STAGES as CAREER_STAGES  # re-exported

MIN_DAYS, MAX_DAYS = 14, 730
OPEN_PROGRAMME_STATUSES = ("approved", "active")
DIRECTIONS = {"JP": "JP_TO_IN", "IN": "IN_TO_JP"}

Errors = dict[str, list[str]]


def duration_errors(start: date, end: date) -> Errors:
    days = (end - start).days
    if MIN_DAYS <= days <= MAX_DAYS:
        return {}
    return {"end_date": [f"an exchange lasts {MIN_DAYS} to {MAX_DAYS} days; this one {days}"]}


def direction(home_country: str) -> str:
    return DIRECTIONS[home_country]


def host_errors(home_country: str, host_country: str | None, host_is_partner: bool) -> Errors:
    """The host is a partner of the programme in the other country."""
    if not host_is_partner or host_country is None:
        return {"host_organisation_id": ["must be a partner of the programme"]}
    if host_country == home_country:
        return {"host_organisation_id": ["must be in the other country than the home"]}
    return {}


def submission_errors(start: date, today: date) -> Errors:
    if start < today:
        return {"start_date": ["is in the past: move it before submitting"]}
    return {}


def reference(year: int, number: int) -> str:
    return f"TEX-{year}-{number:05d}"
