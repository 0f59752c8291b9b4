"""Sessions of the reports service: the shared engine settings and one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from setu_contract.database import make_engine, make_sessionmaker, reading_sessions

__all__ = ["make_engine", "make_sessionmaker", "reading_sessions", "transaction"]


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
