"""Organisation events in a bare outbox table: what the relay tests publish."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine

from setu_contract.events import build_event
from setu_contract.outbox import outbox_table


def organisation(n: int, name: str | None = None) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "name": name or f"Org {n}",
        "country": "IN",
        "kind": "company",
        "contact_email": None,
        "preferred_language": "en",
        "version": 1,
    }


def registered(n: int, name: str | None = None, correlation_id: str | None = None) -> dict:
    """An organisation.registered event for organisation ``n``."""
    return build_event(
        "organisation.registered",
        organisation(n, name),
        producer="t",
        correlation_id=correlation_id or f"cid-{n}",
    )


@contextmanager
def bare_outbox(database_url: str, **engine_options: Any) -> Iterator[tuple[Engine, Table]]:
    """An engine on ``database_url`` with an outbox table created in it."""
    engine = create_engine(database_url, **engine_options)
    metadata = MetaData()
    table = outbox_table(metadata)
    metadata.create_all(engine)
    try:
        yield engine, table
    finally:
        engine.dispose()
