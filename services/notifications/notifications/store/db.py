"""Engines and sessions of the notifications service: the settings every service shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from setu_contract.database import make_engine, make_sessionmaker

__all__ = ["autocommit", "make_engine", "make_sessionmaker"]


@contextmanager
def autocommit(session: Session) -> Iterator[None]:
    """Statements that each stand alone (one write, or reads of committed data): no BEGIN
    and no COMMIT, two round trips fewer than a transaction."""
    with session.begin():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield
