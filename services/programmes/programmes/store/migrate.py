"""Run the programmes service's Alembic migrations (the only way its schema is created)."""

from __future__ import annotations

from pathlib import Path

from setu_contract import database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def upgrade(url: str, revision: str = "head") -> None:
    database.upgrade(MIGRATIONS, url, revision)


def downgrade(url: str, revision: str) -> None:
    database.downgrade(MIGRATIONS, url, revision)
