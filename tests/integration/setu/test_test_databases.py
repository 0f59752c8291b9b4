"""The tests' own databases: copies of a migrated template, dropped beside the tests."""

from __future__ import annotations

import psycopg
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url

from tests.support.infra import DROPPER, POSTGRES_ADMIN_URL, postgres_database
from tests.support.templates import PostgresCopies, postgres_template


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


def _database(url: str) -> str | None:
    return make_url(url).database


def _rows(url: str, query: str) -> list:
    """What ``query`` answers, or [] for a statement that answers no rows."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            answer = conn.exec_driver_sql(query)
            return list(answer) if answer.returns_rows else []
    finally:
        engine.dispose()


def _existing(names: list[str | None]) -> list[str]:
    """Which of these databases the server has."""
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        found = admin.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", [names])
        return [name for (name,) in found.fetchall()]


def test_each_copy_is_its_own_and_every_one_is_dropped():
    template = postgres_template("programmes")
    with postgres_database(template) as first, postgres_database(template) as second:
        names = [_database(first), _database(second)]
        _rows(first, "CREATE TABLE only_in_the_first (id integer)")
        assert _rows(second, "SELECT 1 FROM pg_tables WHERE tablename = 'only_in_the_first'") == []
    DROPPER.wait()
    assert _existing(names) == []


def test_a_copy_goes_to_the_next_test_as_migrated_under_a_url_of_its_own():
    copies = PostgresCopies()
    try:
        with copies.copy("reports") as first:
            schedules = _rows(first, "SELECT * FROM report_schedules ORDER BY id")
            assert schedules  # the migration's rows, which go back
            _rows(first, "DELETE FROM report_schedules")
            _rows(
                first,
                "INSERT INTO dead_letters (id, source, task_name, payload, error, attempts,"
                " created_at) VALUES ('x', 'worker', 't', '{}', 'e', 1, now())",
            )
            position = _rows(first, "SELECT nextval('outbox_position_seq')")[0][0]
            libpq = make_url(first).set(drivername="postgresql")
            holder = psycopg.connect(libpq.render_as_string(hide_password=False))
            holder.execute("SELECT count(*) FROM dead_letters")  # left open, in a transaction
        with copies.copy("reports") as second:
            assert _database(second) == _database(first) and second != first
            assert _rows(second, "SELECT count(*) FROM dead_letters") == [(0,)]
            assert _rows(second, "SELECT * FROM report_schedules ORDER BY id") == schedules
            assert _rows(second, "SELECT nextval('outbox_position_seq')") == [(position,)]
            # The connection the first test left open was ended, not handed on with it.
            with pytest.raises(psycopg.OperationalError):
                holder.execute("SELECT 1")
    finally:
        copies.drop_all()
        DROPPER.wait()
    assert _existing([_database(first)]) == []


def test_a_copy_whose_schema_its_test_changed_is_dropped_not_handed_on():
    copies = PostgresCopies()
    try:
        with copies.copy("programmes") as changed:
            _rows(changed, "CREATE INDEX only_here ON organisations (name)")
        with copies.copy("programmes") as following:
            assert _database(following) != _database(changed)
            only_here = "SELECT 1 FROM pg_indexes WHERE indexname = 'only_here'"
            assert _rows(following, only_here) == []
        DROPPER.wait()
        assert _existing([_database(changed)]) == []
    finally:
        copies.drop_all()
        DROPPER.wait()
