"""The dead-letter store: list what failed for good, and put it back to work.

Each use case works inside the caller's transaction: the task or the command owns it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notifications.domain.errors import Conflict, NotFound
from notifications.store.models import FAILED, RETRYING, DeadLetter, Delivery, utcnow
from setu_contract.database import changed_rows
from setu_contract.events import aggregate_of


@dataclass(frozen=True)
class Requeue:
    """What to send to the broker once the database says the item may run again."""

    task_name: str
    args: list[Any]


def record_failed_task(
    session: Session, task_name: str, args: list[Any], error: str, attempts: int
) -> None:
    """A task that failed past its retries: keep its arguments so it can be re-queued
    (inside the caller's transaction)."""
    envelope = args[0] if args and isinstance(args[0], dict) else {}
    session.add(
        DeadLetter(
            source="event" if envelope else "task",
            task_name=task_name,
            event_id=str(envelope.get("id"))[:36] if envelope.get("id") else None,
            subject_id=_subject_of(envelope),
            payload={"args": args},
            error=error[:2000],
            attempts=attempts,
        )
    )


def _subject_of(envelope: dict[str, Any]) -> str | None:
    """The aggregate a failed event is about, if it names one."""
    try:
        return str(aggregate_of(envelope)[1])[:36]
    except (KeyError, TypeError, ValueError):
        return None


def list_dead_letters(session: Session, include_requeued: bool = False) -> list[DeadLetter]:
    query = select(DeadLetter).order_by(DeadLetter.created_at)
    if not include_requeued:
        query = query.where(DeadLetter.requeued_at.is_(None))
    return list(session.scalars(query))


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
    """Put one dead letter back to work (once)."""
    letter = session.get(DeadLetter, dead_letter_id, with_for_update=True)
    if letter is None:
        raise NotFound(f"no dead letter {dead_letter_id}")
    if letter.requeued_at is not None:
        raise Conflict(f"dead letter {dead_letter_id} was re-queued already")
    if letter.delivery_id:
        return reopen_delivery(session, letter.delivery_id)
    letter.requeued_at = utcnow()
    return Requeue(letter.task_name, list(letter.payload.get("args", [])))
