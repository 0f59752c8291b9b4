"""A unit of work that writes with one statement, in autocommit (``database.one_write``): on
PostgreSQL its one write is atomic and a second is refused before it is sent; on SQLite it
stays a transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from setu_contract.database import SecondWrite, make_engine, one_write
from setu_contract.outbox import append
from tests.support.outbox import bare_outbox, registered

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), unique=True),
)


@pytest.fixture
def tables(postgres_url):
    with bare_outbox(postgres_url) as (engine, outbox):
        metadata.create_all(engine)
        yield engine, outbox


def counts(engine) -> tuple[int, int]:
    """Rows of things and of the outbox, read on a connection of their own."""
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(things)),
            conn.scalar(select(func.count()).select_from(text("outbox"))),
        )


def sent(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_on_sqlite_a_unit_stays_a_transaction(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    assert one_write(engine) is engine
    engine.dispose()


def test_the_one_write_stands_at_once_and_a_refused_one_writes_nothing(tables):
    engine, outbox = tables
    alone = one_write(engine)
    with Session(alone) as session:
        session.execute(select(things.c.id)).all()  # reads may come first
        append(session, outbox, registered(1), along=(things, {"id": 1, "reference": "R1"}))
        assert counts(engine) == (1, 1)  # committed before the unit ends
    with Session(alone) as session, pytest.raises(IntegrityError):
        append(session, outbox, registered(2), along=(things, {"id": 2, "reference": "R1"}))
    assert counts(engine) == (1, 1)


def test_a_second_write_is_refused_before_it_is_sent(tables):
    engine, outbox = tables
    alone = one_write(engine)
    seen = sent(alone)
    with Session(alone) as session:
        append(session, outbox, registered(1), along=(things, {"id": 1, "reference": "R1"}))
        with pytest.raises(SecondWrite):
            session.execute(insert(things), {"id": 2, "reference": "R2"})
        with pytest.raises(SecondWrite):  # a data-modifying WITH is a write too
            session.execute(text("WITH t AS (UPDATE things SET reference = 'X') SELECT 1"))
        session.execute(select(things.c.id)).all()  # reads still go
    assert counts(engine) == (1, 1)
    assert [s.split()[0] for s in seen] == ["WITH", "SELECT"]


def test_a_locking_read_is_refused_its_lock_would_end_with_it(tables):
    engine, _ = tables
    with Session(one_write(engine)) as session, pytest.raises(SecondWrite):
        session.execute(select(things).with_for_update()).all()


def test_each_unit_may_write_once(tables):
    engine, outbox = tables
    with Session(one_write(engine)) as session:
        for n in (1, 2):
            session.execute(insert(things), {"id": n, "reference": f"R{n}"})
            session.commit()
        append(session, outbox, registered(3))
    assert counts(engine) == (2, 1)
    with Session(engine) as session, session.begin():  # the engine itself is not guarded
        session.execute(insert(things), {"id": 4, "reference": "R4"})
        append(session, outbox, registered(4))
    assert counts(engine) == (3, 2)


def test_the_engine_beside_is_left_without_listeners(tables):
    # Any listener of an engine's connection events sends each of its statements through
    # SQLAlchemy's slower path: every other request of the process would pay for it.
    engine, _ = tables
    alone = one_write(engine)
    assert not engine._has_events and alone._has_events
    alone.dispose()
