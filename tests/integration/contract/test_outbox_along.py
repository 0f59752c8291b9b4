"""An event appended with the row it describes (``append(..., along=...)``), on SQLite and
PostgreSQL: both rows or neither, as a plain INSERT would write them, one statement on
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from setu_contract.events import build_event
from setu_contract.outbox import append
from tests.support.outbox import bare_outbox, organisation, registered


@pytest.fixture
def tables(database_url):
    with bare_outbox(database_url) as (engine, outbox):
        metadata = MetaData()
        things = Table(
            "things",
            metadata,
            Column("id", String(36), primary_key=True),
            Column("reference", String(20), unique=True),
            Column("count", Integer),
            Column("starts", Date),
            Column("made_at", DateTime(timezone=True)),
            Column("extra", JSON),
        )
        metadata.create_all(engine)
        yield engine, outbox, things


def thing(n: int, reference: str | None = None) -> dict[str, Any]:
    return {
        "id": f"thing-{n}",
        "reference": reference or f"REF-{n}",
        "count": n,
        "starts": date(2027, 6, 1),
        "made_at": datetime(2027, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "extra": {"nested": [1, "two", None]},
    }


def statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def registered_at(n: int) -> dict[str, Any]:
    """Organisation ``n`` registered, at one moment whatever ``n``."""
    return build_event(
        "organisation.registered",
        organisation(n),
        producer="t",
        correlation_id=f"cid-{n}",
        occurred_at=datetime(2027, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )


def test_the_row_and_its_event_are_written_as_plain_inserts_write_them(tables):
    engine, outbox, things = tables
    along, plain = registered_at(1), registered_at(2)
    seen = statements(engine)
    with Session(engine) as session, session.begin():
        append(session, outbox, along, along=(things, thing(1)))
    assert len(seen) == (1 if engine.dialect.name == "postgresql" else 2)
    with Session(engine) as session, session.begin():
        session.execute(insert(things), thing(2))
        append(session, outbox, plain)
    with engine.connect() as conn:
        rows = conn.execute(select(things).order_by(things.c.id)).mappings().all()
        events = conn.execute(select(outbox).order_by(outbox.c.position)).mappings().all()
    by_along, by_plain = (dict(row) for row in rows)
    assert by_along == {**by_plain, "id": "thing-1", "reference": "REF-1", "count": 1}
    assert by_plain["extra"] == thing(2)["extra"]
    assert [e["payload"] for e in events] == [along, plain]
    event_along, event_plain = ({**e, "position": None} for e in events)
    assert event_along == {
        **event_plain,
        "event_id": along["id"],
        "aggregate_id": organisation(1)["id"],
        "correlation_id": "cid-1",
        "payload": along,
    }


def test_a_row_refused_leaves_no_event(tables):
    engine, outbox, things = tables
    with Session(engine) as session, session.begin():
        session.execute(insert(things), thing(1, reference="TAKEN"))
    with Session(engine) as session:
        with pytest.raises(IntegrityError):
            append(session, outbox, registered(2), along=(things, thing(2, reference="TAKEN")))
        session.rollback()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(outbox)) == 0
        assert conn.scalar(select(func.count()).select_from(things)) == 1


def test_a_column_named_like_the_events_parameters_is_refused(postgres_url):
    # Only PostgreSQL writes both rows in one statement, whose parameters the names share.
    with bare_outbox(postgres_url) as (engine, outbox):
        metadata = MetaData()
        odd = Table("odd", metadata, Column("event_row_type", String(10), primary_key=True))
        with Session(engine) as session, pytest.raises(ValueError, match="named like"):
            append(session, outbox, registered(1), along=(odd, {"event_row_type": "x"}))
