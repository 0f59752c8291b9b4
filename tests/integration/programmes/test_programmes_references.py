"""Reference numbers: unique and increasing per series, also when many creates race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from programmes.services.references import next_number
from programmes.store.db import make_engine, make_sessionmaker
from programmes.store.migrate import upgrade
from programmes.store.models import ReferenceCounter


def take(engine: Engine, series: str) -> int:
    with make_sessionmaker(engine)() as session, session.begin():
        return next_number(session, series)


def test_each_series_counts_on_its_own_from_one(engine: Engine):
    assert [take(engine, "TEX-2031") for _ in range(3)] == [1, 2, 3]
    assert take(engine, "JIP-2031") == 1
    assert take(engine, "TEX-2032") == 1
    assert take(engine, "TEX-2031") == 4


def test_a_series_goes_on_after_its_counter_row(engine: Engine):
    with make_sessionmaker(engine)() as session, session.begin():
        session.add(ReferenceCounter(series="JIP-2033", value=41))
    assert take(engine, "JIP-2033") == 42


def test_not_a_series_is_refused(engine: Engine):
    with pytest.raises(ValueError):
        take(engine, "JIP-2031'; DROP TABLE programmes; --")


def test_racing_creates_get_distinct_numbers_on_postgresql(postgres_url: str):
    """SQLite lets one writer in at a time; on PostgreSQL creates take numbers at once."""
    upgrade(postgres_url)
    engine = make_engine(postgres_url, pool_size=8)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            numbers = list(pool.map(lambda _: take(engine, "TEX-2034"), range(80)))
    finally:
        engine.dispose()
    assert sorted(numbers) == list(range(1, 81))
