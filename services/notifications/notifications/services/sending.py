"""Send one delivery in three steps: claim it atomically (a transaction), send it (outside
any), record the outcome (one statement, or a transaction with its dead letter).

The caller (notifications.handling) runs each step in its own transaction, in that order:
the claim commits before the SMTP call, so a second copy of the task finds the delivery
taken. The only window for a second email is a crash between the SMTP server's acceptance
and the record of `sent` (or a database away for longer than that record waits)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Connection, Table, Update, bindparam, update
from sqlalchemy.orm import Session

from notifications.domain import retry
from notifications.mail.compose import Attachment, Outgoing, Sender, compose
from notifications.mail.smtp import Message, PermanentSendError, TransientSendError
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
    """Mark the delivery `sending` if nobody else has; None when it is not ours to send.
    In a transaction of the caller's that commits before the email is sent."""
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


_deliveries = cast(Table, Delivery.__table__)
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


def _named_in(delivery: Delivery) -> set[str]:
    """Who an email names: its recipient's address and name, the applicant, a comment."""
    context = delivery.context or {}
    named = (context.get(key) for key in ("recipient_name", "applicant_name", "comment"))
    return {delivery.recipient, *(value for value in named if isinstance(value, str))}


@dataclass(frozen=True)
class Attempt:
    """One try at sending a claimed delivery: the message id the SMTP server took, or why not.

    ``error`` is kept without the people the email names: a mail server's reply often quotes
    the address, the error is logged, and logs are never erased."""

    delivery: Delivery
    message_id: str | None = None
    error: Exception | None = None
    message: str = ""

    @classmethod
    def failed(cls, delivery: Delivery, error: Exception) -> Attempt:
        return cls(
            delivery, error=error, message=redact(str(error)[:2000], _named_in(delivery)) or ""
        )

    @property
    def sent(self) -> bool:
        return self.error is None

    @property
    def deferred(self) -> bool:
        """A transient failure with tries left: the delivery is tried again later."""
        transient = isinstance(self.error, TransientSendError)
        return transient and retry.should_retry(self.delivery.attempts)


def attempt(
    delivery: Delivery,
    transport: Transport,
    sender: Sender,
    unsubscribe_link: UnsubscribeLink,
    attachments: Attachments | None = None,
) -> Attempt:
    """Write and send a delivery this worker has claimed (it is `sending`), outside any
    transaction: the caller records the outcome next (``record_sent``, ``defer`` or
    ``fail``)."""
    if delivery.correlation_id:
        set_correlation_id(delivery.correlation_id)
    try:
        files = attachments(delivery) if attachments else ()
    except TransientSendError as exc:  # the report file cannot be fetched now: later
        return Attempt.failed(delivery, exc)
    try:
        message = compose(outgoing(delivery, unsubscribe_link(delivery), files), sender)
    except Exception as exc:  # a template or data fault: retrying cannot fix it
        log.exception("email could not be written", extra={"delivery_id": delivery.id})
        return Attempt.failed(delivery, PermanentSendError(f"compose: {exc!r}"))
    try:
        transport(message.smtp)
    except (TransientSendError, PermanentSendError) as exc:
        return Attempt.failed(delivery, exc)
    return Attempt(delivery, message.message_id)


def record_sent(connection: Connection, sent: Attempt) -> Outcome:
    """Mark the delivery sent: one statement, atomic on its own (the caller runs it on a
    connection in autocommit, and again while the database does not answer: a delivery left
    `sending` is sent again by the sweeper). Logged, and counted for Prometheus by template
    and status (``setu_emails_total``), as ``defer`` and ``fail`` are."""
    delivery = sent.delivery
    connection.execute(
        _SENT, {"delivery_id": delivery.id, "message_id": sent.message_id, "now": utcnow()}
    )
    log.info("email sent", extra={"delivery_id": delivery.id, "template": delivery.template})
    count_email(delivery.template, SENT)
    return Outcome(SENT)


def defer(connection: Connection, deferred: Attempt) -> Outcome:
    """Make the delivery `retrying`, due after its backoff: one statement, atomic on its own
    (the caller runs it on a connection in autocommit)."""
    delivery, message = deferred.delivery, deferred.message
    delay = retry.backoff(delivery.attempts)
    due = utcnow() + timedelta(seconds=delay)
    connection.execute(
        update(_deliveries)
        .where(_deliveries.c.id == delivery.id, _deliveries.c.status == SENDING)
        .values(updated_at=utcnow(), status=RETRYING, last_error=message, next_attempt_at=due)
    )
    log.warning("email deferred", extra={"delivery_id": delivery.id, "error": message})
    count_email(delivery.template, RETRYING)
    return Outcome(RETRYING, delay)


def fail(session: Session, failed: Attempt) -> Outcome:
    """Inside the caller's transaction: the delivery failed for good, and its dead letter."""
    delivery, message = failed.delivery, failed.message
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
