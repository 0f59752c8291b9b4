"""The people read model (person.* events), and a person's erasure (person.deactivated):
the row, and every email to the person or naming it, keep no name nor address."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from notifications.services.erasure import ERASED_TABLES
from notifications.store.models import (
    FAILED,
    SENT,
    DeadLetter,
    Delivery,
    Person,
    WebhookDelivery,
    reclaims_due,
    utcnow,
)
from setu_contract import reclaims
from setu_contract.personal_data import redact, without_person

PERSON_STATE_EVENTS = (
    "person.invited",
    "person.updated",
    "person.sign_in_requested",
    "person.locked",
    "person.deactivated",
)
ERASED = "personal data erased"


def apply_person(session: Session, envelope: dict[str, Any]) -> None:
    data = envelope["data"]
    if envelope["type"] == "person.deactivated":
        erase_person(session, data)
        return
    row = session.get(Person, data["id"], with_for_update=True)
    if row is not None and row.version >= data["version"]:
        return
    if row is None:
        row = Person(id=data["id"])
        session.add(row)
    for name in ("organisation_id", "name", "email", "role", "language", "time_zone", "active"):
        setattr(row, name, data[name])
    row.version = data["version"]


def erase_person(session: Session, data: dict[str, Any]) -> None:
    """Keep the row (a late person.* event of an older version is then ignored) without
    name nor address; every email to the person gets no address, and no email names it."""
    row = session.get(Person, data["id"], with_for_update=True)
    if row is None:
        row = Person(id=data["id"], organisation_id=data["organisation_id"], role="", language="en")
        row.time_zone = "UTC"
        session.add(row)
    named = {value for value in (row.name, row.email) if value}
    address = (row.email or "").lower()
    row.name = row.email = None
    row.active = False
    row.version = max(row.version or 0, data["version"])
    if not named:
        return
    # Emails to the person, and those naming it (an actor: each names the person's id).
    concerned = or_(
        func.lower(Delivery.recipient) == address,
        cast(Delivery.context, String).contains(data["id"]),
    )
    for delivery in session.scalars(select(Delivery).where(concerned)):
        _erase_delivery(delivery, named, delivery.recipient.lower() == address)
    # Events sent to webhooks, and work that failed for good, as they name the person.
    sent = select(WebhookDelivery).where(cast(WebhookDelivery.payload, String).contains(data["id"]))
    for webhook in session.scalars(sent):
        webhook.payload = without_person(webhook.payload, data["id"])
    failed = select(DeadLetter).where(cast(DeadLetter.payload, String).contains(data["id"]))
    for letter in session.scalars(failed):
        letter.payload = without_person(letter.payload, data["id"])
    reclaims.record(session, reclaims_due, ERASED_TABLES)


def _erase_delivery(delivery: Delivery, named: set[str], to_the_person: bool) -> None:
    context = _redacted(dict(delivery.context or {}), named)
    delivery.last_error = redact(delivery.last_error, named)
    if to_the_person:
        context["recipient_name"] = None
        delivery.recipient = f"erased-{delivery.id}@erased.invalid"
        if delivery.status != SENT:
            delivery.status, delivery.next_attempt_at = FAILED, None
            delivery.last_error = ERASED
    delivery.context = context
    delivery.updated_at = utcnow()


def _redacted(value: Any, named: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _redacted(v, named) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, named) for v in value]
    if isinstance(value, str) and value in named:
        return None
    return value
