"""Which emails an event causes, and to whom: the matrix of docs/product.md, *Emails*."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notifications.domain import recipients as rcpt
from notifications.domain.call_planning import CALL_RULES
from notifications.domain.mobility_planning import MOBILITY_RULES
from notifications.domain.recipients import Directory, Recipient
from notifications.domain.screening_planning import SCREENING_RULES

PARTNER_STATUSES = frozenset(
    {"changes_requested", "approved", "rejected", "active", "completed", "cancelled"}
)
DECISIONS = frozenset({"accepted", "rejected", "waitlisted"})


@dataclass(frozen=True)
class Settings:
    secretariat_email: str
    public_url: str


@dataclass(frozen=True)
class PlannedEmail:
    """One email to send: the unique key is (event id, recipient.email, template)."""

    recipient: Recipient
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    unsubscribable: bool = False


@dataclass
class Plan:
    """The emails of one event, and the organisations it needed but the read model lacks."""

    emails: list[PlannedEmail] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)

    def to(
        self,
        recipient: Recipient | None,
        template: str,
        context: dict[str, Any],
        unsubscribable: bool = False,
    ) -> None:
        if recipient is not None:
            self.emails.append(PlannedEmail(recipient, template, context, unsubscribable))

    def to_organisation(
        self, directory: Directory, organisation_id: str, template: str, context: dict[str, Any]
    ) -> None:
        if directory.get(organisation_id) is None:
            self.missing.add(organisation_id)
        organisation = rcpt.organisation(directory, organisation_id)
        self.to(organisation, template, {**context, "audience": "organisation"})

    def to_secretariat_people(
        self, directory: Directory, side: str, template: str, context: dict[str, Any]
    ) -> None:
        """Each active secretariat person of ``side``, by name."""
        for person in directory.secretariat_people(side):
            self.to(person, template, {**context, "audience": "person"})


Rule = Callable[[Plan, dict[str, Any], Directory, Settings], None]


def programme_link(settings: Settings, programme_id: str) -> str:
    """Every programme link opens its page in the console (after sign-in, back to it)."""
    return f"{settings.public_url}/console/programmes/{programme_id}"


def _actors(data: dict[str, Any]) -> dict[str, Any]:
    """Who acted (a person, or a key by its name) and, for an approval, both sides'
    approvers with their comments."""
    return {"actor": data.get("actor"), "approved_by": data.get("approved_by") or []}


OTHER_SIDE = {"JP": "IN", "IN": "JP"}


def _approval_awaited(
    plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings
) -> None:
    """One side has approved: the other side's secretariat people are asked for theirs."""
    if data.get("action") != "approve" or data.get("status") != "under_review":
        return
    approved = set(data.get("approvals") or [])
    context = {
        "kind": "programme",
        "id": data["id"],
        "reference": data["reference"],
        "title": data["title"],
        "comment": data.get("comment"),
        "link": programme_link(settings, data["id"]),
        **_actors(data),
    }
    for side in sorted(set(OTHER_SIDE) - approved):
        plan.to_secretariat_people(directory, side, "approval_awaited", context)


def _to_person(template: str) -> Rule:
    """An email to the person an event is about: its invitation, a sign-in link, a lockout.
    The person's address is the read model's (a person erased since gets nothing); the link
    is carried by its id only, and made when the email is written (mail.compose)."""

    def rule(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
        context = {
            "kind": "person",
            "id": data["id"],
            "reference": "",
            "role": data.get("role"),
            "sign_in_link_id": data.get("link_id"),
            "link_expires_at": data.get("link_expires_at"),
            "locked_until": data.get("locked_until"),
            "organisation_name": getattr(directory.get(data["organisation_id"]), "name", None),
            "audience": "person",
        }
        plan.to(directory.person(data["id"]), template, context)

    return rule


def _transition(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": data["id"],
        "reference": data["reference"],
        "from": data.get("from"),
        "to": data.get("to"),
        "action": data.get("action"),
        "comment": data.get("comment"),
    }


def _programme(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    context = {
        **_transition(data),
        "kind": "programme",
        "title": data["title"],
        "link": programme_link(settings, data["id"]),
        **_actors(data),
    }
    if data["to"] == "submitted":
        plan.to(rcpt.secretariat(settings.secretariat_email), "programme_submitted", context)
    elif data["to"] in PARTNER_STATUSES and data.get("from") != data["to"]:
        for partner in data["partners"]:
            plan.to_organisation(
                directory, partner["organisation_id"], "programme_status_update", context
            )


def _participation_declined(
    plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings
) -> None:
    """The organisation that proposed the programme is told who declined to take part."""
    declined: dict[str, Any] = next(
        (p for p in data["partners"] if p["organisation_id"] == data["organisation_id"]), {}
    )
    context = {
        "kind": "programme",
        "id": data["id"],
        "reference": data["reference"],
        "title": data["title"],
        "declined_name": declined.get("name") or data["organisation_id"],
        "role": declined.get("role"),
        "link": programme_link(settings, data["id"]),
        **_actors(data),
    }
    creator = data["created_by_organisation_id"]
    plan.to_organisation(directory, creator, "participation_declined", context)


def _applicant(data: dict[str, Any], directory: Directory) -> Recipient | None:
    applicant = data.get("applicant")
    if not applicant or not applicant.get("email"):
        return None  # erased personal data: nobody to write to
    home = directory.get(data["home_organisation_id"])
    country = home.country if home else applicant.get("nationality")
    return Recipient(
        applicant["email"],
        rcpt.language_of(applicant.get("preferred_language")),
        rcpt.timezone_of(country),
        data["home_organisation_id"],
        applicant.get("full_name"),
    )


def _application_context(
    data: dict[str, Any], directory: Directory, settings: Settings
) -> dict[str, Any]:
    applicant = data.get("applicant") or {}
    home, host = (
        directory.get(data["home_organisation_id"]),
        directory.get(data["host_organisation_id"]),
    )
    return {
        **_transition(data),
        "kind": "application",
        "applicant_name": applicant.get("full_name"),
        "career_stage": data["career_stage"],
        "direction": data["direction"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "home_name": home.name if home else None,
        "host_name": host.name if host else None,
        "link": f"{settings.public_url}/console/applications/{data['id']}",
        **_actors(data),
    }


def _application(
    plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings
) -> None:
    context = _application_context(data, directory, settings)
    to, source = data["to"], data.get("from")
    home, host = data["home_organisation_id"], data["host_organisation_id"]
    applicant = {**context, "audience": "applicant"}
    if to == "submitted":
        plan.to(_applicant(data, directory), "application_received", applicant)
        plan.to_organisation(directory, host, "application_endorsement_requested", context)
    elif to == "endorsed":
        plan.to(rcpt.secretariat(settings.secretariat_email), "application_endorsed", context)
    elif to in DECISIONS and source != to:
        plan.to(_applicant(data, directory), "application_decision", applicant)
        plan.to_organisation(directory, home, "application_decision", context)
        plan.to_organisation(directory, host, "application_decision", context)
    elif to == "withdrawn" and source not in (None, "draft"):
        plan.to_organisation(directory, host, "application_withdrawn", context)
    elif to == "offered" and source != to:
        # A slot freed by a withdrawal: the secretariat decides, the home organisation knows.
        offered = {**context, "freed_reference": (data.get("freed_by") or {}).get("reference")}
        plan.to(rcpt.secretariat(settings.secretariat_email), "slot_offered", offered)
        plan.to_organisation(directory, home, "slot_offered", offered)


# A report file this size or smaller is attached to its emails (the link is always there).
ATTACH_AT_MOST = 5 * 1024 * 1024


def _report(plan: Plan, data: dict[str, Any], directory: Directory, settings: Settings) -> None:
    size = data.get("size")
    context = {
        "kind": "report",
        "id": data["report_id"],
        "reference": data["report_id"],
        "report_type": data["type"],
        "format": data["format"],
        "period_start": data["period"]["start"],
        "period_end": data["period"]["end"],
        # The signed link opens without a key; an event without one gets the API download path.
        "link": data.get("link") or f"{settings.public_url}{data['download_path']}",
        "link_expires_at": data.get("link_expires_at"),
        "file_name": data.get("file_name"),
        "content_type": data.get("content_type"),
        "size": size,
        "sha256": data.get("sha256"),
        "attach": bool(data.get("link")) and isinstance(size, int) and size <= ATTACH_AT_MOST,
    }
    # Written in the report's own language (its recipients are addresses, not people).
    language = rcpt.language_of(data.get("language"))
    for email in data["recipients"]:
        recipient = Recipient(email, language, rcpt.SECRETARIAT_TIMEZONES)
        plan.to(recipient, "report_ready", context, unsubscribable=True)


RULES: dict[str, Rule] = {
    "programme.status_changed": _programme,
    "programme.updated": _approval_awaited,
    "person.invited": _to_person("person_invited"),
    "person.sign_in_requested": _to_person("sign_in_link"),
    "person.locked": _to_person("person_locked"),
    "participation.declined": _participation_declined,
    "application.status_changed": _application,
    "report.generated": _report,
    **CALL_RULES,
    **MOBILITY_RULES,
    **SCREENING_RULES,
}


def plan(envelope: dict[str, Any], directory: Directory, settings: Settings) -> Plan:
    """The emails an event causes, at most one per (recipient, template)."""
    result = Plan()
    rule = RULES.get(envelope["type"])
    if rule is not None:
        rule(result, envelope["data"], directory, settings)
    unique: dict[tuple[str, str], PlannedEmail] = {}
    for email in result.emails:
        unique.setdefault((email.recipient.email.lower(), email.template), email)
    result.emails = list(unique.values())
    return result
