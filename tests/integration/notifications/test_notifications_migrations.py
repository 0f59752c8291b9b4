"""The migrations make the schema the models describe, and carry existing rows forward."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from notifications.store.db import make_engine
from notifications.store.migrate import MIGRATIONS, upgrade
from notifications.store.models import Base, DeadLetter, Delivery, WebhookDelivery
from setu_contract.database import downgrade
from tests.unit.notifications.factories import application_status_changed

AT = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def schema() -> None:
    """These tests run the migrations themselves, from an empty database."""
    return None


def test_the_migrations_make_the_schema_the_models_describe(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        downgrade(MIGRATIONS, database_url, "0004")
        upgrade(database_url)
    finally:
        engine.dispose()


def _rows_before_0005(conn, envelope: dict) -> None:
    """An email, a webhook delivery and an event about one application, each dead-lettered."""
    subject = envelope["data"]["id"]
    common = {"event_id": envelope["id"], "event_type": envelope["type"], "subject_id": subject}
    conn.execute(
        insert(Delivery.__table__).values(
            id="d1", recipient="a@b.example", template="application_received", language="en",
            timezone="UTC", unsubscribable=False, context={}, status="failed", attempts=1,
            created_at=AT, updated_at=AT, **common,
        )
    )  # fmt: skip
    conn.execute(
        insert(WebhookDelivery.__table__).values(
            id="w1", endpoint_id="e1", payload={}, status="failed", attempts=8, created_at=AT,
            updated_at=AT, **common,
        )
    )  # fmt: skip
    letters = [
        ("delivery", "d1", {"delivery_id": "d1"}),
        ("webhook", None, {"args": ["w1"]}),
        ("event", None, {"args": [envelope]}),
        ("task", None, {"args": []}),
    ]
    conn.execute(
        insert(DeadLetter.__table__).values(
            [
                {
                    "id": f"l-{source}", "source": source, "task_name": "t",
                    "event_id": envelope["id"], "delivery_id": delivery_id, "payload": payload,
                    "error": "e", "attempts": 1, "created_at": AT,
                }
                for source, delivery_id, payload in letters
            ]
        )
    )  # fmt: skip


def test_each_dead_letter_is_given_its_subject(database_url: str):
    """0005: the dead letters written before it name the application they are about."""
    upgrade(database_url, "0004")
    envelope = application_status_changed("h", "o", "submitted", "draft", "submit")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            _rows_before_0005(conn, envelope)
        upgrade(database_url)
        with engine.connect() as conn:
            subjects = dict(conn.execute(select(DeadLetter.source, DeadLetter.subject_id)).all())
            types = dict(conn.execute(select(DeadLetter.source, DeadLetter.event_type)).all())
    finally:
        engine.dispose()
    application_id = envelope["data"]["id"]
    assert subjects == {
        "delivery": application_id,
        "webhook": application_id,
        "event": application_id,
        "task": None,
    }
    # 0007: an event's dead letter names the event's type, as the contract's store does.
    assert types == {"delivery": None, "webhook": None, "event": envelope["type"], "task": None}
