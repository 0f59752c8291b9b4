"""Erasures whose freed space is still to be reclaimed, kept in the service's own database.

An erasure rewrites rows; their old versions stay where the database keeps freed space until
a reclaim (``database.reclaim_freed_space``) removes them, which on PostgreSQL must wait for
every transaction that began before the erasure's commit. Run just after the commit, the
reclaim can find such a transaction still running (a busy relay, a long request) and give up.
So the erasure writes a row here in its own transaction, and the row is deleted only by a
reclaim that began after that commit and settled: the one after the commit, or a later one
of the service's periodic work (``reclaim_due``), however long the wait and whichever process
restarts meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from setu_contract.database import SNAPSHOTS_WAIT, UtcDateTime, reclaim_freed_space

# How long the periodic work that tries a reclaim again waits for older transactions: it is
# held up no longer than this, and what is still due its next run tries.
RETRY_WAIT = 2.0


def reclaims_table(metadata: MetaData) -> Table:
    """The reclaims due in ``metadata`` (each service's migrations create it)."""
    return Table(
        "reclaims_due",
        metadata,
        Column("id", String(36), primary_key=True, default=lambda: str(uuid.uuid4())),
        # The tables the erasure rewrote, comma-separated.
        Column("tables", Text, nullable=False),
        Column("erased_at", UtcDateTime(), nullable=False, default=lambda: datetime.now(UTC)),
    )


def record(session: Session, table: Table, tables: Sequence[str]) -> None:
    """A reclaim of ``tables`` due once the caller's transaction (the erasure's) commits."""
    session.execute(insert(table).values(tables=",".join(tables)))


class Due(NamedTuple):
    # How many erasures are still to be reclaimed.
    erasures: int
    # When the oldest erasure still due committed (None: none is due).
    oldest: datetime | None


def due(engine: Engine, table: Table) -> Due:
    """The reclaims due in ``table``: how many, and since when."""
    with engine.connect() as conn:
        count, oldest = conn.execute(select(func.count(), func.min(table.c.erased_at))).one()
    return Due(count, oldest)


def reclaim_due(engine: Engine, table: Table, wait_seconds: float = SNAPSHOTS_WAIT) -> bool | None:
    """Reclaim what the erasures committed so far freed; None when none is due, else
    whether it settled (their rows are then deleted; else they stay for the next try).
    Erasures committed after this began stay due: the reclaim may not have covered them."""
    with engine.connect() as conn:
        due: list[Any] = list(conn.execute(select(table.c.id, table.c.tables)))
    if not due:
        return None
    tables = sorted({name for _, names in due for name in names.split(",") if name})
    if not reclaim_freed_space(engine, tables, wait_seconds):
        return False
    with engine.begin() as conn:
        conn.execute(delete(table).where(table.c.id.in_([row_id for row_id, _ in due])))
    return True
