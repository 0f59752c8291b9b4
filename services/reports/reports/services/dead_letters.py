"""The dead-letter store (setu_contract.dead_letters): events whose handling failed for good,
listed and re-queued once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from reports.store.models import dead_letters as _TABLE
from setu_contract import dead_letters
from setu_contract.dead_letters import Requeue


def record_failed_task(
    session: Session, task_name: str, args: list[Any], error: str, attempts: int
) -> str:
    """Keep a task's arguments (the envelope) with its last error, inside the caller's
    transaction, so that an operator can put it back to work; the letter's id."""
    return dead_letters.record_failed_task(session, _TABLE, task_name, args, error, attempts)


def list_dead_letters(session: Session, include_requeued: bool = False) -> list[Row[Any]]:
    """Oldest first; the re-queued ones only when asked."""
    return dead_letters.list_letters(session, _TABLE, include_requeued)


def requeue(session: Session, dead_letter_id: str) -> Requeue:
    """Mark one dead letter re-queued (once) and say what to send again."""
    work, _ = dead_letters.requeue(session, _TABLE, dead_letter_id)
    return work
