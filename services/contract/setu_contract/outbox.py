"""The transactional outbox: one table definition and one relay, used by every producer.

A producer appends the event in the same database transaction as the change it describes
(``append``). The relay publishes committed rows to the broker, in order, and marks them
published; if it dies between the two, the row is published again with the same task id and
the idempotent consumers apply it once. Rows are kept after publishing: the table is the
service's event log, which ``GET /v1/events`` pages through and a replay reads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from setu_contract.events import aggregate_of
from setu_contract.messaging import destinations

log = logging.getLogger(__name__)

Publish = Callable[[dict[str, Any]], None]


def outbox_table(metadata: MetaData, name: str = "outbox") -> Table:
    """The outbox table in ``metadata`` (each service's migrations create it)."""
    unpublished = text("published_at IS NULL")
    return Table(
        name,
        metadata,
        Column(
            "position",
            BigInteger().with_variant(Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(64), nullable=False),
        Column("aggregate_type", String(32), nullable=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("aggregate_version", Integer, nullable=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("correlation_id", String(200), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Index(
            f"ix_{name}_unpublished",
            "position",
            postgresql_where=unpublished,
            sqlite_where=unpublished,
        ),
        Index(f"ix_{name}_aggregate", "aggregate_type", "aggregate_id"),
        Index(f"ix_{name}_type_occurred", "type", "occurred_at"),
    )


def append(session: Session, table: Table, envelope: dict[str, Any]) -> None:
    """Add an event to the outbox inside the caller's transaction (commit is the caller's)."""
    aggregate_type, aggregate_id, aggregate_version = aggregate_of(envelope)
    session.execute(
        insert(table).values(
            event_id=envelope["id"],
            type=envelope["type"],
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            occurred_at=datetime.fromisoformat(envelope["occurred_at"]),
            correlation_id=envelope["correlation_id"],
            payload=envelope,
        )
    )


def celery_publisher(celery_app: Any) -> Publish:
    """Publish an envelope to every subscribed queue, by task name, with a stable task id."""

    def publish(envelope: dict[str, Any]) -> None:
        for queue, task_name in destinations(envelope["type"]):
            celery_app.send_task(
                task_name,
                args=[envelope],
                queue=queue,
                task_id=f"{envelope['id']}:{queue}",
                headers={"correlation_id": envelope["correlation_id"]},
                retry=False,
            )

    return publish


class PublishFailed(RuntimeError):
    """The broker refused a publish; the rows before it were published and marked."""

    def __init__(self, published: int):
        super().__init__(f"publish failed after {published} events")
        self.published = published


class OutboxRelay:
    """Moves committed outbox rows to the broker, oldest first."""

    def __init__(self, engine: Engine, table: Table, publish: Publish, batch_size: int = 200):
        self.engine = engine
        self.table = table
        self.publish = publish
        self.batch_size = batch_size

    def relay_batch(self) -> int:
        """Publish up to one batch; return how many rows were published."""
        table = self.table
        query = (
            select(table.c.position, table.c.payload)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.position)
            .limit(self.batch_size)
        )
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Several relays may run: each takes rows no other relay holds.
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            done: list[int] = []
            failure: Exception | None = None
            for position, payload in rows:
                try:
                    self.publish(payload)
                except Exception as exc:  # the broker is down: keep the rest for later
                    failure = exc
                    break
                done.append(position)
            if done:
                conn.execute(
                    update(table)
                    .where(table.c.position.in_(done))
                    .values(published_at=datetime.now(UTC))
                )
        if failure is not None:
            raise PublishFailed(len(done)) from failure
        return len(done)

    def run(self, stop: threading.Event, poll_interval: float = 0.05, max_backoff: float = 5.0):
        """Relay until ``stop`` is set: at once while rows wait, else every ``poll_interval``."""
        backoff = poll_interval
        while not stop.is_set():
            try:
                published = self.relay_batch()
                backoff = poll_interval
            except Exception as exc:
                cause = exc.__cause__ or exc
                log.warning("outbox relay pass failed, retrying in %.2fs: %r", backoff, cause)
                published = 0
                backoff = min(backoff * 2, max_backoff)
            if published < self.batch_size:
                stop.wait(backoff)

    def pending(self) -> int:
        """How many committed events wait to be published."""
        query = select(func.count()).where(self.table.c.published_at.is_(None))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def serve(relay: OutboxRelay, name: str, poll_interval: float = 0.05) -> None:
    """Run ``relay`` in this process until SIGTERM or SIGINT (the relay processes' main)."""
    import signal

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("%s started", name)
    relay.run(stop, poll_interval)
    log.info("%s stopped", name)


def iter_events(engine: Engine, table: Table, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    """Every event of the log, oldest first, read in batches (for replays and exports)."""
    after = 0
    while True:
        query = (
            select(table.c.position, table.c.payload)
            .where(table.c.position > after)
            .order_by(table.c.position)
            .limit(batch_size)
        )
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for _, payload in rows:
            yield payload
        after = rows[-1].position
