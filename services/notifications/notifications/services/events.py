"""Apply an event once: record it, update the read model, plan (and claim) its deliveries.

The steps here work inside the caller's transaction, or as statements that each stand alone;
the task composes them (notifications.handling), each in the transaction it needs. Most
events change no state here and cause nothing: they are planned first (reads of committed
data) and recorded with one statement, without a transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from notifications.domain.planning import PlannedEmail, Settings, plan
from notifications.domain.webhooks import organisations_concerned
from notifications.mail.unsubscribe import REPORTS_LIST
from notifications.services.erasure import (
    erase_application,
)
from notifications.services.people import PERSON_STATE_EVENTS, apply_person
from notifications.services.sending import claim_event_deliveries
from notifications.services.unsubscribing import unsubscribed
from notifications.services.webhook_sending import pending_webhooks, plan_webhooks
from notifications.store.directory import SqlDirectory, apply_organisation
from notifications.store.models import (
    CLAIMABLE,
    SENDING,
    Delivery,
    ProcessedEvent,
    WebhookDelivery,
    new_id,
    utcnow,
)
from notifications.store.new_events import write_new_event
from setu_contract.events import aggregate_of

log = logging.getLogger(__name__)

ORGANISATION_EVENTS = ("organisation.registered", "organisation.updated")
ERASURE_EVENT = "application.personal_data_erased"
PERSON_ERASURE_EVENT = "person.deactivated"
# Events after which an erasure's freed space is reclaimed (services.erasure).
ERASING_EVENTS = (ERASURE_EVENT, PERSON_ERASURE_EVENT)


def _delivery(envelope: dict[str, Any], email: PlannedEmail) -> Delivery:
    recipient = email.recipient
    return Delivery(
        event_id=envelope["id"],
        event_type=envelope["type"],
        subject_id=email.context.get("id"),
        correlation_id=envelope.get("correlation_id"),
        recipient=recipient.email,
        organisation_id=recipient.organisation_id,
        template=email.template,
        language=recipient.language,
        timezone=" ".join(recipient.timezones),
        unsubscribable=email.unsubscribable,
        context={
            **email.context,
            "occurred_at": envelope["occurred_at"],
            "recipient_name": recipient.name,
        },
    )


class MissingOrganisations(Exception):
    """The event names organisations whose organisation.* events have not arrived yet."""

    def __init__(self, organisation_ids: set[str]):
        super().__init__(f"organisations not known yet: {sorted(organisation_ids)}")
        self.organisation_ids = organisation_ids


def _without_unsubscribed(
    session: Session | Connection, emails: list[PlannedEmail]
) -> list[PlannedEmail]:
    optional = [e.recipient.email for e in emails if e.unsubscribable]
    gone = unsubscribed(session, optional, REPORTS_LIST)
    return [e for e in emails if not (e.unsubscribable and e.recipient.email.lower() in gone)]


def _first_time(session: Session, envelope: dict[str, Any]) -> bool:
    """Record the event as processed unless it already is (one statement, no error).

    A concurrent second copy waits here on the first one's row and then finds it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(cast(Table, ProcessedEvent.__table__))
        .values(
            event_id=envelope["id"],
            type=envelope["type"],
            correlation_id=envelope.get("correlation_id"),
            processed_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(ProcessedEvent.event_id)
    )
    # A plain table statement: nothing in the session to keep in step with.
    return session.connection().execute(statement).scalar() is not None


# Events that change the read model itself: applied in a transaction with their record.
STATE_EVENTS = (*ORGANISATION_EVENTS, ERASURE_EVENT, *PERSON_STATE_EVENTS)


def _apply_state(session: Session, envelope: dict[str, Any]) -> None:
    if envelope["type"] in PERSON_STATE_EVENTS:
        apply_person(session, envelope)
    if envelope["type"] in ORGANISATION_EVENTS:
        apply_organisation(session, envelope["data"])
    if envelope["type"] == ERASURE_EVENT:
        erase_application(session, envelope["data"]["id"])


@dataclass
class Planned:
    """The deliveries a new event causes (not in the session yet)."""

    emails: list[Delivery] = field(default_factory=list)
    webhooks: list[WebhookDelivery] = field(default_factory=list)

    def write(self, session: Session, claim: bool) -> None:
        if claim:  # written claimed: the first attempt starts now
            for delivery in self.emails:
                delivery.status, delivery.attempts = SENDING, 1
        session.add_all(self.emails)
        session.add_all(self.webhooks)
        session.flush()  # assigns the ids

    def log(self, event_id: str) -> None:
        count = len(self.emails) + len(self.webhooks)
        log.info("event applied", extra={"event_id": event_id, "deliveries": count})

    @property
    def empty(self) -> bool:
        return not self.emails and not self.webhooks


def _emails(
    session: Session | Connection,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool,
) -> list[Delivery]:
    """Reads only: who is written to (MissingOrganisations if someone is not known yet)."""
    planned = plan(envelope, SqlDirectory(session), settings)
    if planned.missing and not allow_missing:
        raise MissingOrganisations(planned.missing)
    return [_delivery(envelope, e) for e in _without_unsubscribed(session, planned.emails)]


def plan_event(
    session: Session, envelope: dict[str, Any], settings: Settings, allow_missing: bool
) -> Planned:
    """Reads only (of committed data, as each statement of a transaction would see, for an
    event that changes no state): who is written to, and which webhook endpoints are sent
    the event."""
    emails = _emails(session, envelope, settings, allow_missing)
    return Planned(emails, plan_webhooks(session, envelope))


@dataclass(frozen=True)
class Taken:
    """An event's work for the handler: emails claimed for it (`sending`) and webhook
    deliveries to queue; ``new`` when this take applied the event (not a redelivery)."""

    emails: list[Delivery]
    webhooks: list[str]
    new: bool = field(default=False, compare=False)

    @classmethod
    def planned(cls, planned: Planned) -> Taken:
        return cls(planned.emails, [w.id for w in planned.webhooks], new=True)

    def without_applicant(self) -> Taken:
        """The work left once the applicant was erased (their emails are never sent)."""
        kept = [e for e in self.emails if (e.context or {}).get("audience") != "applicant"]
        return Taken(kept, self.webhooks, self.new)

    def log(self, event_id: str) -> None:
        if self.new:
            count = len(self.emails) + len(self.webhooks)
            log.info("event applied", extra={"event_id": event_id, "deliveries": count})


def take_state_event(
    session: Session, envelope: dict[str, Any], settings: Settings, allow_missing: bool
) -> Taken:
    """Inside the caller's transaction: apply an event that changes the read model
    (``STATE_EVENTS``) if it is new, and write its deliveries claimed; a redelivered one is
    taken again (``take_again``)."""
    if not _first_time(session, envelope):
        return take_again(session, envelope["id"])
    _apply_state(session, envelope)
    planned = plan_event(session, envelope, settings, allow_missing)
    planned.write(session, claim=True)
    return Taken.planned(planned)


def take_again(session: Session, event_id: str) -> Taken:
    """A redelivered event: claim its emails still to send, list its unsent webhooks (two
    statements that each stand alone, or inside the caller's transaction)."""
    return Taken(claim_event_deliveries(session, event_id), pending_webhooks(session, event_id))


def take_unplanned(session: Session, envelope: dict[str, Any]) -> Taken:
    """An event that causes nothing: recorded with one statement (no transaction needed),
    or taken again if it was already."""
    if not _first_time(session, envelope):
        return take_again(session, envelope["id"])
    return Taken.planned(Planned())


def take_planned(session: Session, envelope: dict[str, Any], planned: Planned) -> Taken:
    """Inside the caller's transaction: record the event and write its planned deliveries
    claimed, unless a copy of it was recorded first (then it is taken again)."""
    if not _first_time(session, envelope):
        return take_again(session, envelope["id"])
    planned.write(session, claim=True)
    return Taken.planned(planned)


def take_in_one_statement(
    connection: Connection, envelope: dict[str, Any], settings: Settings, allow_missing: bool
) -> Taken | None:
    """PostgreSQL: the event's record, its emails (claimed) and its webhook deliveries are
    written by one statement (store.new_events), after the reads that plan its emails; the
    caller runs them on a connection in autocommit. None when the event was recorded
    before (the caller takes it again, ``take_again``)."""
    emails = _emails(connection, envelope, settings, allow_missing)
    now = utcnow()
    for delivery in emails:  # written claimed: the first attempt starts now
        delivery.id, delivery.status, delivery.attempts = new_id(), SENDING, 1
        delivery.created_at = delivery.updated_at = now
    owners = organisations_concerned(envelope)
    subject_id = aggregate_of(envelope)[1] if owners else None
    written = write_new_event(connection, envelope, emails, owners, subject_id, now)
    if not written.new:
        return None
    return Taken(emails, written.webhooks, new=True)


def record(
    session: Session,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool | None,
) -> list[str]:
    """Inside the caller's transaction: apply ``envelope`` if it is new, its emails queued
    (not claimed); return the ids of its emails still to send. With ``allow_missing=None``
    (a replay) the event updates the read model and is recorded as processed, and no email
    or webhook is planned."""
    event_id = envelope["id"]
    if _first_time(session, envelope):
        _apply_state(session, envelope)
        if allow_missing is None:  # a replay rebuilds state and tells nobody
            return []
        planned = plan_event(session, envelope, settings, allow_missing)
        planned.write(session, claim=False)
        planned.log(event_id)
    if allow_missing is None:
        return []
    return pending_deliveries(session, event_id)


def processed(session: Session, event_id: str) -> bool:
    """Has the event been recorded as processed?"""
    return session.get(ProcessedEvent, event_id) is not None


def replay_state(session: Session, envelope: dict[str, Any]) -> bool:
    """Inside the caller's transaction: rebuild the read model's state (organisations,
    erasures) from an event of the log, never an email. The event is not recorded as
    processed, so a copy still on its way is applied and emailed when it arrives. True when
    the event had not been processed before."""
    if processed(session, envelope["id"]):
        return False
    _apply_state(session, envelope)
    return True


def pending_deliveries(session: Session, event_id: str) -> list[str]:
    """Ids of the event's emails not sent yet, oldest first."""
    query = select(Delivery.id).where(Delivery.event_id == event_id, Delivery.status.in_(CLAIMABLE))
    return list(session.scalars(query.order_by(Delivery.created_at, Delivery.id)))
