"""The notification matrix of PRODUCT.md: which emails an event causes, and to whom."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notifications.domain import recipients as rcpt
from notifications.domain.recipients import Directory, Recipient


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


Rule = Callable[[dict[str, Any], Directory, Settings], list[PlannedEmail]]


def _programme_context(data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    return {
        "kind": "programme",
        "id": data["id"],
        "reference": data["reference"],
        "title": data["title"],
        "from": data.get("from"),
        "to": data.get("to"),
        "action": data.get("action"),
        "comment": data.get("comment"),
        "link": f"{settings.public_url}/v1/programmes/{data['id']}",
    }


def _programme_status(data: dict[str, Any], directory: Directory, settings: Settings):
    context = _programme_context(data, settings)
    if data["to"] == "submitted":
        recipient = rcpt.secretariat(settings.secretariat_email)
        return [PlannedEmail(recipient, "programme_submitted", context)]
    return []


RULES: dict[str, Rule] = {
    "programme.status_changed": _programme_status,
}


def plan(envelope: dict[str, Any], directory: Directory, settings: Settings) -> list[PlannedEmail]:
    """The emails an event causes, at most one per (recipient, template)."""
    rule = RULES.get(envelope["type"])
    if rule is None:
        return []
    planned: dict[tuple[str, str], PlannedEmail] = {}
    for email in rule(envelope["data"], directory, settings):
        key = (email.recipient.email.lower(), email.template)
        planned.setdefault(key, email)
    return list(planned.values())
