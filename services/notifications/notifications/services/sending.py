"""Send one delivery: claim it atomically, send it, record the outcome in one commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Update, bindparam, update
from sqlalchemy.orm import Session

from notifications.domain import retry
from notifications.mail.compose import Attachment, Outgoing, Sender, compose
from notifications.mail.smtp import Message, PermanentSendError, TransientSendError
from notifications.store.db import autocommit_connection, until_written
from notifications.store.models import (
    CLAIMABLE,
    FAILED,
    RETRYING,
    SENDING,
    SENT,
    DeadLetter,
    Delivery,
    utcnow,
)
from setu_contract.observability import set_correlation_id
from setu_contract.personal_data import redact
from setu_contract.worker_metrics import count_email

log = logging.getLogger(__name__)

Transport = Callable[[Message], None]
UnsubscribeLink = Callable[[Delivery], str | None]
# The files sent with a delivery (a report's); TransientSendError when they cannot be had now.
Attachments = Callable[[Delivery], tuple[Attachment, ...]]


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retrying | failed | skipped
    retry_in: float | None = None
    # Set when the outcome planned emails of its own (an endpoint disabled: owner told).
    event_id: str | None = None


def _claimed(where: ColumnElement[bool]) -> Update:
    """Mark the matching claimable deliveries `sending` and return them (one statement)."""
    return (
        update(Delivery)
        .where(where, Delivery.status.in_(CLAIMABLE))
        .values(status=SENDING, attempts=Delivery.attempts + 1, updated_at=utcnow())
        .returning(Delivery)
    )


def claim(session: Session, delivery_id: str) -> Delivery | None:
    """Mark the delivery `sending` if nobody else has; None when it is not ours to send."""
    with session.begin():
        return session.scalars(_claimed(Delivery.id == delivery_id)).one_or_none()


def claim_event_deliveries(session: Session, event_id: str) -> list[Delivery]:
    """Inside the caller's transaction: claim the event's emails not sent yet, oldest first."""
    claimed = session.scalars(_claimed(Delivery.event_id == event_id)).all()
    return sorted(claimed, key=lambda d: (d.created_at, d.id))


def outgoing(
    delivery: Delivery, unsubscribe_url: str | None, attachments: tuple[Attachment, ...] = ()
) -> Outgoing:
    return Outgoing(
        delivery_id=delivery.id,
        event_id=delivery.event_id,
        recipient=delivery.recipient,
        template=delivery.template,
        language=delivery.language,
        timezones=tuple(delivery.timezone.split()),
        context=delivery.context,
        occurred_at=datetime.fromisoformat(delivery.context["occurred_at"]),
        correlation_id=delivery.correlation_id,
        unsubscribe_url=unsubscribe_url,
        attachments=attachments,
    )


_deliveries = Delivery.__table__
# The outcome of nearly every email, built once (a statement built per email cost more
# than running it).
_SENT = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("delivery_id"), _deliveries.c.status == SENDING)
    .values(
        status=SENT,
        message_id=bindparam("message_id", type_=_deliveries.c.message_id.type),
        sent_at=bindparam("now", type_=_deliveries.c.sent_at.type),
        updated_at=bindparam("now", type_=_deliveries.c.updated_at.type),
        last_error=None,
        next_attempt_at=None,
    )
)


def _finish(session: Session, delivery_id: str, **values: object) -> None:
    """Record an attempt's outcome: one statement, atomic on its own (as ``_record_sent``)."""
    with autocommit_connection(session) as connection:
        connection.execute(
            update(_deliveries)
            .where(_deliveries.c.id == delivery_id, _deliveries.c.status == SENDING)
            .values(updated_at=utcnow(), **values)
        )


def _record_sent(session: Session, delivery_id: str, message_id: str) -> None:
    """Mark the delivery sent, however long the database takes to answer (up to
    ``until_written``'s patience): a delivery left `sending` is sent again by the sweeper."""

    def write() -> None:
        with autocommit_connection(session) as connection:
            connection.execute(
                _SENT, {"delivery_id": delivery_id, "message_id": message_id, "now": utcnow()}
            )

    try:
        until_written(write)
    except Exception:
        log.error(
            "email sent but not recorded: it may be sent again",
            exc_info=True,
            extra={"delivery_id": delivery_id},
        )
        raise


def _named_in(delivery: Delivery) -> set[str]:
    """Who an email names: its recipient's address and name, the applicant, a comment."""
    context = delivery.context or {}
    named = (context.get(key) for key in ("recipient_name", "applicant_name", "comment"))
    return {delivery.recipient, *(value for value in named if isinstance(value, str))}


def _failed_attempt(session: Session, delivery: Delivery, error: Exception) -> Outcome:
    # A mail server's reply often quotes the address; the error is logged, and logs are
    # never erased: it is kept and logged without the people the email names.
    message = redact(str(error)[:2000], _named_in(delivery)) or ""
    if isinstance(error, TransientSendError) and retry.should_retry(delivery.attempts):
        delay = retry.backoff(delivery.attempts)
        due = utcnow() + timedelta(seconds=delay)
        _finish(session, delivery.id, status=RETRYING, last_error=message, next_attempt_at=due)
        log.warning("email deferred", extra={"delivery_id": delivery.id, "error": message})
        count_email(delivery.template, RETRYING)
        return Outcome(RETRYING, delay)
    with session.begin():
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery.id, Delivery.status == SENDING)
            .values(status=FAILED, last_error=message, next_attempt_at=None, updated_at=utcnow())
        )
        session.add(
            DeadLetter(
                source="delivery",
                task_name="notifications.send_delivery",
                event_id=delivery.event_id,
                delivery_id=delivery.id,
                subject_id=delivery.subject_id,
                payload={"delivery_id": delivery.id},
                error=message,
                attempts=delivery.attempts,
            )
        )
    log.error("email failed", extra={"delivery_id": delivery.id, "error": message})
    count_email(delivery.template, FAILED)
    return Outcome(FAILED)


def send_delivery(
    session: Session,
    delivery_id: str,
    transport: Transport,
    sender: Sender,
    unsubscribe_link: UnsubscribeLink,
    attachments: Attachments | None = None,
) -> Outcome:
    """Claim, send and record one delivery."""
    delivery = claim(session, delivery_id)
    if delivery is None:
        return Outcome("skipped")
    return send_claimed(session, delivery, transport, sender, unsubscribe_link, attachments)


def send_claimed(
    session: Session,
    delivery: Delivery,
    transport: Transport,
    sender: Sender,
    unsubscribe_link: UnsubscribeLink,
    attachments: Attachments | None = None,
) -> Outcome:
    """Send a delivery this worker has claimed (it is `sending`) and record the outcome
    (logged, and counted for Prometheus by template and status: ``setu_emails_total``).
    The only window for a second copy is a crash between the SMTP server's acceptance and
    the commit of `sent` just below (or a database away for longer than that commit waits)."""
    if delivery.correlation_id:
        set_correlation_id(delivery.correlation_id)
    try:
        files = attachments(delivery) if attachments else ()
    except TransientSendError as exc:  # the report file cannot be fetched now: later
        return _failed_attempt(session, delivery, exc)
    try:
        message = compose(outgoing(delivery, unsubscribe_link(delivery), files), sender)
    except Exception as exc:  # a template or data fault: retrying cannot fix it
        log.exception("email could not be written", extra={"delivery_id": delivery.id})
        return _failed_attempt(session, delivery, PermanentSendError(f"compose: {exc!r}"))
    try:
        transport(message.smtp)
    except (TransientSendError, PermanentSendError) as exc:
        return _failed_attempt(session, delivery, exc)
    _record_sent(session, delivery.id, message.message_id)
    log.info("email sent", extra={"delivery_id": delivery.id, "template": delivery.template})
    count_email(delivery.template, SENT)
    return Outcome(SENT)
