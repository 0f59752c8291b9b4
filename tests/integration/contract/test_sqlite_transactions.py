"""SQLite transactions as every service opens them (setu_contract.database): a session that
may write holds the write lock from its first statement; work that only reads takes none."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, select, text

from setu_contract.database import make_engine, make_sessionmaker, reading, reading_sessions
from setu_contract.outbox import OutboxRelay, outbox_table
from tests.integration.contract.test_outbox_relay import write_events


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "setu.db"


@pytest.fixture
def engine(path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counts (n INTEGER)"))
    yield engine
    engine.dispose()


def another_writer_gets_in(path: Path) -> bool:
    """Whether another connection takes the write lock now, without waiting for it."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        other.close()  # rolls back
    return True


def test_a_session_holds_the_write_lock_from_its_first_read(engine: Engine, path: Path):
    with make_sessionmaker(engine)() as session:
        session.execute(text("SELECT count(*) FROM counts"))  # a check, before any write
        assert not another_writer_gets_in(path)
        session.commit()
    assert another_writer_gets_in(path)


def test_reading_and_autocommit_take_no_write_lock(engine: Engine, path: Path):
    sessions = make_sessionmaker(engine)
    for readers in (
        reading_sessions(sessions),
        make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT")),
    ):
        with readers() as session:
            session.execute(text("SELECT count(*) FROM counts"))
            assert another_writer_gets_in(path)
    with reading(engine).connect() as conn:
        conn.execute(text("SELECT count(*) FROM counts"))
        assert another_writer_gets_in(path)


def test_a_reader_sees_one_snapshot_and_waits_for_no_writer(engine: Engine, path: Path):
    with reading(engine).begin() as conn:
        assert conn.scalar(text("SELECT count(*) FROM counts")) == 0
        with engine.begin() as writer:  # a writer commits while the reader reads
            writer.execute(text("INSERT INTO counts VALUES (1)"))
        assert conn.scalar(text("SELECT count(*) FROM counts")) == 0
    with reading(engine).connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM counts")) == 1


def test_the_relay_holds_no_write_lock_while_the_broker_answers(engine: Engine, path: Path):
    metadata = MetaData()
    table = outbox_table(metadata)
    metadata.create_all(engine)
    write_events(engine, table, 3)
    writers_got_in: list[bool] = []

    def publish(envelope: dict) -> None:
        writers_got_in.append(another_writer_gets_in(path))

    assert OutboxRelay(engine, table, publish).relay_batch() == 3
    assert writers_got_in == [True, True, True]
    with engine.connect() as conn:
        assert conn.scalar(select(table.c.position).where(table.c.published_at.is_(None))) is None
