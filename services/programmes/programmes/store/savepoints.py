"""Statements in a savepoint: undone on their own while the caller's transaction goes on.

A savepoint is a data-access detail, not a transaction boundary: the route or the task that
owns the transaction still commits (or rolls back) everything, these statements included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def kept_only_if(session: Session, keep: bool) -> Iterator[None]:
    """The statements of the block in a savepoint, rolled back unless ``keep``: the same
    statements and round trips either way, and nothing kept when not."""
    with session.begin_nested() as savepoint:
        yield
        if not keep:
            savepoint.rollback()
