"""Human references (``JIP-2027-0001``, ``TEX-2027-00001``): a number per series and year.

On PostgreSQL each series is a SEQUENCE (``reference_jip_2027``...): ``nextval`` takes no row
lock and waits for no other transaction, so concurrent creates do not queue behind one
another. A create that rolls back after taking its number leaves a gap; numbers stay unique
and increasing. A series' sequence is made the first time it is used, in a short transaction
of its own, starting after the series' row in ``reference_counters`` if it has one (the
numbers handed out before sequences were used).

On SQLite, which lets one writer in at a time anyway, the number comes from the series' row
in ``reference_counters``, bumped in the caller's transaction.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from programmes.store.models import ReferenceCounter
from programmes.store.savepoints import added_unless_taken

SERIES = re.compile(r"[A-Z]{3}-\d{4}")

# (database URL, sequence name) of the sequences known to exist.
_sequences: set[tuple[str, str]] = set()


def next_number(session: Session, series: str) -> int:
    """The next number of ``series`` (e.g. ``TEX-2027``): one round trip once it exists."""
    if not SERIES.fullmatch(series):
        raise ValueError(f"not a reference series: {series!r}")
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        name = "reference_" + series.lower().replace("-", "_")
        _ensure_sequence(bind.engine, name, series)
        return int(session.scalar(text(f"SELECT nextval('{name}')")))
    return _next_from_counter_row(session, series)


def _ensure_sequence(engine: Engine, name: str, series: str) -> None:
    key = (engine.url.render_as_string(hide_password=True), name)
    if key in _sequences:
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        last = conn.scalar(select(ReferenceCounter.value).where(ReferenceCounter.series == series))
        try:
            conn.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {(last or 0) + 1}"))
        except (IntegrityError, DBAPIError) as exc:
            # Two processes created it at once: the other one's CREATE won, which is as good.
            if "already exists" not in str(exc) and "duplicate key" not in str(exc):
                raise
    _sequences.add(key)


def _next_from_counter_row(session: Session, series: str) -> int:
    """The counter row's UPDATE locks it until the caller commits: callers take the number
    last, just before the insert, so that the lock covers only the insert and the commit."""
    for _ in range(3):
        value = session.scalar(
            update(ReferenceCounter)
            .where(ReferenceCounter.series == series)
            .values(value=ReferenceCounter.value + 1)
            .returning(ReferenceCounter.value)
        )
        if value is not None:
            return int(value)
        if added_unless_taken(session, ReferenceCounter(series=series, value=1)):
            return 1
        # Another transaction created the series first: the next turn bumps it.
    raise RuntimeError(f"could not take a number in {series}")  # pragma: no cover
