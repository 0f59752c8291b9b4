"""Statements in a savepoint: undone on their own while the caller's transaction goes on.

A savepoint is a data-access detail, not a transaction boundary: the route or the task that
owns the transaction still commits (or rolls back) everything, these statements included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def added_unless_taken(session: Session, row: object) -> bool:
    """Insert ``row`` in a savepoint; False, with nothing written and the caller's
    transaction intact, when another transaction took its unique key first."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


@contextmanager
def kept_only_if(session: Session, keep: bool) -> Iterator[None]:
    """The statements of the block in a savepoint, rolled back unless ``keep``: the same
    statements and round trips either way, and nothing kept when not."""
    with session.begin_nested() as savepoint:
        yield
        if not keep:
            savepoint.rollback()
