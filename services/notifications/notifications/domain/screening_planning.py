"""Who is told of export-control screenings (PRODUCT.md): the secretariat people of a side
whose approval a screening has just unblocked; the secretariat (its shared address and the
people of the licence's side) 30 days before a licence expires and on the day it expires."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifications.domain import recipients as rcpt
from notifications.domain.recipients import Directory

if TYPE_CHECKING:
    from notifications.domain.planning import Plan, Settings


def _context(data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    licence = data.get("licence") or {}
    return {
        "kind": "programme",
        "id": data["programme_id"],
        "reference": data["programme_reference"],
        "title": data.get("programme_title") or "",
        "jurisdiction": data["jurisdiction"],
        "regime": data["regime"],
        "licence_number": licence.get("number") or "",
        "authority": licence.get("authority") or "",
        "valid_until": licence.get("valid_until"),
        "link": f"{settings.public_url}/console/programmes/{data['programme_id']}",
    }


def _recorded(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    context = _context(data, settings)
    for side in data.get("approval_awaited_from") or []:
        plan.to_secretariat_people(directory, side, "screening_unblocked", context)


def _notice(template: str):  # type: ignore[no-untyped-def]
    def rule(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
        context = _context(data, settings)
        plan.to(rcpt.secretariat(settings.secretariat_email), template, context)
        plan.to_secretariat_people(directory, data["jurisdiction"], template, context)

    return rule


SCREENING_RULES = {
    "screening.recorded": _recorded,
    "screening.licence_expiring": _notice("licence_expiring"),
    "screening.licence_expired": _notice("licence_expired"),
}
