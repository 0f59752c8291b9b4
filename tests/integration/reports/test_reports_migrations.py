"""The migrations carry existing rows forward."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from reports.store.db import make_engine
from reports.store.migrate import upgrade
from reports.store.models import dead_letters
from setu_contract.events import build_event
from tests.integration.reports import factories as f
from tests.support.personal_data import distinctive_person, found_in_text


@pytest.fixture
def schema() -> None:
    """These tests run the migrations themselves, from an empty database."""
    return None


def test_dead_letters_kept_before_0006_lose_the_applicants_personal_data(database_url: str):
    upgrade(database_url, "0005")
    person = distinctive_person()
    jp, india = f.organisation("JP"), f.organisation("IN")
    data = f.application(
        f.programme(jp, india), jp, india, direction="JP_TO_IN", career_stage="phd", days=180
    )
    data |= {"applicant": person.applicant(), "statement": person.statement}
    envelope = build_event("application.created", data, producer="programmes", correlation_id="c")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(dead_letters).values(
                    id="l1",
                    task_name="reports.handle_event",
                    event_id=envelope["id"],
                    event_type=envelope["type"],
                    payload={"args": [envelope]},
                    error="OperationalError('database is locked')",
                    attempts=9,
                    created_at=datetime(2027, 1, 1, tzinfo=UTC),
                )
            )
        upgrade(database_url)
        with engine.connect() as conn:
            payload = conn.scalar(select(dead_letters.c.payload))
            # 0015: the contract's store says what failed and what it was about.
            about = conn.execute(select(dead_letters.c.source, dead_letters.c.subject_id)).one()
    finally:
        engine.dispose()
    [kept] = payload["args"]
    assert kept["id"] == envelope["id"] and kept["data"]["applicant"] is None
    assert kept["data"]["career_stage"] == data["career_stage"]
    assert found_in_text(json.dumps(payload), person.values) == set()
    assert tuple(about) == ("event", data["id"])
