"""The dead-letter store (setu_contract.dead_letters): list what failed for good, and put it
back to work.

Each use case works inside the caller's transaction: the task or the command owns it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, update
from sqlalchemy.orm import Session

from notifications.store.models import FAILED, RETRYING, DeadLetter, Delivery, utcnow
from setu_contract import dead_letters
from setu_contract.database import changed_rows
from setu_contract.dead_letters import Requeue
from setu_contract.errors import Conflict

_TABLE = DeadLetter.__table__


def record_failed_task(
    session: Session, task_name: str, args: list[Any], error: str, attempts: int
) -> None:
    """A task that failed past its retries: keep its arguments so it can be re-queued
    (inside the caller's transaction)."""
    dead_letters.record_failed_task(session, _TABLE, task_name, args, error, attempts)


def list_dead_letters(session: Session, include_requeued: bool = False) -> list[Row[Any]]:
    return dead_letters.list_letters(session, _TABLE, include_requeued)


def reopen_delivery(session: Session, delivery_id: str) -> Requeue:
    """A failed delivery becomes `retrying`, due now; its dead letters are marked re-queued."""
    now = utcnow()
    reopened = changed_rows(
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == FAILED)
            .values(status=RETRYING, next_attempt_at=now, updated_at=now)
        )
    )
    if reopened != 1:
        raise Conflict(f"delivery {delivery_id} is not failed")
    session.execute(
        update(DeadLetter)
        .where(DeadLetter.delivery_id == delivery_id, DeadLetter.requeued_at.is_(None))
        .values(requeued_at=now)
    )
    return Requeue("notifications.send_delivery", [delivery_id])


def requeue(session: Session, dead_letter_id: str) -> Requeue:
    """Put one dead letter back to work (once): an email's is its delivery, reopened."""
    work, letter = dead_letters.requeue(session, _TABLE, dead_letter_id)
    if letter.delivery_id:
        return reopen_delivery(session, letter.delivery_id)
    return work
