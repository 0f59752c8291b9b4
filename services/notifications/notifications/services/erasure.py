"""application.personal_data_erased: forget the applicant in everything this service keeps.

The erasure is applied in two steps, each in a transaction of the task's
(notifications.handling). The application is first recorded as erased (``remember_erased``),
committed before the event is applied; then every copy of the applicant's personal
data is erased: the emails' recipients and contexts, the webhook deliveries' payloads, the
dead letters, the unsubscriptions of the applicant's address. Events arrive in any order:
one of the application written before its erasure that arrives after it is taken without
its personal fields (``written_before_erasure``), and one taken at the same moment as the
erasure is erased again once written (the caller asks ``written_before_erasure`` again):
whichever of the two commits first, the other one sees it.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from notifications.store.models import (
    FAILED,
    SENT,
    DeadLetter,
    Delivery,
    ErasedSubject,
    Organisation,
    Unsubscription,
    WebhookDelivery,
    reclaims_due,
    utcnow,
)
from setu_contract import reclaims
from setu_contract.database import SNAPSHOTS_WAIT
from setu_contract.personal_data import (
    carries_personal_data,
    personal_values,
    redact,
    without_personal_data,
)

ERASED = "personal data erased"
# The tables an erasure rewrites, whose freed space is reclaimed after it.
# (people: a person's erasure, services.people, rewrites its row too.)
ERASED_TABLES = ("deliveries", "webhook_deliveries", "dead_letters", "unsubscriptions", "people")


def remember_erased(session: Session, data: dict[str, Any]) -> None:
    """Record the application as erased from its erasure's version on, in a transaction of
    the caller's own that commits before the event is applied (see above)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(ErasedSubject)
        .values(subject_id=data["id"], version=data["version"], erased_at=utcnow())
        .on_conflict_do_nothing(index_elements=["subject_id"])
    )


def written_before_erasure(connection: Session | Connection, envelope: dict[str, Any]) -> bool:
    """Does ``envelope`` carry personal data of an application erased since it was written?
    A read of what is committed: the caller runs it outside a transaction (on a connection
    in autocommit), so that it sees an erasure committed a moment ago."""
    if not carries_personal_data(envelope):
        return False
    query = select(ErasedSubject.version).where(ErasedSubject.subject_id == envelope["data"]["id"])
    erased_from = connection.scalar(query)
    return erased_from is not None and envelope["data"]["version"] < erased_from


def erase_application(session: Session, application_id: str) -> int:
    """Inside the caller's transaction; returns how many records were touched."""
    deliveries = list(
        session.scalars(select(Delivery).where(Delivery.subject_id == application_id))
    )
    webhooks = list(
        session.scalars(select(WebhookDelivery).where(WebhookDelivery.subject_id == application_id))
    )
    letters = list(
        session.scalars(select(DeadLetter).where(DeadLetter.subject_id == application_id))
    )
    envelopes = [w.payload for w in webhooks] + [_envelope_of(letter) for letter in letters]
    named, addresses = _what_names_the_applicant(deliveries, envelopes)
    for delivery in deliveries:
        _erase_delivery(delivery, named)
    for webhook in webhooks:
        webhook.payload = without_personal_data(webhook.payload)
        webhook.last_error = redact(webhook.last_error, named)
    for letter in letters:
        _erase_letter(letter, named)
    forget_addresses(session, addresses)
    reclaims.record(session, reclaims_due, ERASED_TABLES)
    return len(deliveries) + len(webhooks) + len(letters)


def reclaim_after_erasure(session: Session, wait_seconds: float = SNAPSHOTS_WAIT) -> None:
    """Once an erasure has committed: no old copy of what it rewrote in the database's free
    space (SQLite's pages and write-ahead log, PostgreSQL's dead row versions). What must
    wait longer is reclaimed by the sweeper (setu_contract.reclaims)."""
    reclaims.reclaim_due(cast(Engine, session.get_bind()), reclaims_due, wait_seconds)


def forget_addresses(session: Session, addresses: set[str]) -> None:
    """Unsubscriptions of a person's addresses (those of an organisation's contact stay)."""
    lowered = {address.lower() for address in addresses}
    contacts = session.scalars(
        select(Organisation.contact_email).where(Organisation.contact_email.is_not(None))
    )
    lowered -= {(contact or "").lower() for contact in contacts}
    if lowered:
        session.execute(delete(Unsubscription).where(Unsubscription.email.in_(lowered)))


def _envelope_of(letter: DeadLetter) -> dict[str, Any]:
    args = (letter.payload or {}).get("args")
    return args[0] if isinstance(args, list) and args and isinstance(args[0], dict) else {}


def _what_names_the_applicant(
    deliveries: list[Delivery], envelopes: list[dict[str, Any]]
) -> tuple[set[str], set[str]]:
    """The texts that name the applicant (to redact wherever they were quoted) and the
    applicant's addresses, from what this service kept."""
    named: set[str] = set()
    addresses: set[str] = set()
    for delivery in deliveries:
        context = delivery.context or {}
        if context.get("audience") == "applicant":
            addresses.add(delivery.recipient)
            named.update(v for v in (delivery.recipient, context.get("recipient_name")) if v)
        named.update(v for v in (context.get("applicant_name"), context.get("comment")) if v)
    for envelope in envelopes:
        named |= personal_values(envelope)
        applicant = (envelope.get("data") or {}).get("applicant") or {}
        if applicant.get("email"):
            addresses.add(applicant["email"])
    return named, addresses


def _erase_delivery(delivery: Delivery, named: set[str]) -> None:
    context = dict(delivery.context or {})
    for key in ("applicant_name", "comment"):
        if key in context:
            context[key] = None
    delivery.last_error = redact(delivery.last_error, named)
    if context.get("audience") == "applicant":
        context["recipient_name"] = None
        # Keeps the row (and its unique key) without the address.
        delivery.recipient = f"erased-{delivery.id}@erased.invalid"
        if delivery.status != SENT:  # nobody to send it to, the sweeper included
            delivery.status, delivery.next_attempt_at = FAILED, None
            delivery.last_error = ERASED
    delivery.context = context
    delivery.updated_at = utcnow()


def _erase_letter(letter: DeadLetter, named: set[str]) -> None:
    envelope = _envelope_of(letter)
    if envelope:
        args = letter.payload["args"]
        letter.payload = {**letter.payload, "args": [without_personal_data(envelope), *args[1:]]}
    letter.error = redact(letter.error, named) or ""
