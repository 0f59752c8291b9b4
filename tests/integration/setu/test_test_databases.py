"""The tests' own databases: copies of a migrated template, dropped beside the tests."""

from __future__ import annotations

import psycopg
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url

from tests.support.infra import DROPPER, POSTGRES_ADMIN_URL, postgres_database
from tests.support.templates import postgres_template


def _migrations(service: str):
    if service == "programmes":
        from programmes.store import migrate
    elif service == "notifications":
        from notifications.store import migrate
    else:
        from reports.store import migrate
    return migrate.MIGRATIONS


@pytest.mark.parametrize("schema", ["programmes", "notifications", "reports"])
def test_a_service_database_starts_at_the_head_of_its_migrations(database_url: str, schema: str):
    head = ScriptDirectory(str(_migrations(schema))).get_current_head()
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head
            assert len(inspect(conn).get_table_names()) > 3
    finally:
        engine.dispose()


def test_a_database_without_a_schema_is_empty(database_url: str):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_each_copy_is_its_own_and_every_one_is_dropped():
    template = postgres_template("programmes")
    with postgres_database(template) as first, postgres_database(template) as second:
        names = [make_url(first).database, make_url(second).database]
        engine = create_engine(first)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE only_in_the_first (id integer)")
        finally:
            engine.dispose()
        engine = create_engine(second)
        try:
            with engine.connect() as conn:
                assert "only_in_the_first" not in inspect(conn).get_table_names()
        finally:
            engine.dispose()
    DROPPER.wait()
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        left = admin.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s)", [names]
        ).fetchall()
    assert left == []
