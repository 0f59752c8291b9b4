"""Human references (``JIP-2027-0001``, ``TEX-2027-00001``) from a counter row per series."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from programmes.store.models import ReferenceCounter


def next_number(session: Session, series: str) -> int:
    """The next number of ``series``; the counter row's update serialises concurrent callers."""
    for _ in range(3):
        bumped = session.execute(
            update(ReferenceCounter)
            .where(ReferenceCounter.series == series)
            .values(value=ReferenceCounter.value + 1)
        )
        if bumped.rowcount:
            break
        try:
            with session.begin_nested():
                session.add(ReferenceCounter(series=series, value=1))
            break
        except IntegrityError:  # another transaction created the series first: bump it
            continue
    value = session.scalar(select(ReferenceCounter.value).where(ReferenceCounter.series == series))
    return int(value or 1)
