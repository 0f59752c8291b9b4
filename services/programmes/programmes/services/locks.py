"""The programme's row lock: what serialises everything that counts or checks a programme's
exchanges (their slots, its screenings and licences)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from programmes.store.models import Programme
from setu_contract.errors import NotFound


def lock_programme(session: Session, programme_id: str) -> Programme:
    """The programme row, locked until commit (PostgreSQL: SELECT ... FOR UPDATE) and read
    after the lock is held.

    Every application transition and every screening takes this lock first, so two
    ``accept``s of the same programme run one after the other and the second one sees the
    first one's count, and an accept reads the licence as the last screening left it. On
    SQLite every write transaction holds the database's one write lock from its first
    statement (``setu_contract.database``), which gives the same guarantee.
    """
    programme = session.scalars(
        select(Programme)
        .where(Programme.id == programme_id)
        .with_for_update(of=Programme)
        .execution_options(populate_existing=True)
    ).first()
    if programme is None:
        raise NotFound(f"no programme {programme_id}")
    return programme
