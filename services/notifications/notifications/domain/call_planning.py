"""Who is told of calls for proposals and expert review (PRODUCT.md): reviewers of their
assignments and of reviews soon due, the secretariat of a declared conflict, partners with
drafts of a call about to close. Reviewers are written to by the address, language and time
zone the event carries; partners through the organisation read model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifications.domain import recipients as rcpt
from notifications.domain.recipients import Directory, Recipient

if TYPE_CHECKING:
    from notifications.domain.planning import Plan, Settings


def _reviewer(data: dict[str, Any]) -> Recipient | None:
    person = data["reviewer"]
    if not person.get("email"):
        return None  # the person was deactivated and erased: nobody to write to
    return Recipient(
        person["email"],
        rcpt.language_of(person.get("language")),
        (person.get("time_zone") or "UTC",),
        None,
        person.get("name"),
    )


def _review_context(data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    return {
        "kind": "review",
        "id": data["id"],
        "reference": data["programme_reference"],
        "title": data["programme_title"],
        "call_title": data["call_title"],
        "due_at": data["due_at"],
        "link": f"{settings.public_url}/console/reviews/{data['id']}",
    }


def _assigned(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    plan.to(_reviewer(data), "review_assigned", _review_context(data, settings))


def _reminder(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    plan.to(_reviewer(data), "review_reminder", _review_context(data, settings))


def _conflict(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    context = {
        **_review_context(data, settings),
        "reviewer_name": data["reviewer"].get("name") or "",
        "reason": data["reason"],
        "link": f"{settings.public_url}/console/programmes/{data['programme_id']}",
    }
    plan.to(rcpt.secretariat(settings.secretariat_email), "conflict_declared", context)


def _closing(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    """Each organisation with drafts for the call: one email naming its drafts."""
    drafts_of: dict[str, list[str]] = {}
    for draft in data["drafts"]:
        for organisation_id in draft["organisation_ids"]:
            drafts_of.setdefault(organisation_id, []).append(draft["reference"])
    for organisation_id, references in drafts_of.items():
        context = {
            "kind": "call",
            "id": data["id"],
            "reference": ", ".join(references),
            "call_title": data["title"],
            "closes_at": data["closes_at"],
            "link": f"{settings.public_url}/console/calls/{data['id']}",
        }
        plan.to_organisation(directory, organisation_id, "call_closing_reminder", context)


CALL_RULES = {
    "review.assigned": _assigned,
    "review.reminder": _reminder,
    "conflict.declared": _conflict,
    "call.closing_reminder": _closing,
}
