"""What a producer knows of each event's delivery to each consumer, and what it sends again.

When the relay publishes an event it writes, in the same transaction, one row per consumer
the event goes to: ``unconfirmed``, due for a resend ``deadline`` seconds later. The
consumer's confirmation (setu_contract.confirmations) deletes the row when it applied the
event, or marks it ``dead_lettered`` when it gave up on it. So the table holds only what
is not confirmed yet, and dead letters: its size is the consumers' backlog, not the log's.

An event still unconfirmed when its row is due is published again, to that consumer only,
with the same task id (``<event id>:<queue>``): a Redis that lost its queues costs a delay
of about the deadline, not an event. Each further resend waits twice as long as the one
before, up to ``longest_wait``; and nothing is sent again to a consumer whose queue still
holds more than ``queue_limit`` tasks, as the event may well be among them.

Here the table and its statements; the relay's side that uses them is
setu_contract.redelivery.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    any_,
    bindparam,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from setu_contract.confirmations import APPLIED, DEAD_LETTERED, Confirmation
from setu_contract.database import UtcDateTime
from setu_contract.messaging import destinations

log = logging.getLogger(__name__)

UNCONFIRMED = "unconfirmed"
STATES = (UNCONFIRMED, DEAD_LETTERED)


def deliveries_table(metadata: MetaData, name: str = "outbox_deliveries") -> Table:
    """The table of events not yet confirmed by a consumer (each producer's migrations
    create it beside its outbox)."""
    return Table(
        name,
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("consumer", String(32), primary_key=True),
        # The event's place in the outbox, where its envelope is.
        Column("position", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
        Column("state", String(16), nullable=False),
        Column("sent_at", UtcDateTime(), nullable=False),
        Column("resend_at", UtcDateTime(), nullable=False),
        Column("resends", Integer, nullable=False),
        Index(f"ix_{name}_due", "state", "resend_at"),
    )


@dataclass(frozen=True)
class RedeliveryPolicy:
    """When an unconfirmed event is sent again (seconds)."""

    deadline: float = 60.0
    longest_wait: float = 900.0
    queue_limit: int = 100
    batch: int = 200
    # How often the relay looks for rows that are due.
    check_every: float = 2.0

    def resend_at(self, now: datetime, resends: int) -> datetime:
        """When to send again an event that has been sent ``resends`` times more than once."""
        wait = min(self.deadline * 2**resends, self.longest_wait)
        return now + timedelta(seconds=wait)


@dataclass(frozen=True)
class Due:
    """An event to send again to one consumer."""

    event_id: str
    consumer: str
    resends: int
    envelope: dict[str, Any]


@dataclass(frozen=True)
class Backlog:
    """One consumer's unconfirmed events, as the producer sees them."""

    consumer: str
    unconfirmed: int
    dead_lettered: int
    oldest_sent_at: datetime | None

    def oldest_age(self, now: datetime) -> float:
        """Seconds since the oldest unconfirmed event was first sent (0 when none)."""
        return (now - self.oldest_sent_at).total_seconds() if self.oldest_sent_at else 0.0

    def describe(self, producer: str, now: datetime) -> str:
        """One line for an operator."""
        oldest = f", the oldest sent {self.oldest_age(now):.0f} s ago" if self.unconfirmed else ""
        return (
            f"{producer} -> {self.consumer}: {self.unconfirmed} unconfirmed{oldest}; "
            f"{self.dead_lettered} dead-lettered"
        )


def now_utc() -> datetime:
    return datetime.now(UTC)


def _among(column: Any, values: list[str], dialect: str) -> Any:
    """``column`` is one of ``values``: on PostgreSQL one array parameter, not one a value."""
    if dialect == "postgresql":
        return column == any_(bindparam("among", values, type_=ARRAY(String), unique=True))
    return column.in_(values)


def _upserting(statement: Any) -> Any:
    """``statement`` (a dialect's INSERT) resetting a row it finds to unconfirmed, due anew."""
    return statement.on_conflict_do_update(
        index_elements=["event_id", "consumer"],
        set_={"state": statement.excluded.state, "resend_at": statement.excluded.resend_at},
    )


class DeliveryLedger:
    """The statements on a producer's deliveries table (the caller owns the transaction)."""

    def __init__(self, table: Table, outbox: Table, policy: RedeliveryPolicy | None = None):
        self.table = table
        self.outbox = outbox
        self.policy = policy or RedeliveryPolicy()

    def record_sent(self, conn: Connection, events: Sequence[Any], now: datetime) -> None:
        """One unconfirmed row per consumer of each event (``events``: rows with a
        ``position`` and a ``payload``). An event published again (its outbox row reset by
        hand) is unconfirmed again."""
        sent = [
            (event.payload["id"], queue, event.position)
            for event in events
            for queue, _task in destinations(event.payload["type"])
        ]
        if not sent:
            return
        first_due = self.policy.resend_at(now, 0)
        if conn.dialect.name == "postgresql":
            statement = self._insert_arrays(sent, now, first_due)
            conn.execute(_upserting(statement))
            return
        rows = [
            {
                "event_id": event_id,
                "consumer": consumer,
                "position": position,
                "state": UNCONFIRMED,
                "sent_at": now,
                "resend_at": first_due,
                "resends": 0,
            }
            for event_id, consumer, position in sent
        ]
        conn.execute(_upserting(sqlite_insert(self.table)), rows)

    def _insert_arrays(
        self, sent: Sequence[tuple[str, str, int]], now: datetime, first_due: datetime
    ) -> Any:
        """PostgreSQL: every row in one statement, from three arrays (one parameter each,
        where an executemany is a statement a row: a third less of the relay's time)."""
        event_ids, consumers, positions = (list(column) for column in zip(*sent, strict=True))
        rows = func.unnest(
            bindparam("event_ids", event_ids, type_=ARRAY(String)),
            bindparam("consumers", consumers, type_=ARRAY(String)),
            bindparam("positions", positions, type_=ARRAY(BigInteger)),
        ).table_valued("event_id", "consumer", "position")
        rows = rows.render_derived()
        values = select(
            rows.c.event_id,
            rows.c.consumer,
            rows.c.position,
            literal(UNCONFIRMED),
            literal(now, UtcDateTime()),
            literal(first_due, UtcDateTime()),
            literal(0),
        )
        columns = ["event_id", "consumer", "position", "state", "sent_at", "resend_at", "resends"]
        return postgresql_insert(self.table).from_select(columns, values)

    def record_confirmations(
        self, conn: Connection, found: Iterable[Confirmation]
    ) -> Counter[tuple[str, str]]:
        """Delete what was applied, mark what was dead-lettered; counts by (consumer,
        outcome). A confirmation of an event the table does not hold changes nothing."""
        events: dict[tuple[str, str], set[str]] = defaultdict(set)
        for confirmation in found:
            events[(confirmation.consumer, confirmation.outcome)].add(confirmation.event_id)
        t = self.table
        dialect = conn.dialect.name
        for (consumer, outcome), ids in events.items():
            which = and_(t.c.consumer == consumer, _among(t.c.event_id, sorted(ids), dialect))
            if outcome == APPLIED:
                conn.execute(delete(t).where(which))
            else:
                conn.execute(update(t).where(which).values(state=DEAD_LETTERED))
        return Counter({key: len(ids) for key, ids in events.items()})

    def _with_envelopes(self) -> Any:
        t, o = self.table, self.outbox
        return select(t.c.event_id, t.c.consumer, t.c.resends, o.c.payload).join(
            o, o.c.position == t.c.position
        )

    def take_due(
        self, conn: Connection, now: datetime, consumers: Sequence[str], limit: int
    ) -> list[Due]:
        """Unconfirmed events of ``consumers`` due for a resend, earliest due first; on
        PostgreSQL locked for this transaction (another relay skips them)."""
        t = self.table
        query = (
            self._with_envelopes()
            .where(t.c.state == UNCONFIRMED, t.c.resend_at <= now, t.c.consumer.in_(consumers))
            .order_by(t.c.resend_at)
            .limit(limit)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(of=t, skip_locked=True)
        return [Due(*row) for row in conn.execute(query)]

    def unconfirmed(
        self,
        conn: Connection,
        consumer: str,
        after_position: int,
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> list[tuple[int, Due]]:
        """(outbox position, event) of ``consumer``'s unconfirmed events that occurred in
        [since, until), in log order from ``after_position``."""
        t, o = self.table, self.outbox
        query = (
            self._with_envelopes()
            .add_columns(t.c.position)
            .where(t.c.state == UNCONFIRMED, t.c.consumer == consumer)
            .where(t.c.position > after_position)
        )
        if since is not None:
            query = query.where(o.c.occurred_at >= since)
        if until is not None:
            query = query.where(o.c.occurred_at < until)
        rows = conn.execute(query.order_by(t.c.position).limit(limit))
        return [(row.position, Due(*row[:4])) for row in rows]

    def mark_resent(self, conn: Connection, sent: Sequence[Due], now: datetime) -> None:
        if not sent:
            return
        t = self.table
        statement = (
            update(t)
            .where(t.c.event_id == bindparam("e"), t.c.consumer == bindparam("c"))
            .values(resend_at=bindparam("due"), resends=bindparam("n"))
        )
        conn.execute(
            statement,
            [
                {
                    "e": due.event_id,
                    "c": due.consumer,
                    "due": self.policy.resend_at(now, due.resends + 1),
                    "n": due.resends + 1,
                }
                for due in sent
            ],
        )

    def backlog(self, conn: Connection, consumers: Sequence[str]) -> list[Backlog]:
        """Each of ``consumers``' unconfirmed and dead-lettered events (zero included)."""
        t = self.table
        query = select(t.c.consumer, t.c.state, func.count(), func.min(t.c.sent_at)).group_by(
            t.c.consumer, t.c.state
        )
        counts: dict[tuple[str, str], tuple[int, datetime | None]] = {}
        for consumer, state, count, oldest in conn.execute(query):
            counts[(consumer, state)] = (count, oldest)
        backlogs = []
        for consumer in consumers:
            unconfirmed, oldest = counts.get((consumer, UNCONFIRMED), (0, None))
            dead, _ = counts.get((consumer, DEAD_LETTERED), (0, None))
            backlogs.append(Backlog(consumer, unconfirmed, dead, oldest))
        return backlogs

    def states(self, conn: Connection, event_ids: Sequence[str]) -> dict[tuple[str, str], str]:
        """(event id, consumer) -> the state of each row these events have."""
        t = self.table
        query = select(t.c.event_id, t.c.consumer, t.c.state).where(
            t.c.event_id.in_(list(event_ids))
        )
        return {(event_id, consumer): state for event_id, consumer, state in conn.execute(query)}
