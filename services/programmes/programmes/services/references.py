"""Human references (``JIP-2027-0001``, ``TEX-2027-00001``): a number per series and year.

Each series counts in its row of ``reference_counters``, made by the first number it hands
out: a row, so that a new series (a new year) changes no schema while a request runs.

On PostgreSQL the row is bumped in a transaction of its own, on a second connection of the
pool, as a sequence's ``nextval`` would be: the row is locked for that one statement, not
until the create commits, so concurrent creates do not queue behind one another (held until
commit, the lock let 86-97 creates a second through; docs/performance.md). That transaction
does not wait for its write-ahead log to reach the disk (``synchronous_commit`` off, for it
alone): the create that uses the number commits after it, and that commit's flush carries
the bump too; a crash can only lose a bump whose create never committed, so no number is
handed twice. A create that rolls back after taking its number leaves a gap; numbers stay
unique and increasing. Each create holds two connections for that one statement: the pool
keeps two a thread open (programmes/app.py).

On SQLite, which lets one writer in at a time, the row is bumped in the caller's
transaction, which holds the write lock already: no gaps. Callers take the number last,
just before the insert.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

SERIES = re.compile(r"[A-Z]{3}-\d{4}")

_BUMP = "ON CONFLICT (series) DO UPDATE SET value = reference_counters.value + 1 RETURNING value"
# With the driver's own placeholder: sent on the driver's connection (``_in_own_transaction``).
_TAKE_ON_POSTGRESQL = (
    "INSERT INTO reference_counters (series, value) SELECT %s, 1"
    " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed " + _BUMP
)
_TAKE_ON_SQLITE = text(
    "INSERT INTO reference_counters (series, value) VALUES (:series, 1) " + _BUMP
)


def next_number(session: Session, series: str) -> int:
    """The next number of ``series`` (e.g. ``TEX-2027``): one statement, one round trip."""
    if not SERIES.fullmatch(series):
        raise ValueError(f"not a reference series: {series!r}")
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return _in_own_transaction(bind.engine, series)
    return int(session.execute(_TAKE_ON_SQLITE, {"series": series}).scalar_one())


def _in_own_transaction(engine: Engine, series: str) -> int:
    """The series' next number, bumped in autocommit on another connection of the pool.

    The driver's connection is used as it is: through a SQLAlchemy ``Connection`` the same
    statement took half as long again (its begin, reset and result objects). A driver error
    is raised as SQLAlchemy's (a database away answers 503), and drops the connection.
    """
    pooled = engine.raw_connection()
    driver: Any = pooled.driver_connection
    # A connection of a pool in autocommit (a create of one statement's) is left as it is.
    in_transactions = not driver.autocommit
    try:
        if in_transactions:
            driver.autocommit = True
        with driver.cursor() as cursor:
            cursor.execute(_TAKE_ON_POSTGRESQL, (series,))
            (value,) = cursor.fetchone()
        if in_transactions:
            driver.autocommit = False
    except engine.dialect.loaded_dbapi.Error as error:
        pooled.invalidate(error)
        raise DBAPIError.instance(
            _TAKE_ON_POSTGRESQL,
            (series,),
            error,
            engine.dialect.loaded_dbapi.Error,
            hide_parameters=True,
            dialect=engine.dialect,
        ) from error
    except BaseException as error:
        pooled.invalidate(error)
        raise
    finally:
        pooled.close()
    return int(value)
