"""Who is told of mobility clearance (PRODUCT.md): the home organisation of an accepted
exchange whose Certificate of Eligibility or visa has not been applied for 120 days before
its start. (A freed slot offered to the waitlist is an application's move: planning.py.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifications.domain.recipients import Directory

if TYPE_CHECKING:
    from notifications.domain.planning import Plan, Settings


def _reminder(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    context = {
        "kind": "application",
        "id": data["id"],
        "reference": data["reference"],
        "direction": data["direction"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "items": list(data["items"]),
        "link": f"{settings.public_url}/console/applications/{data['id']}",
    }
    plan.to_organisation(directory, data["home_organisation_id"], "mobility_reminder", context)


MOBILITY_RULES = {"mobility.reminder": _reminder}
