"""The dead-letter store: events whose handling failed for good, listed and re-queued once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.domain.errors import AlreadyRequeued, NotFound
from reports.store.models import DeadLetter

ERROR_LIMIT = 2000


@dataclass(frozen=True)
class Requeue:
    """What to send to the broker once the database has marked the letter re-queued."""

    task_name: str
    args: list[Any]


def record_failed_task(
    session: Session, task_name: str, args: list[Any], error: str, attempts: int
) -> DeadLetter:
    """Keep a task's arguments (the envelope) with its last error, inside the caller's
    transaction, so that an operator can put it back to work."""
    envelope = args[0] if args and isinstance(args[0], dict) else {}
    letter = DeadLetter(
        id=str(uuid.uuid4()),
        task_name=task_name,
        event_id=_short(envelope.get("id"), 36),
        event_type=_short(envelope.get("type"), 64),
        payload={"args": list(args)},
        error=error[:ERROR_LIMIT],
        attempts=attempts,
        created_at=datetime.now(UTC),
    )
    session.add(letter)
    return letter


def _short(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value else None


def list_dead_letters(session: Session, include_requeued: bool = False) -> list[DeadLetter]:
    """Oldest first; the re-queued ones only when asked."""
    query = select(DeadLetter).order_by(DeadLetter.created_at, DeadLetter.id)
    if not include_requeued:
        query = query.where(DeadLetter.requeued_at.is_(None))
    return list(session.scalars(query))


def requeue(session: Session, dead_letter_id: str) -> Requeue:
    """Mark one dead letter re-queued (once) and say what to send again.

    The row is locked (PostgreSQL) so that two operators cannot both re-queue it; on SQLite
    the write transaction serialises them.
    """
    letter = session.get(DeadLetter, dead_letter_id, with_for_update=True)
    if letter is None:
        raise NotFound(f"dead letter {dead_letter_id}")
    if letter.requeued_at is not None:
        raise AlreadyRequeued(dead_letter_id)
    letter.requeued_at = datetime.now(UTC)
    session.flush()
    return Requeue(letter.task_name, list(letter.payload.get("args", [])))
