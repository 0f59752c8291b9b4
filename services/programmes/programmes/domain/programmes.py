"""Field rules of a joint research programme that need more than one field to check."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from setu_contract.vocabulary import FOCUS_AREAS as FOCUS_AREAS  # re-exported

PARTNER_ROLES = ("lead", "member")
CURRENCIES = ("JPY", "INR")
# Decimal places each currency allows: whole yen, paise.
CURRENCY_PLACES = {"JPY": 0, "INR": 2}
MIN_PARTNERS, MAX_PARTNERS = 2, 20
MAX_EXCHANGE_SLOTS = 500
MAX_YEARS = 5

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_dates(start: date, end: date, errors: Errors) -> None:
    if end <= start:
        _add(errors, "end_date", "must be after start_date")
    elif end > add_years(start, MAX_YEARS):
        _add(errors, "end_date", f"a programme lasts at most {MAX_YEARS} years")


def check_partners(
    partners: list[Mapping[str, Any]],
    creator_id: str | None,
    countries: Mapping[str, str],
    errors: Errors,
) -> None:
    """2-20 distinct, existing partners, the creating organisation among them."""
    ids = [p["organisation_id"] for p in partners]
    if not MIN_PARTNERS <= len(ids) <= MAX_PARTNERS:
        _add(errors, "partners", f"between {MIN_PARTNERS} and {MAX_PARTNERS} partners")
    if len(set(ids)) != len(ids):
        _add(errors, "partners", "an organisation appears more than once")
    unknown = [i for i in ids if i not in countries]
    if unknown:
        _add(errors, "partners", f"no such organisation: {', '.join(sorted(set(unknown)))}")
    if creator_id is not None and creator_id not in ids:
        _add(errors, "partners", "the creating organisation must be one of the partners")


def check_amount(currency: str, amount: Decimal) -> str | None:
    if not amount.is_finite():
        return "must be a number"
    if amount < 0:
        return "must not be negative"
    places = CURRENCY_PLACES.get(currency)
    exponent = amount.normalize().as_tuple().exponent  # an int: the amount is finite
    if places is not None and isinstance(exponent, int) and -exponent > places:
        return f"{currency} amounts allow at most {places} decimal places"
    return None


def check_budget(budget: list[Mapping[str, Any]], partner_ids: set[str], errors: Errors) -> None:
    for line in budget:
        if line["organisation_id"] not in partner_ids:
            _add(errors, "budget", f"payer {line['organisation_id']} is not a partner")
        problem = check_amount(line["currency"], line["amount"])
        if problem:
            _add(errors, "budget", f"amount {line['amount']}: {problem}")


def validate_programme(
    fields: Mapping[str, Any], creator_id: str | None, countries: Mapping[str, str]
) -> Errors:
    """Cross-field rules of a whole programme; ``countries`` maps known organisations."""
    errors: Errors = {}
    check_dates(fields["start_date"], fields["end_date"], errors)
    check_partners(fields["partners"], creator_id, countries, errors)
    check_budget(fields["budget"], {p["organisation_id"] for p in fields["partners"]}, errors)
    return errors


def submission_errors(partners: list[Mapping[str, Any]]) -> Errors:
    """To be submitted a programme needs exactly one lead from Japan and one from India."""
    # A lead whose country is unknown (no such organisation) is no lead of either country.
    leads = [str(p.get("country")) for p in partners if p["role"] == "lead"]
    if sorted(leads) == ["IN", "JP"]:
        return {}
    return {"partners": ["a submitted programme needs exactly one lead from JP and one from IN"]}


def format_amount(currency: str, amount: Decimal) -> str:
    """The canonical text of an amount: whole yen, rupees with paise."""
    places = CURRENCY_PLACES.get(currency, 2)
    return f"{amount:.{places}f}"


def reference(year: int, number: int) -> str:
    return f"JIP-{year}-{number:04d}"
