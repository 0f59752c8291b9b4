"""The engine settings every service shares keep no erased value where the database keeps
freed space, and no statement's parameters in its errors (on SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    event,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from setu_contract import reclaims
from setu_contract.database import make_engine, reclaim_freed_space
from setu_contract.metrics import ReclaimsDueCollector
from tests.support.infra import POSTGRES_ADMIN_URL
from tests.support.personal_data import files_holding, postgres_tuples_holding

metadata = MetaData()
people = Table(
    "people",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), index=True),
    Column("statement", Text),
    Column("status", String(200)),
)
reclaims_due = reclaims.reclaims_table(metadata)


def _sqlite_built_without_secure_delete(database_url: str) -> Callable[[], Any]:
    """Connections to the file as a SQLite built without SECURE_DELETE opens them (Debian's
    has it on by default; others, and Python's own builds, may not)."""
    path = make_url(database_url).database

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(path, check_same_thread=False)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    return connect


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    options = {}
    if database_url.startswith("sqlite"):
        options["creator"] = _sqlite_built_without_secure_delete(database_url)
    db = make_engine(database_url, **options)
    metadata.create_all(db)
    yield db
    db.dispose()


def test_an_error_never_shows_the_statements_parameters(engine: Engine):
    name = f"Zephyrine Quaglio {uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        conn.execute(insert(people), {"id": "p1", "name": name, "statement": "x"})
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(insert(people), {"id": "p1", "name": name, "statement": "x"})
    assert name not in str(caught.value) and name not in repr(caught.value)


def _files(database_url: str) -> list[Path]:
    path = Path(make_url(database_url).database or "")
    return [p for p in path.parent.iterdir() if p.name.startswith(path.name)]


def test_an_erased_value_is_left_nowhere_in_the_databases_pages(engine: Engine, database_url: str):
    """Many rows written over many transactions (pages split, rows grow and move, long
    ones overflow their page), the distinctive ones then emptied: the old values are neither
    in the file nor in its log (SQLite), nor in any row version the pages still hold
    (PostgreSQL)."""
    token = uuid.uuid4().hex[:8]
    names = {f"Zephyrine Quaglio {token} {n}" for n in range(0, 600, 60)}
    for batch in range(20):
        rows = [
            {
                "id": str(uuid.uuid4()),
                "name": f"Zephyrine Quaglio {token} {n}" if n % 60 == 0 else "someone",
                "statement": f"statement {n} " * (n * 7 % 200 + 5),
                "status": "draft",
            }
            for n in range(batch * 30, batch * 30 + 30)
        ]
        with engine.begin() as conn:
            conn.execute(insert(people), rows)
            for row in rows[::3]:
                conn.execute(
                    update(people)
                    .where(people.c.id == row["id"])
                    .values(status="submitted " + "y" * (batch * 9 % 150))
                )
    with engine.begin() as conn:
        conn.execute(
            update(people)
            .where(people.c.name.like(f"Zephyrine Quaglio {token}%"))
            .values(name=None, statement=None)
        )
    assert reclaim_freed_space(engine, ["people"])
    if engine.dialect.name == "sqlite":
        assert files_holding(_files(database_url), names) == {}
    else:
        assert postgres_tuples_holding(database_url, names) == {}


def _erased_while_a_snapshot_is_held(engine: Engine) -> tuple[str, Connection]:
    """A row written, a transaction (another request, a worker's task) taking its snapshot,
    then the row's name erased: the old version is one that transaction may still read."""
    name = f"Zephyrine Quaglio {uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(insert(people), {"id": "p1", "name": name, "statement": "x"})
    reader = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    reader.begin()
    assert reader.execute(select(people.c.name)).scalar() == name
    with engine.begin() as conn:
        conn.execute(update(people).values(name=None))
    return name, reader


# PostgreSQL only: a reader's snapshot keeps a row's old version in PostgreSQL's pages; on
# SQLite, a reader keeps the write-ahead log from being emptied and the reclaim says so.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_reclaim_waits_for_the_transactions_that_could_still_see_the_old_row(
    engine: Engine, database_url: str
):
    name, reader = _erased_while_a_snapshot_is_held(engine)
    ended = threading.Timer(0.5, reader.close)
    ended.start()
    started = time.monotonic()
    assert reclaim_freed_space(engine, ["people"])
    assert time.monotonic() - started >= 0.4
    ended.join()
    assert postgres_tuples_holding(database_url, {name}) == {}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_reclaim_that_cannot_wait_long_enough_says_so(engine: Engine, database_url: str, caplog):
    name, reader = _erased_while_a_snapshot_is_held(engine)
    try:
        assert not reclaim_freed_space(engine, ["people"], wait_seconds=0.2)
        assert "a transaction older than the erasure runs" in caplog.text
        # The vacuum could not prune the version the open transaction may read.
        assert postgres_tuples_holding(database_url, {name})["people"] == {name}
    finally:
        reader.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_reader_that_begins_just_after_the_wait_makes_the_reclaim_vacuum_again(
    engine: Engine, database_url: str
):
    """A transaction of another database runs from before the erasure, so a reader of this
    one that begins after the erasure still has an older snapshot. It begins after the
    reclaim's wait for older transactions, just before its vacuum, which must keep the old
    version: the reclaim sees what the vacuum kept and vacuums again once the reader ends."""
    name = f"Zephyrine Quaglio {uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(insert(people), {"id": "p1", "name": name, "statement": "x"})
    elsewhere = psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=5)
    elsewhere.execute("SELECT pg_current_xact_id()")
    with engine.begin() as conn:
        conn.execute(update(people).values(name=None))
    readers: list[_Reader] = []

    def reader_before_the_first_vacuum(conn: Connection, cursor: Any, statement: str, *_: Any):
        if statement.startswith("VACUUM") and not readers:
            readers.append(_Reader(engine, database_url))
            threading.Timer(0.5, readers[0].close).start()

    event.listen(engine, "before_cursor_execute", reader_before_the_first_vacuum)
    try:
        assert reclaim_freed_space(engine, ["people"], wait_seconds=5)
    finally:
        event.remove(engine, "before_cursor_execute", reader_before_the_first_vacuum)
        elsewhere.close()
    assert readers and readers[0].names == [None]
    assert postgres_tuples_holding(database_url, {name}) == {}


def _scraped(engine: Engine) -> dict[str, float]:
    """What the service's ``/metrics`` says of its reclaims due."""
    collector = ReclaimsDueCollector(engine, reclaims_due, "programmes")
    return {
        sample.name: sample.value
        for family in collector.collect()
        for sample in family.samples
        if sample.labels == {"service": "programmes"}
    }


def test_a_reclaim_due_is_done_once_and_then_nothing_is_due(engine: Engine):
    """And the metrics an operator is alerted on say how many are due, and since when."""
    none = {"setu_reclaims_due": 0, "setu_reclaims_due_oldest_age_seconds": 0}
    assert reclaims.reclaim_due(engine, reclaims_due) is None
    assert _scraped(engine) == none
    with engine.begin() as conn:
        conn.execute(insert(people), {"id": "p1", "name": "Zephyrine Quaglio", "statement": "x"})
    with Session(engine) as session, session.begin():
        session.execute(update(people).values(name=None))
        reclaims.record(session, reclaims_due, ["people"])
    with engine.begin() as conn:
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        conn.execute(insert(reclaims_due).values(tables="people", erased_at=an_hour_ago))
    assert reclaims.due(engine, reclaims_due).erasures == 2
    scraped = _scraped(engine)
    assert scraped["setu_reclaims_due"] == 2
    assert 3600 <= scraped["setu_reclaims_due_oldest_age_seconds"] < 3660
    assert reclaims.reclaim_due(engine, reclaims_due) is True
    assert reclaims.due(engine, reclaims_due).erasures == 0
    assert _scraped(engine) == none
    assert reclaims.reclaim_due(engine, reclaims_due) is None


class _Reader:
    """Another connection inside a read transaction that has read ``people``: on PostgreSQL
    its snapshot may still see a row's old version; on SQLite it reads the write-ahead log,
    which no checkpoint can empty meanwhile."""

    def __init__(self, engine: Engine, database_url: str) -> None:
        self.sqlite: sqlite3.Connection | None = None
        self.connection: Connection | None = None
        if engine.dialect.name == "sqlite":
            self.sqlite = sqlite3.connect(make_url(database_url).database or "")
            self.sqlite.isolation_level = None
            self.sqlite.execute("BEGIN")
            self.names = [row[0] for row in self.sqlite.execute("SELECT name FROM people")]
        else:
            self.connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
            self.connection.begin()
            self.names = list(self.connection.execute(select(people.c.name)).scalars())

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()
        if self.connection is not None:
            self.connection.close()


def test_a_reclaim_that_had_to_give_up_stays_due_until_one_settles(
    engine: Engine, database_url: str
):
    """The erasure's reclaim finds an older reader and gives up (PostgreSQL: after its wait;
    SQLite: after the busy timeout): the reclaim stays due (the service's clock or sweeper
    tries again), and the first try after the reader has ended does it and what was due."""
    name = f"Zephyrine Quaglio {uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(insert(people), {"id": "p1", "name": name, "statement": "x"})
    reader = _Reader(engine, database_url)
    assert reader.names == [name]
    with Session(engine) as session, session.begin():
        session.execute(update(people).values(name=None))
        reclaims.record(session, reclaims_due, ["people"])
    try:
        assert reclaims.reclaim_due(engine, reclaims_due, wait_seconds=0.2) is False
        assert reclaims.due(engine, reclaims_due).erasures == 1
        if engine.dialect.name == "postgresql":
            assert postgres_tuples_holding(database_url, {name})["people"] == {name}
    finally:
        reader.close()
    assert reclaims.reclaim_due(engine, reclaims_due, wait_seconds=0.2) is True
    assert reclaims.due(engine, reclaims_due).erasures == 0
    if engine.dialect.name == "sqlite":
        assert files_holding(_files(database_url), {name}) == {}
    else:
        assert postgres_tuples_holding(database_url, {name}) == {}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_erasure_committed_during_a_reclaim_stays_due(engine: Engine):
    """What is due is read before the reclaim begins: an erasure that commits while it waits
    may not be covered by it, and is left for the next."""
    with Session(engine) as session, session.begin():
        reclaims.record(session, reclaims_due, ["people"])
    reader = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    reader.begin()
    reader.execute(select(people.c.id)).all()

    def erase_then_end_the_reader() -> None:
        time.sleep(0.2)
        with Session(engine) as session, session.begin():
            reclaims.record(session, reclaims_due, ["people"])
        reader.close()

    later = threading.Thread(target=erase_then_end_the_reader)
    later.start()
    assert reclaims.reclaim_due(engine, reclaims_due, wait_seconds=5) is True
    later.join()
    assert reclaims.due(engine, reclaims_due).erasures == 1
    assert reclaims.reclaim_due(engine, reclaims_due) is True
    assert reclaims.due(engine, reclaims_due).erasures == 0
