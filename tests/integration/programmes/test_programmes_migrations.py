"""The migrations make the schema the models describe, and carry existing rows forward."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from programmes.services.references import next_number
from programmes.store.db import make_engine, make_sessionmaker
from programmes.store.migrate import downgrade, upgrade
from programmes.store.models import (
    Application,
    ApplicationTransition,
    Base,
    Organisation,
    Programme,
    idempotency_records,
    outbox,
)
from tests.support.personal_data import distinctive_person, found_in_text


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
    finally:
        engine.dispose()


def test_partner_rows_take_their_programmes_creation_time(database_url: str):
    """0004 copies each programme's created_at to its partners' rows, and can be undone."""
    upgrade(database_url, "0003")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, name, country, kind, contact_email, "
                    "preferred_language, version, created_at, updated_at) VALUES "
                    "('o-jp', 'Tokyo', 'JP', 'university', 'a@jp.example', 'en', 1, "
                    ":at, :at), ('o-in', 'Delhi', 'IN', 'university', 'a@in.example', 'en', 1, "
                    ":at, :at)"
                ),
                {"at": "2027-01-01 00:00:00+00:00"},
            )
            for n, created in enumerate(("2027-01-02 09:00:00+00:00", "2027-03-04 10:30:00+00:00")):
                conn.execute(
                    text(
                        "INSERT INTO programmes (id, reference, title, summary, focus_area, "
                        "start_date, end_date, exchange_slots, status, "
                        "created_by_organisation_id, version, created_at, updated_at) VALUES "
                        "(:id, :ref, 'T', '', 'ai_hardware', '2027-04-01', '2028-03-31', 0, "
                        "'draft', 'o-jp', 1, :at, :at)"
                    ),
                    {"id": f"p{n}", "ref": f"JIP-2027-000{n}", "at": created},
                )
                conn.execute(
                    text(
                        "INSERT INTO programme_partners (programme_id, organisation_id, role, "
                        "position) VALUES (:id, 'o-jp', 'lead', 0), (:id, 'o-in', 'lead', 1)"
                    ),
                    {"id": f"p{n}"},
                )
        upgrade(database_url)
        with engine.connect() as conn:
            pairs = conn.execute(
                text(
                    "SELECT p.created_at, pp.programme_created_at FROM programme_partners pp "
                    "JOIN programmes p ON p.id = pp.programme_id"
                )
            ).all()
        assert len(pairs) == 4 and all(created == kept for created, kept in pairs)
        names = {i["name"] for i in inspect(engine).get_indexes("programme_partners")}
        assert "ix_programme_partners_organisation_created" in names
        assert "ix_programme_partners_organisation" not in names

        downgrade(database_url, "0003")
        engine.dispose()
        columns = {c["name"] for c in inspect(engine).get_columns("programme_partners")}
        assert "programme_created_at" not in columns
        upgrade(database_url)
    finally:
        engine.dispose()


AT = datetime(2027, 1, 1, tzinfo=UTC)


def _erased_before_0005(conn) -> None:
    """An application erased before 0005: its row emptied."""
    at = AT
    conn.execute(
        insert(Organisation.__table__),
        [
            {"id": f"o-{c}", "name": c, "country": c, "kind": "university", "version": 1}
            | {"contact_email": None, "preferred_language": "en", "created_at": at}
            | {"updated_at": at}
            for c in ("JP", "IN")
        ],
    )
    conn.execute(
        insert(Programme.__table__).values(
            id="p1",
            reference="JIP-2027-0001",
            title="T",
            summary="",
            focus_area="ai_research",
            start_date=date(2027, 4, 1),
            end_date=date(2028, 3, 31),
            exchange_slots=1,
            status="active",
            created_by_organisation_id="o-JP",
            version=1,
            created_at=at,
            updated_at=at,
        )
    )
    conn.execute(
        insert(Application.__table__).values(
            id="a1",
            reference="TEX-2027-00001",
            programme_id="p1",
            career_stage="phd",
            home_organisation_id="o-JP",
            host_organisation_id="o-IN",
            direction="JP_TO_IN",
            start_date=date(2027, 5, 1),
            end_date=date(2027, 11, 1),
            status="submitted",
            version=3,
            created_at=at,
            updated_at=at,
            personal_data_erased_at=at,
        )
    )


def _left_by_erasure_before_0005(conn, person) -> None:
    """What that erasure left: a comment, an event and a stored answer naming the person,
    and no event naming the home and host organisations."""
    at = AT
    conn.execute(
        insert(ApplicationTransition.__table__).values(
            application_id="a1",
            action="submit",
            from_status="draft",
            to_status="submitted",
            actor_organisation_id="o-JP",
            actor_key_id="k1",
            comment=person.comment,
            occurred_at=at,
        )
    )
    snapshot = {
        "id": "a1",
        "applicant": person.applicant(),
        "statement": person.statement,
        "personal_data_erased": False,
        "direction": "JP_TO_IN",
        "version": 1,
    }
    conn.execute(
        insert(outbox),
        {
            "event_id": "e1",
            "type": "application.created",
            "aggregate_type": "application",
            "aggregate_id": "a1",
            "aggregate_version": 1,
            "occurred_at": at,
            "correlation_id": "c1",
            "payload": {"id": "e1", "type": "application.created", "data": snapshot},
        },
    )
    conn.execute(
        insert(idempotency_records).values(
            key_id="k1",
            idempotency_key="i1",
            method_path="POST /v1/applications",
            request_hash="h",
            status_code=201,
            response=snapshot,
            created_at=at,
        )
    )


def test_what_erasures_before_0005_left_is_erased(database_url: str):
    upgrade(database_url, "0004")
    person = distinctive_person()
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            _erased_before_0005(conn)
            _left_by_erasure_before_0005(conn, person)
        upgrade(database_url)
        with engine.connect() as conn:
            comment = conn.scalar(select(ApplicationTransition.comment))
            payload, told = conn.scalars(select(outbox.c.payload).order_by(outbox.c.position))
            answer = conn.scalar(select(idempotency_records.c.response))
    finally:
        engine.dispose()
    assert told["type"] == "application.personal_data_erased"
    assert told["data"] | {"erased_at": None} == {
        "id": "a1",
        "version": 3,
        "reference": "TEX-2027-00001",
        "home_organisation_id": "o-JP",
        "host_organisation_id": "o-IN",
        "erased_at": None,
        "actor_organisation_id": None,
    }
    assert datetime.fromisoformat(told["data"]["erased_at"]) == AT
    assert comment is None
    assert payload["data"]["applicant"] is None and payload["data"]["statement"] is None
    assert payload["data"]["direction"] == "JP_TO_IN"
    assert answer["applicant"] is None and answer["personal_data_erased"] is True
    assert found_in_text(json.dumps([payload, answer]), person.values) == set()


def test_partners_named_before_answers_existed_get_one(database_url: str):
    """0006: the creator is confirmed; the other partners of a programme still being prepared
    must answer; those of a programme past submission are taken as confirmed."""
    upgrade(database_url, "0005")
    engine = make_engine(database_url)
    at = "2027-01-01 00:00:00+00:00"
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, name, country, kind, contact_email, "
                    "preferred_language, version, created_at, updated_at) VALUES "
                    "('o-jp', 'Tokyo', 'JP', 'university', 'a@jp.example', 'en', 1, :at, :at), "
                    "('o-in', 'Delhi', 'IN', 'university', 'a@in.example', 'en', 1, :at, :at)"
                ),
                {"at": at},
            )
            for n, status in enumerate(("draft", "changes_requested", "approved")):
                conn.execute(
                    text(
                        "INSERT INTO programmes (id, reference, title, summary, focus_area, "
                        "start_date, end_date, exchange_slots, status, "
                        "created_by_organisation_id, version, created_at, updated_at) VALUES "
                        "(:id, :ref, 'T', '', 'ai_research', '2027-04-01', '2028-03-31', 0, "
                        ":status, 'o-jp', 1, :at, :at)"
                    ),
                    {"id": status, "ref": f"JIP-2027-000{n}", "status": status, "at": at},
                )
                conn.execute(
                    text(
                        "INSERT INTO programme_partners (programme_id, organisation_id, role, "
                        "position, programme_created_at) VALUES "
                        "(:id, 'o-jp', 'lead', 0, :at), (:id, 'o-in', 'lead', 1, :at)"
                    ),
                    {"id": status, "at": at},
                )
        upgrade(database_url)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT programme_id, organisation_id, participation, answered_at "
                    "FROM programme_partners"
                )
            ).all()
        answers = {(r.programme_id, r.organisation_id): r.participation for r in rows}
        assert answers == {
            ("draft", "o-jp"): "confirmed",
            ("draft", "o-in"): "pending",
            ("changes_requested", "o-jp"): "confirmed",
            ("changes_requested", "o-in"): "pending",
            ("approved", "o-jp"): "confirmed",
            ("approved", "o-in"): "confirmed",
        }
        assert all(r.answered_at is None for r in rows)
        downgrade(database_url, "0005")
        engine.dispose()
        columns = {c["name"] for c in inspect(engine).get_columns("programme_partners")}
        assert "participation" not in columns
        upgrade(database_url)
    finally:
        engine.dispose()


def test_0013_folds_each_series_sequence_into_its_counter(postgres_url: str):
    """PostgreSQL's per-series sequences (made by requests before 0013) end in their series'
    counter rows, which go on from the last number handed out; undoing 0013 keeps the rows,
    after which the code of 0012 starts each sequence."""
    upgrade(postgres_url, "0012")
    engine = make_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO reference_counters (series, value) VALUES"
                    " ('TEX-2027', 4), ('JIP-2026', 9), ('JIP-2028', 30)"
                )
            )
            conn.execute(text("CREATE SEQUENCE reference_tex_2027 START WITH 5"))
            for _ in range(3):
                conn.execute(text("SELECT nextval('reference_tex_2027')"))
            conn.execute(text("CREATE SEQUENCE reference_jip_2027 START WITH 1"))  # unused
            conn.execute(text("CREATE SEQUENCE reference_jip_2028 START WITH 12"))
            conn.execute(text("SELECT nextval('reference_jip_2028')"))
            conn.execute(text("CREATE SEQUENCE reference_other START WITH 3"))  # not ours
        upgrade(postgres_url)
        with engine.connect() as conn:
            counters = dict(
                conn.execute(text("SELECT series, value FROM reference_counters")).all()
            )
            sequences = set(conn.scalars(text("SELECT sequencename FROM pg_sequences")))
        # The counter row of a series whose sequence ran behind it keeps its own, higher value.
        assert counters == {"TEX-2027": 7, "JIP-2026": 9, "JIP-2027": 0, "JIP-2028": 30}
        assert {name for name in sequences if name.startswith("reference_")} == {"reference_other"}
        with make_sessionmaker(engine)() as session, session.begin():
            assert next_number(session, "TEX-2027") == 8
            assert next_number(session, "JIP-2027") == 1
        downgrade(postgres_url, "0012")
        with engine.connect() as conn:
            kept = dict(conn.execute(text("SELECT series, value FROM reference_counters")).all())
        assert kept == {**counters, "TEX-2027": 8, "JIP-2027": 1}
    finally:
        engine.dispose()
