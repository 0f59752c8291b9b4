"""The migrations make the schema the models describe, and carry existing rows forward."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from programmes.store.db import make_engine
from programmes.store.migrate import downgrade, upgrade
from programmes.store.models import Base


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


def test_partners_named_before_answers_existed_get_one(database_url: str):
    """0005: the creator is confirmed; the other partners of a programme still being prepared
    must answer; those of a programme past submission are taken as confirmed."""
    upgrade(database_url, "0004")
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
        downgrade(database_url, "0004")
        engine.dispose()
        columns = {c["name"] for c in inspect(engine).get_columns("programme_partners")}
        assert "participation" not in columns
        upgrade(database_url)
    finally:
        engine.dispose()
