"""Export-control screening as data: which programmes need it, each side's regime and
licensing authority, what a screening must say, which outcomes let an approval or an accept
through, and the licence clock (a warning before expiry, a hold from the day it expires).

A licence is valid up to and including its ``valid_until`` day (UTC); it has expired from the
next day on, which is "the day" the hold is put on and the secretariat is told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Focus areas (by prefix or whole name) whose programmes move controlled technology.
CONTROLLED_FOCUS_PREFIXES = ("semiconductor_",)
CONTROLLED_FOCUS_AREAS = frozenset({"supply_chain_resilience"})

SIDES = ("JP", "IN")
# Each side's export-control regime and the authority that licenses under it.
REGIME = {"JP": "FEFTA", "IN": "SCOMET"}
AUTHORITY = {"JP": "METI", "IN": "DGFT"}
REGIMES = tuple(REGIME.values())
AUTHORITIES = tuple(AUTHORITY.values())
BASES = ("list", "catch_all")
OUTCOMES = ("cleared", "licence_required", "denied", "needs_information")
# Outcomes that decide the screening (needs_information is still open).
DECIDED = frozenset({"cleared", "licence_required", "denied"})
# A screening lets an approval or an accept through with these outcomes (a licence must
# also be valid).
PASSING = frozenset({"cleared", "licence_required"})
# A denied screening is final: it blocks approval for good and is never superseded.
FINAL = frozenset({"denied"})
MAX_CLASSIFICATION, MAX_LICENCE_NUMBER, MAX_NOTES = 100, 100, 5000

HOLD_LICENCE_EXPIRED = "export_licence_expired"
# The secretariat is told this long before a licence expires, and on the day.
NOTICES = {"30d": timedelta(days=30), "expired": timedelta(0)}

Errors = dict[str, list[str]]


def needs_screening(focus_area: str, technology_transfer: Mapping[str, Any] | None) -> bool:
    """A programme needs a screening by each side when its focus area moves controlled
    technology or its partners declare controlled items."""
    if focus_area in CONTROLLED_FOCUS_AREAS or focus_area.startswith(CONTROLLED_FOCUS_PREFIXES):
        return True
    return bool((technology_transfer or {}).get("controlled_items_expected"))


def check_screening(fields: Mapping[str, Any]) -> Errors:
    """What is wrong with a screening across its fields (each field's own type and choices
    are the schema's): the regime and authority are those of its jurisdiction; a licence
    is given exactly when the outcome is licence_required."""
    errors: Errors = {}
    jurisdiction = fields["jurisdiction"]
    if fields["regime"] != REGIME[jurisdiction]:
        errors["regime"] = [f"{jurisdiction} screens under {REGIME[jurisdiction]}"]
    licence = fields.get("licence")
    if fields["outcome"] == "licence_required":
        if not licence:
            errors["licence"] = [
                "a licence (number, authority, valid_until) is required when the outcome "
                "is licence_required"
            ]
        elif licence["authority"] != AUTHORITY[jurisdiction]:
            errors["licence.authority"] = [
                f"{jurisdiction} licences are issued by {AUTHORITY[jurisdiction]}"
            ]
    elif licence:
        errors["licence"] = ["a licence is given only when the outcome is licence_required"]
    return errors


def expiry_day(valid_until: date) -> date:
    """The first day a licence valid until ``valid_until`` is no longer valid."""
    return valid_until + timedelta(days=1)


def licence_valid(valid_until: date | None, today: date) -> bool:
    return valid_until is not None and today <= valid_until


def held(licence_expires_on: date | None, today: date) -> list[str]:
    """The programme's holds: its earliest current licence has expired."""
    if licence_expires_on is not None and today >= expiry_day(licence_expires_on):
        return [HOLD_LICENCE_EXPIRED]
    return []


def notice_due(valid_until: date, today: date, sent: Iterable[str]) -> list[str]:
    """The notices now due of a licence valid until ``valid_until`` that have not been sent,
    earliest first. A notice whose time passed unsent is still sent: the secretariat is
    told late rather than not at all (but the 30-day warning not once it has expired)."""
    done = set(sent)
    expires = expiry_day(valid_until)
    if today >= expires:
        return [] if "expired" in done else ["expired"]
    if today >= expires - NOTICES["30d"] and "30d" not in done:
        return ["30d"]
    return []


@dataclass(frozen=True)
class Standing:
    """Where a subject's screenings stand for one purpose: what is missing (by side, with
    why) and whether one is denied."""

    missing: dict[str, str]
    denied: list[str]

    @property
    def clear(self) -> bool:
        return not self.missing and not self.denied


def standing(
    current: Mapping[str, Mapping[str, Any]], sides: Iterable[str], today: date
) -> Standing:
    """How the current screening of each of ``sides`` (side -> {outcome, licence_valid_until})
    stands: each side needs one that passes with a valid licence, if one is required."""
    missing: dict[str, str] = {}
    denied: list[str] = []
    for side in sides:
        screening = current.get(side)
        if screening is None:
            missing[side] = "not recorded"
        elif screening["outcome"] in FINAL:
            denied.append(side)
        elif screening["outcome"] not in PASSING:
            missing[side] = screening["outcome"]
        elif screening["outcome"] == "licence_required" and not licence_valid(
            screening.get("licence_valid_until"), today
        ):
            missing[side] = "licence expired"
    return Standing(missing, denied)


def describe(standing_: Standing, what: str) -> str:
    """The 409's message for a standing that is not clear."""
    if standing_.denied:
        sides = ", ".join(f"{s} ({REGIME[s]})" for s in standing_.denied)
        return f"{what}: the {sides} screening denied it; it is blocked for good"
    named = "; ".join(f"{s} ({REGIME[s]}): {why}" for s, why in standing_.missing.items())
    return f"{what} until the screenings are cleared or licensed: missing {named}"


def programme_screening(needed: bool, screened_sides: Iterable[str] | None) -> str:
    """What partners see of a programme's screening: not_required, pending or complete (each
    side has decided)."""
    if not needed:
        return "not_required"
    return "complete" if set(screened_sides or ()) >= set(SIDES) else "pending"
