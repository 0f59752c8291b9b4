"""Every service's migrations go down as well as up: head, then base (nothing of the schema
left but Alembic's own table), then head again to the very schema of the first time, on
SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect

from notifications.store.migrate import MIGRATIONS as NOTIFICATIONS
from programmes.store.migrate import MIGRATIONS as PROGRAMMES
from reports.store.migrate import MIGRATIONS as REPORTS
from setu_contract.database import downgrade, make_engine, upgrade

SERVICES = {"programmes": PROGRAMMES, "notifications": NOTIFICATIONS, "reports": REPORTS}


@pytest.fixture
def schema() -> None:
    """These tests run the migrations themselves, from an empty database."""
    return None


def _schema(engine: Engine) -> dict[str, Any]:
    """The database's tables with their columns, keys, indexes and constraints; and its
    sequences (PostgreSQL)."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for table in inspector.get_table_names():
        columns = [
            (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
            for c in inspector.get_columns(table)
        ]
        tables[table] = {
            "columns": columns,
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], str(fk["options"]))
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            ),
            "checks": sorted(c["sqltext"] for c in inspector.get_check_constraints(table)),
        }
    sequences = inspector.get_sequence_names() if engine.dialect.name == "postgresql" else []
    return {"tables": tables, "sequences": sorted(sequences)}


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_migrations_go_down_to_base_and_up_again(database_url: str, service: str):
    migrations: Path = SERVICES[service]
    upgrade(migrations, database_url)
    engine = make_engine(database_url)
    try:
        at_head = _schema(engine)
        assert len(at_head["tables"]) > 1, at_head
        downgrade(migrations, database_url, "base")
        engine.dispose()  # SQLite: no connection keeps a table the downgrade dropped
        assert _schema(engine) == {
            "tables": {"alembic_version": _alembic(at_head)},
            "sequences": [],
        }
        upgrade(migrations, database_url)
        engine.dispose()
        assert _schema(engine) == at_head
    finally:
        engine.dispose()


def _alembic(schema: dict[str, Any]) -> Any:
    return schema["tables"]["alembic_version"]
