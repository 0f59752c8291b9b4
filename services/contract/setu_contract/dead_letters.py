"""The dead-letter store: work that failed for good, kept to be listed and re-queued once.

A consumer's task that fails past its retries (or with an error it does not retry) leaves a
dead letter (``record_failed_task``): its name and arguments as it received them, the last
error and how many attempts were made, and, when its argument is an event envelope, the
event's id, type and the aggregate it is about (``subject_id``, which an erasure looks for).
Other work that gives up records its own kind (``source``) with ``record``. An operator
lists them (``list_letters``) and, once the fault is fixed, puts one back to work
(``requeue``): the letter is marked re-queued, once, and the caller sends its task again.

Each service keeps the table in its own database (``dead_letters_table`` on its metadata,
with any columns of its own); these functions take the caller's session and never begin or
commit a transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from setu_contract.database import UtcDateTime, changed_rows
from setu_contract.events import aggregate_of

# What failed: an event's handling, or another task (a consumer may add kinds of its own).
EVENT = "event"
TASK = "task"
ERROR_LIMIT = 2000


def dead_letters_table(
    metadata: MetaData, *extra: Column[Any], name: str = "dead_letters"
) -> Table:
    """The dead letters in ``metadata`` (each service's migrations create it), with the
    service's ``extra`` columns."""
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True, default=lambda: str(uuid.uuid4())),
        Column("source", String(16), nullable=False),
        Column("task_name", String(100), nullable=False),
        Column("event_id", String(36), nullable=True),
        Column("event_type", String(64), nullable=True),
        # The programme, application or organisation the failed work is about (for erasure).
        Column("subject_id", String(36), nullable=True),
        # {"args": [...]} as the task received them.
        Column("payload", JSON, nullable=False, default=dict),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("created_at", UtcDateTime(), nullable=False, default=lambda: datetime.now(UTC)),
        Column("requeued_at", UtcDateTime(), nullable=True),
        *extra,
        Index(f"ix_{name}_event_id", "event_id"),
        Index(f"ix_{name}_subject_id", "subject_id"),
    )


class DeadLetterRefused(Exception):
    """The dead letter cannot be re-queued."""


class DeadLetterNotFound(DeadLetterRefused, LookupError):
    def __init__(self, dead_letter_id: str):
        super().__init__(f"No such dead letter {dead_letter_id}.")


class AlreadyRequeued(DeadLetterRefused):
    def __init__(self, dead_letter_id: str):
        super().__init__(f"Dead letter {dead_letter_id} was re-queued already.")


@dataclass(frozen=True)
class Requeue:
    """What to send to the broker once the database has marked the letter re-queued."""

    task_name: str
    args: list[Any]


def record(session: Session, table: Table, **values: Any) -> str:
    """Add a dead letter of ``values`` (the table's columns); its id."""
    letter_id = str(values.pop("id", None) or uuid.uuid4())
    values["error"] = str(values.get("error") or "")[:ERROR_LIMIT]
    session.execute(insert(table), {"id": letter_id, **values})
    return letter_id


def record_failed_task(
    session: Session, table: Table, task_name: str, args: Sequence[Any], error: str, attempts: int
) -> str:
    """A task that failed for good: its arguments (an event envelope first, if it is an
    event's), so that it can be re-queued; the letter's id."""
    envelope = args[0] if args and isinstance(args[0], dict) else {}
    return record(
        session,
        table,
        source=EVENT if envelope else TASK,
        task_name=task_name,
        event_id=_short(envelope.get("id"), 36),
        event_type=_short(envelope.get("type"), 64),
        subject_id=subject_of(envelope),
        payload={"args": list(args)},
        error=error,
        attempts=attempts,
    )


def _short(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value else None


def subject_of(envelope: dict[str, Any]) -> str | None:
    """The aggregate a failed event is about, if it names one."""
    try:
        return _short(aggregate_of(envelope)[1], 36)
    except (KeyError, TypeError, ValueError):
        return None


def list_letters(session: Session, table: Table, include_requeued: bool = False) -> list[Row[Any]]:
    """Oldest first; the re-queued ones only when asked."""
    query = select(table).order_by(table.c.created_at, table.c.id)
    if not include_requeued:
        query = query.where(table.c.requeued_at.is_(None))
    return list(session.execute(query).all())


def requeue(session: Session, table: Table, dead_letter_id: str) -> tuple[Requeue, Row[Any]]:
    """Mark one dead letter re-queued (once); what to send again, and the letter as it was.

    The row is locked (PostgreSQL) and marked only while it is not re-queued, so that two
    operators cannot both re-queue it; on SQLite the write transaction serialises them.
    """
    letter = session.execute(
        select(table).where(table.c.id == dead_letter_id).with_for_update()
    ).first()
    if letter is None:
        raise DeadLetterNotFound(dead_letter_id)
    marked = session.execute(
        update(table)
        .where(table.c.id == dead_letter_id, table.c.requeued_at.is_(None))
        .values(requeued_at=datetime.now(UTC))
    )
    if changed_rows(marked) != 1:
        raise AlreadyRequeued(dead_letter_id)
    args = (letter.payload or {}).get("args", [])
    return Requeue(letter.task_name, list(args)), letter
