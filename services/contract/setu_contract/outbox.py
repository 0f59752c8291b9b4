"""The transactional outbox: one table definition and one relay, used by every producer.

A producer appends the event in the same database transaction as the change it describes
(``append``). The relay publishes committed rows to the broker, in order, and marks them
published; if it dies between the two, or the broker fails in the middle of a batch, the rows
are published again with the same task ids and the idempotent consumers apply them once.
Rows are kept after publishing: the table is the service's event log, which
``GET /v1/events`` pages through and a replay reads. Published is not delivered: Redis may
lose what it holds. With a delivery tracker (setu_contract.deliveries) the relay also writes
down, in the transaction that marks a row published, which consumers must confirm it, takes
their confirmations, and publishes again what they have not confirmed in time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import cache
from time import monotonic
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Insert,
    Integer,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from setu_contract.database import reading
from setu_contract.events import aggregate_of
from setu_contract.messaging import destinations, event_task_reprs, sent_to

if TYPE_CHECKING:
    from setu_contract.redelivery import DeliveryTracker

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


def append(
    session: Session,
    table: Table,
    envelope: dict[str, Any],
    along: tuple[Table, dict[str, Any]] | None = None,
) -> None:
    """Add an event to the outbox inside the caller's transaction (commit is the caller's).

    ``along``: a row the event describes, (its table, its values by column), inserted with
    the event: on PostgreSQL in the same statement (a data-modifying WITH), so the change and
    its event cost one round trip, not two; elsewhere (SQLite has no such WITH) just before.
    """
    row = _row(envelope)
    if along is None:
        session.execute(insert(table), row)
        return
    changed, values = along
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(changed), values)
        session.execute(insert(table), row)
        return
    together = _inserted_together(table, tuple(row), changed, tuple(values))
    session.execute(together, {**values, **{_AS_EVENT + name: v for name, v in row.items()}})


def _row(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope's outbox row, by column: the bare INSERT takes it as parameters, so the
    statement's compiled form is cached, not rebuilt from literal values on every event."""
    aggregate_type, aggregate_id, aggregate_version = aggregate_of(envelope)
    return {
        "event_id": envelope["id"],
        "type": envelope["type"],
        "aggregate_type": aggregate_type,
        "aggregate_id": aggregate_id,
        "aggregate_version": aggregate_version,
        "occurred_at": datetime.fromisoformat(envelope["occurred_at"]),
        "correlation_id": envelope["correlation_id"],
        "payload": envelope,
    }


# The event's parameters in a statement that also inserts another row, whose parameters are
# named after its columns.
_AS_EVENT = "event_row_"


@cache
def _inserted_together(
    outbox: Table, event_columns: tuple[str, ...], changed: Table, columns: tuple[str, ...]
) -> Insert:
    """``WITH ... AS (INSERT INTO changed ...) INSERT INTO outbox ...``, built once per tables
    and columns (PostgreSQL runs the WITH's INSERT once, in the statement's snapshot)."""
    if any(name.startswith(_AS_EVENT) for name in columns):
        raise ValueError(f"a column of {changed.name} is named like the event's parameters")
    change = insert(changed).values({c: bindparam(c, type_=changed.c[c].type) for c in columns})
    event = {c: bindparam(_AS_EVENT + c, type_=outbox.c[c].type) for c in event_columns}
    return insert(outbox).values(event).add_cte(change.cte(f"{changed.name}_inserted"))


class CeleryPublisher:
    """Publishes envelopes as Celery tasks: to every subscribed queue, by task name, with a
    stable task id (``<event id>:<queue>``) and the event's correlation id in the headers,
    each queue sent the envelope as its consumer may have it (``messaging.sent_to``).

    ``publish_batch`` sends a whole batch in one Redis round trip. Each message is the one
    ``send_task`` builds (same headers, properties, queue and priority key, the queue declared
    as before), given the arguments' repr (``event_task_reprs``); kombu's ``Producer.batch``
    buffers the final ``LPUSH``es in a non-transactional pipeline on the producer's own
    connection pool (so the socket timeouts of ``celery_settings`` apply) and sends it when
    the block ends. The pipeline is not atomic: when it fails, any of the batch's messages may
    have reached Redis, so the caller must count none as published and send them all again
    (consumers dedupe by event id).
    """

    def __init__(self, celery_app: Any):
        self.app = celery_app

    def __call__(self, envelope: dict[str, Any]) -> None:
        self.publish_batch([envelope])

    def publish_batch(self, envelopes: Sequence[dict[str, Any]]) -> None:
        """Publish every envelope in order, or raise (then some may have been published)."""
        self._send(
            [
                (queue, task_name, sent_to(queue, envelope))
                for envelope in envelopes
                for queue, task_name in destinations(envelope["type"])
            ]
        )

    def publish_to(self, queue: str, envelopes: Sequence[dict[str, Any]]) -> None:
        """Publish every envelope again to one of its queues only (a consumer that has not
        confirmed it), with the same task id; or raise."""
        self._send(
            [
                (queue, task_name, sent_to(queue, envelope))
                for envelope in envelopes
                for destination, task_name in destinations(envelope["type"])
                if destination == queue
            ]
        )

    def _send(self, messages: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        if not messages:
            return
        app = self.app
        with app.producer_or_acquire() as producer:
            # Each queue declared once per batch, as send_task would on every message (a
            # cached no-op after the first, but not a cheap one), then send_task is told not to.
            for queue in dict.fromkeys(queue for queue, _, _ in messages):
                producer.maybe_declare(app.amqp.queues[queue])
            # kombu < 5.7 has no Producer.batch: one round trip per message, still correct.
            batch = getattr(producer, "batch", None)
            with batch(max_size=len(messages)) if batch else nullcontext():
                for queue, task_name, envelope in messages:
                    app.send_task(
                        task_name,
                        args=[envelope],
                        queue=queue,
                        task_id=f"{envelope['id']}:{queue}",
                        headers={"correlation_id": envelope["correlation_id"]},
                        retry=False,
                        producer=producer,
                        declare=[],
                        **event_task_reprs(envelope),
                    )


def celery_publisher(celery_app: Any) -> CeleryPublisher:
    """The relay's publisher for ``celery_app`` (a batch per Redis round trip)."""
    return CeleryPublisher(celery_app)


# With no event published for QUIET_AFTER seconds, the relay passes every IDLE_INTERVAL.
QUIET_AFTER = 1.0
IDLE_INTERVAL = 0.5


class PublishFailed(RuntimeError):
    """The broker refused a publish; only the ``published`` rows before it were marked.

    With a batch publisher that is none of the batch: the broker may hold some of its
    messages, and they are published again on the next pass.
    """

    def __init__(self, published: int):
        super().__init__(f"publish failed after {published} events")
        self.published = published


class OutboxRelay:
    """Moves committed outbox rows to the broker, oldest first; with a ``tracker``
    (``redelivery.DeliveryTracker``), also records what it published to each consumer,
    takes their confirmations and sends again what they have not confirmed in time."""

    def __init__(
        self,
        engine: Engine,
        table: Table,
        publish: Publish,
        batch_size: int = 200,
        tracker: DeliveryTracker | None = None,
    ):
        """``publish`` sends one envelope; if it also has ``publish_batch`` (a list of
        envelopes, all or raise), a pass sends its rows through that, in one call."""
        self.engine = engine
        self.table = table
        self.publish = publish
        self.batch_size = batch_size
        self.tracker = tracker

    def relay_batch(self) -> int:
        """Publish up to one batch; return how many rows were published."""
        table = self.table
        query = (
            select(table.c.position, table.c.payload)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.position)
            .limit(self.batch_size)
        )
        if self.engine.dialect.name == "postgresql":
            # Several relays may run: each takes rows no other relay holds.
            with self.engine.begin() as conn:
                rows = conn.execute(query.with_for_update(skip_locked=True)).all()
                done, failure = self._publish(rows)
                if done:
                    self._mark(conn, rows, done)
        else:
            # SQLite's one write lock is not held while the broker answers (every API write
            # would wait on it): the rows are read, published, then marked in a short write.
            with reading(self.engine).begin() as conn:
                rows = conn.execute(query).all()
            done, failure = self._publish(rows)
            if done:
                with self.engine.begin() as conn:
                    self._mark(conn, rows, done)
        if failure is not None:
            raise PublishFailed(len(done)) from failure
        return len(done)

    def _mark(self, conn: Connection, rows: Sequence[Any], done: list[int]) -> None:
        """Mark the published rows, and (with a tracker) what each consumer was sent."""
        conn.execute(self._mark_published(conn.dialect.name, done))
        if self.tracker is not None:
            self.tracker.record_sent(conn, rows[: len(done)])

    def _publish(self, rows: Sequence[Any]) -> tuple[list[int], Exception | None]:
        """The positions published, in order, and the failure that stopped the pass."""
        if not rows:
            return [], None
        publish_batch = getattr(self.publish, "publish_batch", None)
        if publish_batch is not None:
            try:
                publish_batch([payload for _, payload in rows])
            except Exception as exc:  # the broker is down: all of them again later
                return [], exc
            return [position for position, _ in rows], None
        done: list[int] = []
        for position, payload in rows:
            try:
                self.publish(payload)
            except Exception as exc:  # the broker is down: keep the rest for later
                return done, exc
            done.append(position)
        return done, None

    def _mark_published(self, dialect: str, positions: list[int]) -> Any:
        table = self.table
        if dialect == "postgresql":
            # One array parameter instead of one parameter per row.
            where = table.c.position == any_(bindparam("positions", positions, ARRAY(BigInteger)))
        else:
            where = table.c.position.in_(positions)
        return update(table).where(where).values(published_at=datetime.now(UTC))

    def run(
        self,
        stop: threading.Event,
        poll_interval: float = 0.05,
        max_backoff: float = 5.0,
        idle_interval: float = IDLE_INTERVAL,
    ) -> None:
        """Relay until ``stop`` is set: at once while rows wait, every ``poll_interval`` while
        events come, every ``idle_interval`` once ``QUIET_AFTER`` seconds have passed without
        one, and backing off to ``max_backoff`` while a pass fails.

        An empty pass still costs a read and a Redis call: at 20 passes a second the two
        relays of a system at rest take three quarters of its CPU. A steady stream never
        lets the relay go idle; the first event after a quiet spell waits up to
        ``idle_interval`` more."""
        backoff = poll_interval
        last_published = monotonic()
        while not stop.is_set():
            try:
                published = self.relay_batch()
                if self.tracker is not None:
                    self.tracker.tick()
                now = monotonic()
                if published:
                    last_published = now
                quiet = now - last_published >= QUIET_AFTER
                backoff = max(poll_interval, idle_interval) if quiet else poll_interval
            except Exception as exc:
                cause = exc.__cause__ or exc
                published = 0
                backoff = min(backoff * 2, max_backoff)
                log.warning("outbox relay pass failed, retrying in %.2fs: %r", backoff, cause)
            if published < self.batch_size:
                stop.wait(backoff)

    def pending(self) -> int:
        """How many committed events wait to be published."""
        query = select(func.count()).where(self.table.c.published_at.is_(None))
        with reading(self.engine).connect() as conn:
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
        with reading(engine).connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for _, payload in rows:
            yield payload
        after = rows[-1].position
