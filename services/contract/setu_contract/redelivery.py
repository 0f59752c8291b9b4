"""The producer's relay's other half: it takes its consumers' confirmations and publishes
again, to one consumer, what that consumer has not confirmed in time
(setu_contract.deliveries holds the table and the rules); and what the delivery commands
(`setu events status`, `setu events redeliver`) run.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table

from setu_contract.confirmations import broker_client, take_confirmations
from setu_contract.deliveries import (
    Backlog,
    DeliveryLedger,
    Due,
    RedeliveryPolicy,
    now_utc,
)
from setu_contract.messaging import consumers_of
from setu_contract.worker_metrics import CONFIRMATIONS, EVENTS_REDELIVERED

log = logging.getLogger(__name__)

# publish_to(queue, envelopes): publish each envelope to that one queue, or raise.
PublishTo = Callable[[str, Sequence[dict[str, Any]]], None]


class DeliveryTracker:
    """A producer's relay's other half: it takes the consumers' confirmations and sends
    again what they have not confirmed in time (``tick``, between the relay's passes)."""

    def __init__(
        self,
        engine: Engine,
        ledger: DeliveryLedger,
        broker: Any,
        producer: str,
        publish_to: PublishTo,
    ):
        """``broker``: a redis client (``confirmations.broker_client``)."""
        self.engine = engine
        self.ledger = ledger
        self.broker = broker
        self.producer = producer
        self.publish_to = publish_to
        self.consumers = consumers_of(producer)
        self._next_check = 0.0
        for consumer in self.consumers:
            EVENTS_REDELIVERED.labels(producer, consumer)  # shown as 0 from the start

    @property
    def policy(self) -> RedeliveryPolicy:
        return self.ledger.policy

    def record_sent(self, conn: Connection, events: Sequence[Any]) -> None:
        self.ledger.record_sent(conn, events, now_utc())

    def tick(self) -> None:
        """Take the confirmations waiting, and (every ``check_every`` seconds) send again
        what is due. Raises when Redis or the database refuses: the relay backs off."""
        self.take_confirmations()
        if time.monotonic() >= self._next_check:
            self.resend_due()
            self._next_check = time.monotonic() + self.policy.check_every

    def take_confirmations(self, count: int = 1000, batches: int = 10) -> int:
        """Record the confirmations waiting in Redis, ``count`` a transaction, until none is
        left or ``batches`` are done (the relay's next pass comes first)."""
        taken = 0
        for _ in range(batches):
            found, lines = take_confirmations(self.broker, self.producer, count)
            if found:
                with self.engine.begin() as conn:
                    counts = self.ledger.record_confirmations(conn, found)
                for (consumer, outcome), n in counts.items():
                    CONFIRMATIONS.labels(self.producer, consumer, outcome).inc(n)
                taken += len(found)
            if lines < count:
                break
        return taken

    def open_consumers(self) -> list[str]:
        """The consumers whose queue is short enough to be sent something again."""
        limit = self.policy.queue_limit
        return [c for c in self.consumers if int(self.broker.llen(c)) <= limit]

    def resend_due(self) -> int:
        """Publish again, each to its one consumer, the events due for a resend."""
        consumers = self.open_consumers()
        if not consumers:
            return 0
        now = now_utc()
        with self.engine.begin() as conn:
            due = self.ledger.take_due(conn, now, consumers, self.policy.batch)
            self._publish(due)
            self.ledger.mark_resent(conn, due, now)
        if due:
            log.warning(
                "unconfirmed events sent again",
                extra={"producer": self.producer, "events": len(due)},
            )
        return len(due)

    def redeliver(
        self, consumer: str, since: datetime | None = None, until: datetime | None = None
    ) -> int:
        """Send ``consumer`` again every event it has not confirmed that occurred in
        [since, until), due or not (``setu events redeliver``); how many."""
        after, sent = 0, 0
        while True:
            now = now_utc()
            with self.engine.begin() as conn:
                found = self.ledger.unconfirmed(
                    conn, consumer, after, since, until, self.policy.batch
                )
                batch = [due for _, due in found]
                self._publish(batch)
                self.ledger.mark_resent(conn, batch, now)
            sent += len(batch)
            if len(found) < self.policy.batch:
                return sent
            after = found[-1][0]

    def _publish(self, due: Sequence[Due]) -> None:
        by_consumer: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in due:
            by_consumer[event.consumer].append(event.envelope)
        for consumer, envelopes in by_consumer.items():
            self.publish_to(consumer, envelopes)
            EVENTS_REDELIVERED.labels(self.producer, consumer).inc(len(envelopes))

    def backlog(self) -> list[Backlog]:
        with self.engine.connect() as conn:
            return self.ledger.backlog(conn, self.consumers)


def delivery_tracker(
    engine: Engine,
    outbox: Table,
    deliveries: Table,
    producer: str,
    redis_url: str,
    publish_to: PublishTo,
    deadline: float,
) -> DeliveryTracker:
    """The tracker of ``producer``'s relay and commands (``deadline``: SETU_DELIVERY_DEADLINE)."""
    ledger = DeliveryLedger(deliveries, outbox, RedeliveryPolicy(deadline=deadline))
    return DeliveryTracker(engine, ledger, broker_client(redis_url), producer, publish_to)


def operator_time(value: str | None) -> datetime | None:
    """A time an operator typed (ISO 8601; UTC when it names no offset)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
