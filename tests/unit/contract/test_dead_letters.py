"""The dead-letter store every consumer binds to its own table: record, list, requeue once."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, String, create_engine
from sqlalchemy.orm import Session

from setu_contract import dead_letters
from setu_contract.dead_letters import AlreadyRequeued, DeadLetterNotFound, Requeue
from setu_contract.events import build_event


@pytest.fixture
def session():
    metadata = MetaData()
    table = dead_letters.dead_letters_table(metadata, Column("delivery_id", String(36)))
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.info["table"] = table
        yield session
    engine.dispose()


def _organisation_registered() -> dict:
    data = {
        "id": "5d0c4a55-7d2c-4b8e-9d59-1f7f3d1a8b11",
        "name": "Osaka Fab",
        "country": "JP",
        "kind": "company",
        "contact_email": "fab@osaka.example",
        "preferred_language": "ja",
        "version": 1,
    }
    return build_event("organisation.registered", data, producer="programmes", correlation_id="c")


def test_a_failed_event_keeps_its_envelope_its_type_and_its_subject(session: Session):
    table = session.info["table"]
    envelope = _organisation_registered()
    letter_id = dead_letters.record_failed_task(
        session, table, "x.handle_event", [envelope], "boom" * 1000, 4
    )
    [letter] = dead_letters.list_letters(session, table)
    assert letter.id == letter_id and letter.source == dead_letters.EVENT
    assert (letter.event_id, letter.event_type) == (envelope["id"], envelope["type"])
    assert letter.subject_id == envelope["data"]["id"]
    assert letter.payload == {"args": [envelope]} and letter.attempts == 4
    assert len(letter.error) == dead_letters.ERROR_LIMIT and letter.delivery_id is None


def test_another_task_is_a_task_letter_with_no_event():
    metadata = MetaData()
    table = dead_letters.dead_letters_table(metadata)
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        dead_letters.record_failed_task(session, table, "x.sweep", ["id-1"], "boom", 1)
        [letter] = dead_letters.list_letters(session, table)
    engine.dispose()
    assert (letter.source, letter.event_id, letter.subject_id) == (dead_letters.TASK, None, None)


def test_a_letter_is_requeued_once_then_listed_only_with_the_requeued(session: Session):
    table = session.info["table"]
    letter_id = dead_letters.record_failed_task(session, table, "x.do", ["a", 1], "boom", 1)
    work, letter = dead_letters.requeue(session, table, letter_id)
    assert work == Requeue("x.do", ["a", 1]) and letter.id == letter_id
    with pytest.raises(AlreadyRequeued):
        dead_letters.requeue(session, table, letter_id)
    with pytest.raises(DeadLetterNotFound):
        dead_letters.requeue(session, table, "no-such-letter")
    assert dead_letters.list_letters(session, table) == []
    [requeued] = dead_letters.list_letters(session, table, include_requeued=True)
    assert requeued.requeued_at is not None


def test_a_service_records_its_own_kind_with_its_own_columns(session: Session):
    table = session.info["table"]
    dead_letters.record(
        session,
        table,
        source="delivery",
        task_name="x.send_delivery",
        delivery_id="d-1",
        error="554",
        attempts=3,
    )
    [letter] = dead_letters.list_letters(session, table)
    assert (letter.source, letter.delivery_id, letter.payload) == ("delivery", "d-1", {})
