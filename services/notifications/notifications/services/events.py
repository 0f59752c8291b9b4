"""Apply an event once: record it, update the read model, plan its deliveries."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notifications.domain.planning import PlannedEmail, Settings, plan
from notifications.mail.unsubscribe import REPORTS_LIST
from notifications.services.erasure import erase_application
from notifications.services.unsubscribing import unsubscribed
from notifications.services.webhook_sending import plan_webhooks
from notifications.store.directory import SqlDirectory, apply_organisation
from notifications.store.models import CLAIMABLE, Delivery, ProcessedEvent

log = logging.getLogger(__name__)

ORGANISATION_EVENTS = ("organisation.registered", "organisation.updated")
ERASURE_EVENT = "application.personal_data_erased"


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


def _without_unsubscribed(session: Session, emails: list[PlannedEmail]) -> list[PlannedEmail]:
    optional = [e.recipient.email for e in emails if e.unsubscribable]
    gone = unsubscribed(session, optional, REPORTS_LIST)
    return [e for e in emails if not (e.unsubscribable and e.recipient.email.lower() in gone)]


def _apply(
    session: Session, envelope: dict[str, Any], settings: Settings, allow_missing: bool | None
) -> int:
    session.add(
        ProcessedEvent(
            event_id=envelope["id"],
            type=envelope["type"],
            correlation_id=envelope.get("correlation_id"),
        )
    )
    # The primary key makes a concurrent second copy of this event fail here.
    session.flush()
    if envelope["type"] in ORGANISATION_EVENTS:
        apply_organisation(session, envelope["data"])
    if envelope["type"] == ERASURE_EVENT:
        erase_application(session, envelope["data"]["id"])
    if allow_missing is None:  # a replay rebuilds state and tells nobody
        return 0
    planned = plan(envelope, SqlDirectory(session), settings)
    if planned.missing and not allow_missing:
        raise MissingOrganisations(planned.missing)
    emails = _without_unsubscribed(session, planned.emails)
    session.add_all(_delivery(envelope, email) for email in emails)
    return len(emails) + plan_webhooks(session, envelope)


def record_event(
    session: Session,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool | None = False,
) -> list[str]:
    """Apply ``envelope`` if it is new; return the ids of its deliveries still to send.

    Events arrive in any order: when one names an organisation the read model does not know
    yet, nothing is written and ``MissingOrganisations`` is raised so that the caller can
    try again later; with ``allow_missing`` the known recipients are planned and the rest
    skipped. With ``allow_missing=None`` (a replay) the event updates the read model and is
    recorded as processed, and no email or webhook is planned.

    A redelivered event is not applied again, but its unsent deliveries are returned, so a
    worker that died after planning and before sending is made good by the redelivery.
    """
    event_id = envelope["id"]
    try:
        with session.begin():
            if session.get(ProcessedEvent, event_id) is None:
                count = _apply(session, envelope, settings, allow_missing)
                log.info("event applied", extra={"event_id": event_id, "deliveries": count})
    except IntegrityError:
        log.info("event applied concurrently elsewhere", extra={"event_id": event_id})
    return pending_deliveries(session, event_id)


def replay_event(session: Session, envelope: dict[str, Any], settings: Settings) -> None:
    """Rebuild from the event log: state only, never a second email."""
    record_event(session, envelope, settings, allow_missing=None)


def pending_deliveries(session: Session, event_id: str) -> list[str]:
    """Ids of the event's emails not sent yet, oldest first."""
    with session.begin():
        query = select(Delivery.id).where(
            Delivery.event_id == event_id, Delivery.status.in_(CLAIMABLE)
        )
        return list(session.scalars(query.order_by(Delivery.created_at, Delivery.id)))
