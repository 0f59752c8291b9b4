"""Calls for proposals as data: their states and transitions, the clock that moves them at
their times in their time zone, the reminders before closing, and the eligibility rules a
programme answering a call must meet (each broken rule named)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from programmes.domain.programmes import CURRENCIES, FOCUS_AREAS, check_amount
from programmes.domain.transitions import Relation, Transition

CALL_STATUSES = ("draft", "open", "closed", "decided")
S = Relation.SECRETARIAT
# The clock takes ``open`` and ``close`` at the call's times; the secretariat may take them
# earlier, and alone decides.
CALL_TRANSITIONS = {
    "open": Transition("open", frozenset({"draft"}), "open", S),
    "close": Transition("close", frozenset({"open"}), "closed", S),
    "decide": Transition("decide", frozenset({"closed"}), "decided", S),
}
CALL_EDITABLE = frozenset({"draft"})
# Partners and reviewers read calls once they are published (open or later).
PUBLISHED = frozenset({"open", "closed", "decided"})
# Partners with drafts for a call are reminded this long before it closes.
REMINDERS = {"7d": timedelta(days=7), "1d": timedelta(days=1)}

ORGANISATION_KINDS = ("university", "company", "research_institute", "government_agency")

Errors = dict[str, list[str]]


def zone(name: str) -> ZoneInfo | None:
    """The IANA time zone called ``name``, or None when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def to_utc(moment: datetime, zone_name: str) -> datetime:
    """A call's time in UTC: a time without an offset is read in the call's time zone (a
    local time that a clock change skips is read as if the change had not happened yet,
    ``fold=0``); one with an offset is that instant."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone_name))
    return moment.astimezone(UTC)


def local(moment: datetime, zone_name: str) -> datetime:
    """An instant as the call's time zone reads it."""
    return moment.astimezone(ZoneInfo(zone_name))


def due_action(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str | None:
    """The action the clock takes now, if any: a draft opens at ``opens_at``, an open call
    closes at ``closes_at``. Called again after each action, it walks a late clock through
    both (a draft found after its closing time is opened, then closed)."""
    if status == "draft" and opens_at <= now:
        return "open"
    if status == "open" and closes_at <= now:
        return "close"
    return None


def status_at(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """The status the call has at ``now`` by its clock, whether or not the beat has come."""
    while (action := due_action(status, opens_at, closes_at, now)) is not None:
        status = CALL_TRANSITIONS[action].target
    return status


def accepting(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> bool:
    """Whether a programme answering the call may be submitted at ``now``."""
    return status_at(status, opens_at, closes_at, now) == "open"


def due_reminders(
    closes_at: datetime, now: datetime, sent: set[str]
) -> tuple[list[str], str | None]:
    """The reminders to record as done now, and the one of them to send (the latest due):
    a call created five days before it closes sends no "7 days left" reminder."""
    if now >= closes_at:
        return [], None
    due = [
        kind for kind, before in REMINDERS.items() if closes_at - before <= now and kind not in sent
    ]
    if not due:
        return [], None
    latest = min(due, key=lambda kind: REMINDERS[kind])
    return due, latest


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def validate_call(fields: Mapping[str, Any]) -> Errors:
    """Rules across a call's fields (the schema checked each field alone)."""
    errors: Errors = {}
    if zone(fields["timezone"]) is None:
        _add(errors, "timezone", "not an IANA time zone, e.g. Asia/Tokyo")
        return errors
    opens_at = to_utc(fields["opens_at"], fields["timezone"])
    closes_at = to_utc(fields["closes_at"], fields["timezone"])
    if closes_at <= opens_at:
        _add(errors, "closes_at", "must be after opens_at")
    unknown = sorted(set(fields["focus_areas"]) - set(FOCUS_AREAS))
    if unknown:
        _add(errors, "focus_areas", f"unknown focus areas: {', '.join(unknown)}")
    for name in ("budget_envelope", "max_budget_per_programme"):
        for currency, amount in (fields.get(name) or {}).items():
            problem = check_amount(currency, Decimal(amount))
            if problem:
                _add(errors, name, f"{currency} {amount}: {problem}")
    rules = fields.get("eligibility") or {}
    low, high = rules.get("min_partners"), rules.get("max_partners")
    if low is not None and high is not None and low > high:
        _add(errors, "eligibility", "min_partners must not be more than max_partners")
    keys = [c["key"] for c in fields["review"]["criteria"]]
    if len(set(keys)) != len(keys):
        _add(errors, "review", "each criterion key appears once")
    return errors


@dataclass(frozen=True)
class BrokenRule:
    rule: str
    message: str


def budget_totals(budget: list[Mapping[str, Any]]) -> dict[str, Decimal]:
    """A programme's budget per currency (every currency, zero when it has no line)."""
    totals = dict.fromkeys(CURRENCIES, Decimal(0))
    for line in budget:
        totals[line["currency"]] += Decimal(line["amount"])
    return totals


def broken_rules(
    call: Mapping[str, Any], programme: Mapping[str, Any], kinds: Mapping[str, str]
) -> list[BrokenRule]:
    """Every eligibility rule of ``call`` that ``programme`` (its snapshot) breaks; ``kinds``
    maps its partners to their organisations' kinds."""
    broken: list[BrokenRule] = []
    if programme["focus_area"] not in call["focus_areas"]:
        broken.append(
            BrokenRule(
                "focus_areas",
                f"focus area {programme['focus_area']} is not one of the call's: "
                f"{', '.join(call['focus_areas'])}",
            )
        )
    rules = call.get("eligibility") or {}
    count = len(programme["partners"])
    if rules.get("min_partners") is not None and count < rules["min_partners"]:
        broken.append(
            BrokenRule(
                "min_partners", f"{count} partners; the call needs at least {rules['min_partners']}"
            )
        )
    if rules.get("max_partners") is not None and count > rules["max_partners"]:
        broken.append(
            BrokenRule(
                "max_partners", f"{count} partners; the call allows at most {rules['max_partners']}"
            )
        )
    allowed_kinds = rules.get("organisation_kinds")
    if allowed_kinds:
        odd = sorted(
            {kinds.get(p["organisation_id"], "unknown") for p in programme["partners"]}
            - set(allowed_kinds)
        )
        if odd:
            broken.append(
                BrokenRule(
                    "organisation_kinds",
                    f"partners of kind {', '.join(odd)}; "
                    f"the call admits {', '.join(allowed_kinds)}",
                )
            )
    totals = budget_totals(programme["budget"])
    for currency, cap in sorted((call.get("max_budget_per_programme") or {}).items()):
        if totals[currency] > Decimal(cap):
            broken.append(
                BrokenRule(
                    f"max_budget_per_programme.{currency}",
                    f"a budget of {totals[currency]} {currency}; "
                    f"the call allows at most {cap} {currency}",
                )
            )
    return broken
