"""Run the reports service's Alembic migrations (the only way its schema is created)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    sqlite = make_url(url)
    if sqlite.get_backend_name() == "sqlite" and sqlite.database not in (None, "", ":memory:"):
        Path(sqlite.database).parent.mkdir(parents=True, exist_ok=True)  # e.g. var/ on first run
    command.upgrade(alembic_config(url), revision)
