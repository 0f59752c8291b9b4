"""What the worker's tasks (and the replay command) do, step by step: each step of
services/ in the transaction it needs, in the order that keeps an email sent once per event
and recipient under redelivery and crashes (docs/architecture.md, RELIABILITY).

The task owns the transaction, never the use case. A claim commits before its email or
webhook goes out; the SMTP or HTTP call is made outside any transaction; its outcome is
recorded after it, in a transaction (or a statement) of its own. Statements that each stand
alone run on a connection in autocommit (store.db), two round trips fewer than a transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from notifications.domain.planning import Settings
from notifications.mail.compose import Sender
from notifications.services.erasure import (
    erase_application,
    reclaim_after_erasure,
    remember_erased,
    written_before_erasure,
)
from notifications.services.events import (
    ERASING_EVENTS,
    ERASURE_EVENT,
    STATE_EVENTS,
    Taken,
    pending_deliveries,
    plan_event,
    processed,
    record,
    replay_state,
    take_again,
    take_in_one_statement,
    take_planned,
    take_state_event,
    take_unplanned,
)
from notifications.services.sending import (
    Attachments,
    Attempt,
    Outcome,
    Transport,
    UnsubscribeLink,
    attempt,
    claim,
    defer,
    fail,
    record_sent,
)
from notifications.services.webhook_sending import (
    Poster,
    WebhookPolicy,
    claim_webhook,
    post,
    record_failure,
    record_success,
)
from notifications.store.db import autocommit, autocommit_connection, until_written
from notifications.store.models import Delivery
from setu_contract.personal_data import carries_personal_data, without_personal_data

log = logging.getLogger(__name__)
T = TypeVar("T")


def in_transaction(session: Session, step: Callable[..., T], *args: Any) -> T:
    """``step(session, *args)`` in a transaction of its own."""
    with session.begin():
        return step(session, *args)


def take_event(
    session: Session,
    envelope: dict[str, Any],
    settings: Settings,
    allow_missing: bool = False,
) -> Taken:
    """Apply ``envelope`` if it is new and claim its emails, and keep its application's
    erasure.

    A new event's emails are written already claimed (`sending`, first attempt): the caller
    sends them at once, and if it dies first the sweeper sends them later. A redelivered
    event is not applied again; its emails still to send (queued or retrying) are claimed
    instead, and its unsent webhooks returned. Events arrive in any order: when one names
    an organisation the read model does not know yet, nothing is written and
    ``MissingOrganisations`` is raised so that the caller can try again later; with
    ``allow_missing`` the known recipients are planned and the rest skipped.
    """
    envelope = _known_now(session, envelope)
    taken = _take(session, envelope, settings, allow_missing)
    taken.log(envelope["id"])
    return taken.without_applicant() if _erased_meanwhile(session, envelope) else taken


def _take(
    session: Session, envelope: dict[str, Any], settings: Settings, allow_missing: bool
) -> Taken:
    """An event that changes state: one transaction. Any other: planned by reads of
    committed data, then recorded with its deliveries (PostgreSQL: in one statement; else
    in a transaction, or by one statement when it causes nothing)."""
    if envelope["type"] in STATE_EVENTS:
        with session.begin():
            return take_state_event(session, envelope, settings, allow_missing)
    if session.get_bind().dialect.name == "postgresql":
        with autocommit_connection(session) as connection:
            taken = take_in_one_statement(connection, envelope, settings, allow_missing)
        if taken is None:
            with autocommit(session):
                taken = take_again(session, envelope["id"])
        return taken
    with autocommit(session):
        planned = plan_event(session, envelope, settings, allow_missing)
        if planned.empty:
            return take_unplanned(session, envelope)
    with session.begin():
        return take_planned(session, envelope, planned)


def _known_now(session: Session, envelope: dict[str, Any]) -> dict[str, Any]:
    """Before an event is applied: an erasure is recorded first, committed on its own
    (services.erasure); an event written before its application's erasure is taken without
    the personal data."""
    if envelope["type"] == ERASURE_EVENT:
        with session.begin():
            remember_erased(session, envelope["data"])
        return envelope
    if _written_before_erasure(session, envelope):
        return without_personal_data(envelope)
    return envelope


def _written_before_erasure(session: Session, envelope: dict[str, Any]) -> bool:
    """Read of what is committed, outside a transaction; no read at all for an event that
    names nobody."""
    if not carries_personal_data(envelope):
        return False
    with autocommit_connection(session) as connection:
        return written_before_erasure(connection, envelope)


def _erased_meanwhile(session: Session, envelope: dict[str, Any]) -> bool:
    """After an event is applied: an erasure's freed space is reclaimed, and what an event
    wrote of an application erased meanwhile is erased again (True)."""
    if envelope["type"] in ERASING_EVENTS:
        reclaim_after_erasure(session)
        return False
    if not _written_before_erasure(session, envelope):
        return False
    with session.begin():
        erase_application(session, envelope["data"]["id"])
    reclaim_after_erasure(session)
    return True


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
    envelope = _known_now(session, envelope)
    with session.begin():
        pending = record(session, envelope, settings, allow_missing)
    if _erased_meanwhile(session, envelope):
        with session.begin():
            return pending_deliveries(session, envelope["id"])
    return pending


def replay_event(
    session: Session, envelope: dict[str, Any], settings: Settings, mark_processed: bool = False
) -> bool:
    """Rebuild from the event log: the read model's state (organisations, erasures), never an
    email (services.events.replay_state). With ``mark_processed`` the event is recorded as
    processed, and no email of it will ever be sent. True when the event had not been
    processed before."""
    if mark_processed:
        with session.begin():
            first = not processed(session, envelope["id"])
        record_event(session, envelope, settings, allow_missing=None)
        return first
    with session.begin():
        return replay_state(session, envelope)


def send_delivery(
    session: Session,
    delivery_id: str,
    transport: Transport,
    sender: Sender,
    unsubscribe_link: UnsubscribeLink,
    attachments: Attachments | None = None,
) -> Outcome:
    """Claim (committed before the email is sent), send and record one delivery."""
    with session.begin():
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
    """Send a delivery this worker has claimed (it is `sending`), outside any transaction,
    then record the outcome. The only window for a second copy is a crash between the SMTP
    server's acceptance and the record of `sent` (or a database away for longer than that
    record waits)."""
    tried = attempt(delivery, transport, sender, unsubscribe_link, attachments)
    if tried.sent:
        return _record_sent(session, tried)
    if tried.deferred:
        with autocommit_connection(session) as connection:
            return defer(connection, tried)
    with session.begin():
        return fail(session, tried)


def _record_sent(session: Session, sent: Attempt) -> Outcome:
    """Mark the delivery sent, however long the database takes to answer (up to
    ``until_written``'s patience): a delivery left `sending` is sent again by the sweeper."""

    def write() -> Outcome:
        with autocommit_connection(session) as connection:
            return record_sent(connection, sent)

    try:
        return until_written(write)
    except Exception:
        log.error(
            "email sent but not recorded: it may be sent again",
            exc_info=True,
            extra={"delivery_id": sent.delivery.id},
        )
        raise


def send_webhook(
    session: Session, delivery_id: str, poster: Poster, policy: WebhookPolicy
) -> Outcome:
    """Claim (committed before the post), post and record one webhook delivery."""
    with session.begin():
        claimed = claim_webhook(session, delivery_id)
    if claimed is None:
        return Outcome("skipped")
    delivery, endpoint = claimed
    response = post(delivery, endpoint, poster)
    if response.ok:
        # The ids are read now: a failed try expires the objects along with the transaction.
        ids = (delivery.id, endpoint.id, response.status)
        return until_written(lambda: in_transaction(session, record_success, *ids))
    with session.begin():
        return record_failure(session, delivery, endpoint, response, policy)
