"""Reference numbers: unique and increasing per series, also when many creates race; a
number is not held until its create commits (PostgreSQL), and taking one changes no schema."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from programmes.services.references import next_number
from programmes.store.db import make_engine, make_sessionmaker
from programmes.store.migrate import upgrade
from programmes.store.models import ReferenceCounter
from setu_contract.database import database_unavailable


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


def _relations(engine: Engine) -> set[str]:
    """Every table, index and sequence of the database, by name."""
    query = (
        "SELECT name FROM sqlite_master"
        if engine.dialect.name == "sqlite"
        else "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
    )
    with engine.connect() as conn:
        return set(conn.scalars(text(query)))


def test_taking_numbers_changes_no_schema(engine: Engine):
    before = _relations(engine)
    assert [take(engine, "TEX-2035"), take(engine, "JIP-2035"), take(engine, "TEX-2035")] == [
        1,
        1,
        2,
    ]
    assert _relations(engine) == before
    assert not {name for name in before if name.startswith("reference_") and name[-1].isdigit()}


def test_a_number_is_not_held_until_its_create_commits(engine: Engine):
    """PostgreSQL: a create still open does not hold the series up, and one that rolls back
    leaves a gap (as a sequence would). SQLite, one writer at a time: no gap."""
    sessions = make_sessionmaker(engine)
    postgresql = engine.dialect.name == "postgresql"
    with sessions() as open_create:
        open_create.begin()
        assert next_number(open_create, "TEX-2036") == 1
        if postgresql:
            with sessions() as other, other.begin():
                other.execute(text("SET LOCAL lock_timeout = '2s'"))
                assert next_number(other, "TEX-2036") == 2
        open_create.rollback()
    assert take(engine, "TEX-2036") == (3 if postgresql else 1)


def test_a_connection_lost_while_taking_a_number_is_sqlalchemy_s_error(postgres_url: str):
    """The APIs answer it 503 (Retry-After), as any database that is away; the lost
    connection is dropped from the pool and the next number is taken on a new one."""
    upgrade(postgres_url)
    engine = make_engine(postgres_url, pool_size=2, max_overflow=0)
    try:
        sessions = make_sessionmaker(engine)
        with sessions() as session, session.begin():
            session.execute(text("SELECT 1"))
            assert next_number(session, "TEX-2037") == 1  # on the pool's other connection
        with sessions() as session, session.begin():
            own = session.scalar(text("SELECT pg_backend_pid()"))
            with make_engine(postgres_url, poolclass=NullPool).connect() as admin:
                killed = admin.scalars(
                    text(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                        " WHERE datname = current_database()"
                        " AND pid NOT IN (pg_backend_pid(), :own)"
                    ),
                    {"own": own},
                ).all()
            assert killed == [True]
            with pytest.raises(OperationalError) as lost:
                next_number(session, "TEX-2037")
            assert database_unavailable(lost.value)
            assert next_number(session, "TEX-2037") == 2
    finally:
        engine.dispose()
