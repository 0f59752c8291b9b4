"""Alembic environment of the programmes service."""

from __future__ import annotations

from alembic import context

from programmes.store.db import make_engine
from programmes.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = context.config.attributes["database_url"]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=url.startswith("sqlite"),
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
