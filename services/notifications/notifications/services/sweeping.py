"""Find deliveries that a lost task or a crashed worker left behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from notifications.store.models import (
    QUEUED,
    RETRYING,
    SENDING,
    Delivery,
    WebhookDelivery,
    utcnow,
)

Model = type[Delivery] | type[WebhookDelivery]

# Longer than a task may run (setu_contract.messaging.TASK_TIME_LIMIT) plus slack: a delivery
# `sending` for this long belongs to a worker that died between claim and outcome.
SENDING_DEADLINE = timedelta(minutes=3)
# A queued delivery is normally sent within a second of being planned.
QUEUED_DEADLINE = timedelta(minutes=2)
# A retry normally runs when due; this much later, its task was lost.
RETRY_GRACE = timedelta(minutes=2)
BATCH = 500


def stuck_deliveries(
    session: Session, model: Model = Delivery, stuck_after: timedelta | None = None
) -> list[str]:
    """Reset deliveries (emails, or webhooks with ``model=WebhookDelivery``) stuck in
    `sending` to `retrying` and return every id to send again. ``stuck_after`` replaces the
    three deadlines (operators and tests shorten them). Inside the caller's transaction: the
    reset and the read commit together."""
    now = utcnow()
    sending_deadline = stuck_after or SENDING_DEADLINE
    queued_deadline = stuck_after or QUEUED_DEADLINE
    retry_grace = stuck_after or RETRY_GRACE
    lost = session.scalars(
        update(model)
        .where(model.status == SENDING, model.updated_at < now - sending_deadline)
        .values(
            status=RETRYING,
            next_attempt_at=now,
            updated_at=now,
            last_error="worker lost while sending",
        )
        .returning(model.id)
    ).all()
    stale = or_(
        and_(model.status == QUEUED, model.updated_at < now - queued_deadline),
        and_(model.status == RETRYING, model.next_attempt_at < now - retry_grace),
        and_(model.status == RETRYING, model.next_attempt_at.is_(None)),
    )
    query = select(model.id).where(stale).order_by(model.updated_at).limit(BATCH)
    return list(dict.fromkeys([*lost, *session.scalars(query)]))
