"""Human references (``JIP-2027-0001``, ``TEX-2027-00001``) from a counter row per series.

The counter row is locked from its UPDATE until the transaction commits, so concurrent
creates are serialised on it. Callers therefore take the number last, after every check
and read, just before the new row is written: the lock then covers only the inserts and
the commit. Numbers have no gaps: a transaction that rolls back gives its number back.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from programmes.store.models import ReferenceCounter


def next_number(session: Session, series: str) -> int:
    """The next number of ``series`` (one round trip once the series exists)."""
    for _ in range(3):
        value = session.scalar(
            update(ReferenceCounter)
            .where(ReferenceCounter.series == series)
            .values(value=ReferenceCounter.value + 1)
            .returning(ReferenceCounter.value)
        )
        if value is not None:
            return int(value)
        try:
            with session.begin_nested():
                session.add(ReferenceCounter(series=series, value=1))
            return 1
        except IntegrityError:  # another transaction created the series first: bump it
            continue
    raise RuntimeError(f"could not take a number in {series}")  # pragma: no cover
