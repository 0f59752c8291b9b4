"""Engines and sessions of the notifications service: the settings every service shares."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from setu_contract.database import make_engine, make_sessionmaker, reading_sessions

__all__ = [
    "autocommit",
    "autocommit_connection",
    "make_engine",
    "make_sessionmaker",
    "make_worker_sessionmaker",
    "reading_sessions",
    "until_written",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Session.info key: an engine whose connections are all in autocommit (see below).
AUTOCOMMIT_ENGINE = "notifications.autocommit_engine"


@contextmanager
def autocommit(session: Session) -> Iterator[None]:
    """Statements that each stand alone (one write, or reads of committed data): no BEGIN
    and no COMMIT, two round trips fewer than a transaction."""
    with session.begin():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield


def make_worker_sessionmaker(url: str) -> sessionmaker[Session]:
    """Sessions as usual, which also carry an engine of autocommit connections (a pool of
    its own, for the statements that stand alone on every event and email).

    Switching a pooled connection to autocommit and back, inside a session transaction,
    cost more CPU than the statement it ran (~0.1 ms a time, twice per email). Not on
    SQLite (one writer at a time anyway): its sessions switch as before."""
    sessions = make_sessionmaker(make_engine(url))
    if not url.startswith("sqlite"):
        statements = make_engine(url, isolation_level="AUTOCOMMIT")
        sessions.configure(info={AUTOCOMMIT_ENGINE: statements})
    return sessions


@contextmanager
def autocommit_connection(session: Session) -> Iterator[Connection]:
    """A connection in autocommit for statements that each stand alone: from the session's
    autocommit engine if it has one (make_worker_sessionmaker), else the session's own."""
    engine: Engine | None = session.info.get(AUTOCOMMIT_ENGINE)
    if engine is None:
        with autocommit(session):
            yield session.connection()
        return
    with engine.connect() as connection:
        yield connection


# Seconds a record that must not be lost is tried again while the database does not answer:
# a restart takes a few; a task's soft time limit (50 s) must leave room for the rest of it.
RECORD_PATIENCE = 30.0


def until_written(write: Callable[[], T], patience: float = RECORD_PATIENCE) -> T:
    """``write()``, done again while the database does not answer (a restart, a dropped
    connection, SQLite busy past its timeout), for up to ``patience`` seconds; then its
    error. For what was done outside, that a lost record would have done twice: an email
    the SMTP server accepted, a webhook its endpoint took."""
    deadline = time.monotonic() + patience
    pause = 0.05
    while True:
        try:
            return write()
        except DBAPIError as error:
            away = error.connection_invalidated or isinstance(error, OperationalError)
            if not away or time.monotonic() + pause > deadline:
                raise
            log.warning("a record waits for the database: %r", error.orig)
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
