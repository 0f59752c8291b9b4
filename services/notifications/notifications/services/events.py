"""Apply an event once: record it, update the read model, plan (and claim) its deliveries."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from notifications.domain.planning import PlannedEmail, Settings, plan
from notifications.domain.webhooks import organisations_concerned
from notifications.mail.unsubscribe import REPORTS_LIST
from notifications.services.erasure import (
    erase_application,
    reclaim_after_erasure,
    remember_erased,
    written_before_erasure,
)
from notifications.services.people import PERSON_STATE_EVENTS, apply_person
from notifications.services.sending import claim_event_deliveries
from notifications.services.unsubscribing import unsubscribed
from notifications.services.webhook_sending import pending_webhooks, plan_webhooks
from notifications.store.db import autocommit, autocommit_connection
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
from setu_contract.personal_data import without_personal_data

log = logging.getLogger(__name__)

ORGANISATION_EVENTS = ("organisation.registered", "organisation.updated")
ERASURE_EVENT = "application.personal_data_erased"
PERSON_ERASURE_EVENT = "person.deactivated"


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
        insert(ProcessedEvent.__table__)
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


def _plan(
    session: Session, envelope: dict[str, Any], settings: Settings, allow_missing: bool
) -> Planned:
    """Reads only: who is written to, and which webhook endpoints are sent the event."""
    emails = _emails(session, envelope, settings, allow_missing)
    return Planned(emails, plan_webhooks(session, envelope))


@dataclass(frozen=True)
class Taken:
    """An event's work for the handler: emails claimed for it (`sending`) and webhook
    deliveries to queue."""

    emails: list[Delivery]
    webhooks: list[str]

    @classmethod
    def planned(cls, planned: Planned) -> Taken:
        return cls(planned.emails, [w.id for w in planned.webhooks])

    @classmethod
    def again(cls, session: Session, event_id: str) -> Taken:
        """A redelivered event: claim its emails still to send, list its unsent webhooks."""
        return cls(claim_event_deliveries(session, event_id), pending_webhooks(session, event_id))

    def without_applicant(self) -> Taken:
        """The work left once the applicant was erased (their emails are never sent)."""
        kept = [e for e in self.emails if (e.context or {}).get("audience") != "applicant"]
        return Taken(kept, self.webhooks)


def _as_known_now(session: Session, envelope: dict[str, Any]) -> dict[str, Any]:
    """Before an event is applied: an erasure is recorded first (services.erasure); an event
    written before its application's erasure is taken without the personal data."""
    if envelope["type"] == ERASURE_EVENT:
        remember_erased(session, envelope["data"])
    elif written_before_erasure(session, envelope):
        return without_personal_data(envelope)
    return envelope


def _erased_meanwhile(session: Session, envelope: dict[str, Any]) -> bool:
    """After an event is applied: an erasure's freed space is reclaimed, and what an event
    wrote of an application erased meanwhile is erased again (True)."""
    if envelope["type"] in (ERASURE_EVENT, PERSON_ERASURE_EVENT):
        reclaim_after_erasure(session)
        return False
    if not written_before_erasure(session, envelope):
        return False
    with session.begin():
        erase_application(session, envelope["data"]["id"])
    reclaim_after_erasure(session)
    return True


def take_event(
    session: Session,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool = False,
) -> Taken:
    """Apply ``envelope`` as ``_take_event`` does, and keep its application's erasure."""
    envelope = _as_known_now(session, envelope)
    taken = _take_event(session, envelope, settings, allow_missing)
    return taken.without_applicant() if _erased_meanwhile(session, envelope) else taken


def _take_event(
    session: Session,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool = False,
) -> Taken:
    """Apply ``envelope`` if it is new and claim its emails, in one transaction.

    A new event's emails are written already claimed (`sending`, first attempt): the caller
    sends them at once, and if it dies first the sweeper sends them later. A redelivered
    event is not applied again; its emails still to send (queued or retrying) are claimed
    instead, and its unsent webhooks returned. Events arrive in any order: when one names
    an organisation the read model does not know yet, nothing is written and
    ``MissingOrganisations`` is raised so that the caller can try again later; with
    ``allow_missing`` the known recipients are planned and the rest skipped.

    Most events change no state here and cause nothing: they are planned first (reads of
    committed data, as each statement of a transaction would see) and recorded with one
    statement, without a transaction.
    """
    event_id = envelope["id"]
    if envelope["type"] in STATE_EVENTS:
        with session.begin():
            if not _first_time(session, envelope):
                return Taken.again(session, event_id)
            _apply_state(session, envelope)
            planned = _plan(session, envelope, settings, allow_missing)
            planned.write(session, claim=True)
        planned.log(event_id)
        return Taken.planned(planned)
    if session.get_bind().dialect.name == "postgresql":
        return _take_in_one_statement(session, envelope, settings, allow_missing)
    with autocommit(session):
        planned = _plan(session, envelope, settings, allow_missing)
        if not planned.emails and not planned.webhooks:
            if not _first_time(session, envelope):
                return Taken.again(session, event_id)
            planned.log(event_id)
            return Taken.planned(planned)
    with session.begin():
        if not _first_time(session, envelope):
            return Taken.again(session, event_id)
        planned.write(session, claim=True)
    planned.log(event_id)
    return Taken.planned(planned)


def _take_in_one_statement(
    session: Session, envelope: dict[str, Any], settings: Settings, allow_missing: bool
) -> Taken:
    """PostgreSQL: the event's record, its emails (claimed) and its webhook deliveries are
    written by one statement (store.new_events), on a connection in autocommit, after the
    reads that plan its emails."""
    with autocommit_connection(session) as connection:
        emails = _emails(connection, envelope, settings, allow_missing)
        now = utcnow()
        for delivery in emails:  # written claimed: the first attempt starts now
            delivery.id, delivery.status, delivery.attempts = new_id(), SENDING, 1
            delivery.created_at = delivery.updated_at = now
        owners = organisations_concerned(envelope)
        subject_id = aggregate_of(envelope)[1] if owners else None
        written = write_new_event(connection, envelope, emails, owners, subject_id, now)
    if not written.new:
        with autocommit(session):
            return Taken.again(session, envelope["id"])
    count = len(emails) + len(written.webhooks)
    log.info("event applied", extra={"event_id": envelope["id"], "deliveries": count})
    return Taken(emails, written.webhooks)


def record_event(
    session: Session,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool | None = False,
) -> list[str]:
    """Apply ``envelope`` if it is new, its emails queued; return the ids of its emails
    still to send (``take_event`` also claims them). With ``allow_missing=None`` (a replay)
    the event updates the read model and is recorded as processed, and no email or webhook
    is planned. An erasure is kept as ``take_event`` keeps it."""
    envelope = _as_known_now(session, envelope)
    pending = _record_event(session, envelope, settings, allow_missing)
    if _erased_meanwhile(session, envelope):
        return pending_deliveries(session, envelope["id"])
    return pending


def _record_event(
    session: Session,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool | None,
) -> list[str]:
    event_id = envelope["id"]
    with session.begin():
        if _first_time(session, envelope):
            _apply_state(session, envelope)
            if allow_missing is None:  # a replay rebuilds state and tells nobody
                return []
            planned = _plan(session, envelope, settings, allow_missing)
            planned.write(session, claim=False)
            planned.log(event_id)
        if allow_missing is None:
            return []
        return _pending(session, event_id)


def replay_event(
    session: Session, envelope: dict[str, Any], settings: Settings, mark_processed: bool = False
) -> bool:
    """Rebuild from the event log: the read model's state (organisations, erasures), never an
    email. The event is not recorded as processed, so a copy still on its way is applied
    and emailed when it arrives; with ``mark_processed`` it is recorded, and no email of
    it will ever be sent. True when the event had not been processed before."""
    if mark_processed:
        with session.begin():
            first = session.get(ProcessedEvent, envelope["id"]) is None
        record_event(session, envelope, settings, allow_missing=None)
        return first
    with session.begin():
        if session.get(ProcessedEvent, envelope["id"]) is not None:
            return False
        _apply_state(session, envelope)
    return True


def _pending(session: Session, event_id: str) -> list[str]:
    query = select(Delivery.id).where(Delivery.event_id == event_id, Delivery.status.in_(CLAIMABLE))
    return list(session.scalars(query.order_by(Delivery.created_at, Delivery.id)))


def pending_deliveries(session: Session, event_id: str) -> list[str]:
    """Ids of the event's emails not sent yet, oldest first."""
    with session.begin():
        return _pending(session, event_id)
