"""Mobility clearance as data: the checklist of an accepted exchange by direction, who keeps
each item and which statuses it takes, the stages the secretariat sees, the reminder's rule.

PRODUCT.md, *Export control and mobility clearance*. The services layer works out who the
caller is to the exchange (home, host) and asks ``check_change`` whether the change may be made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from programmes.domain.transitions import WHO, Relation
from setu_contract.errors import Conflict, Forbidden, Invalid, NotFound

HOME, HOST = Relation.HOME, Relation.HOST
JP_TO_IN, IN_TO_JP = "JP_TO_IN", "IN_TO_JP"
PENDING = "pending"
# A stay longer than this needs FRRO registration in India (Foreigners Regional
# Registration Office: a visa for more than 180 days).
FRRO_AFTER_DAYS = 180
# The home organisation is reminded this long before the start of an exchange whose
# Certificate of Eligibility or visa has not been applied for.
REMINDER_BEFORE = timedelta(days=120)

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Item:
    """One item of a checklist: the statuses it moves through (``pending`` first), who keeps
    it, and the statuses that carry an actual date (a date that cannot be in the future)."""

    name: str
    statuses: tuple[str, ...]
    kept_by: Relation
    actual_date: frozenset[str] = frozenset()
    # Only for stays longer than this many days (None: every stay).
    longer_than_days: int | None = None


def _item(
    name: str, statuses: str, kept_by: Relation, actual: str = "", longer: int | None = None
) -> Item:
    return Item(name, (PENDING, *statuses.split()), kept_by, frozenset(actual.split()), longer)


ITEMS = {
    item.name: item
    for item in (
        # The host in Japan applies for the Certificate of Eligibility to the Immigration
        # Services Agency; the person then applies for the visa from India.
        _item("certificate_of_eligibility", "applied issued refused", HOST),
        _item("visa", "applied issued refused", HOME),
        _item("residence_card", "issued", HOST),
        _item("research_visa", "applied issued refused", HOME),
        _item("frro_registration", "registered", HOST, longer=FRRO_AFTER_DAYS),
        _item("insurance", "arranged", HOME),
        _item("housing", "arranged", HOST),
        _item("arrival", "arrived", HOST, actual="arrived"),
        _item("departure", "departed", HOST, actual="departed"),
    )
}

BOTH = ("insurance", "housing")
CHECKLISTS: dict[str, tuple[str, ...]] = {
    IN_TO_JP: (
        "certificate_of_eligibility",
        "visa",
        *BOTH,
        "arrival",
        "residence_card",
        "departure",
    ),
    JP_TO_IN: ("research_visa", *BOTH, "arrival", "frro_registration", "departure"),
}

# The items whose application the reminder waits for, by direction.
APPLIED_BEFORE_START = {
    IN_TO_JP: ("certificate_of_eligibility", "visa"),
    JP_TO_IN: ("research_visa",),
}
APPLIED = frozenset({"applied", "issued", "refused"})

# Stages of an exchange, latest first: the first whose items all stand at one of the given
# statuses is the exchange's stage; none: ``awaiting_documents``. ``blocked`` (a document
# refused) comes before all.
STAGES: dict[str, tuple[tuple[str, dict[str, frozenset[str]]], ...]] = {
    direction: (
        ("departed", {"departure": frozenset({"departed"})}),
        ("arrived", {"arrival": frozenset({"arrived"})}),
        ("travelling", {visa: frozenset({"issued"})}),
        ("visa", first_steps),
    )
    for direction, visa, first_steps in (
        (IN_TO_JP, "visa", {"certificate_of_eligibility": frozenset({"issued"})}),
        (JP_TO_IN, "research_visa", {"research_visa": frozenset({"applied"})}),
    )
}
STAGE_NAMES = ("blocked", "awaiting_documents", "visa", "travelling", "arrived", "departed")
REFUSED = "refused"


def stay_days(start: date, end: date) -> int:
    return (end - start).days


def checklist(direction: str, start: date, end: date) -> tuple[str, ...]:
    """The items of an exchange in ``direction`` from ``start`` to ``end``, in order."""
    days = stay_days(start, end)
    return tuple(name for name in CHECKLISTS[direction] if _applies(ITEMS[name], days))


def _applies(item: Item, days: int) -> bool:
    return item.longer_than_days is None or days > item.longer_than_days


def stage(direction: str, statuses: dict[str, str]) -> str:
    """The stage of an exchange whose items stand at ``statuses`` (missing: pending)."""
    if REFUSED in statuses.values():
        return "blocked"
    for name, needs in STAGES[direction]:
        if all(statuses.get(item, PENDING) in allowed for item, allowed in needs.items()):
            return name
    return "awaiting_documents"


def check_change(
    direction: str,
    start: date,
    end: date,
    name: str,
    relations: set[Relation] | frozenset[Relation],
    status: str,
    day: date | None,
    today: date,
) -> date | None:
    """The date ``name`` is set with to ``status`` (``day``; today for a status that takes
    no actual date, if none is given; none while pending), or the domain error that stops
    the change."""
    item = ITEMS.get(name)
    if item is None or name not in CHECKLISTS[direction]:
        raise NotFound(f"no checklist item {name!r} for an exchange {direction}")
    if name not in checklist(direction, start, end):
        raise Conflict(
            f"{name} applies only to stays longer than {item.longer_than_days} days; this "
            f"one is {stay_days(start, end)} days",
            {"item": name, "stay_days": stay_days(start, end)},
        )
    if item.kept_by not in relations:
        raise Forbidden(f"only {WHO[item.kept_by]} may set {name}")
    errors: Errors = {}
    if status not in item.statuses:
        errors["status"] = [f"must be one of: {', '.join(item.statuses)}"]
    elif status in item.actual_date:
        if day is None:
            errors["date"] = ["the actual date is needed for this status"]
        elif day > today:
            errors["date"] = ["an actual date cannot be in the future"]
    if errors:
        raise Invalid(f"{name} cannot be set so", errors)
    if status == PENDING:
        return None
    return today if day is None else day


def order_errors(name: str, day: date | None, dates: dict[str, date | None]) -> Errors:
    """A departure is recorded after the arrival, and not before it."""
    if name != "departure" or day is None:
        return {}
    arrived = dates.get("arrival")
    if arrived is None:
        return {"date": ["record the arrival before the departure"]}
    if day < arrived:
        return {"date": [f"the departure cannot be before the arrival ({arrived.isoformat()})"]}
    return {}


def reminder_due(
    direction: str, start: date, statuses: dict[str, str], today: date
) -> tuple[str, ...]:
    """The items not yet applied for when the reminder is due (``REMINDER_BEFORE`` or less
    before ``start``, and the exchange not started); empty: no reminder."""
    if not start - REMINDER_BEFORE <= today < start:
        return ()
    return tuple(
        name
        for name in APPLIED_BEFORE_START[direction]
        if statuses.get(name, PENDING) not in APPLIED
    )
