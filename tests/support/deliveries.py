"""A producer's outbox, deliveries table and relay (with its delivery tracker) on a bare
database, for the tests of delivery confirmed end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from celery import Celery
from sqlalchemy import MetaData, create_engine, select, update
from sqlalchemy.orm import Session

from setu_contract.confirmations import Confirmer
from setu_contract.deliveries import (
    DeliveryLedger,
    RedeliveryPolicy,
    deliveries_table,
)
from setu_contract.events import build_event
from setu_contract.messaging import (
    NOTIFICATIONS_QUEUE,
    PROGRAMMES_PRODUCER,
    REPORTS_QUEUE,
    celery_settings,
)
from setu_contract.outbox import OutboxRelay, append, celery_publisher, outbox_table
from setu_contract.redelivery import DeliveryTracker
from tests.support.outbox import organisation

QUEUES = (NOTIFICATIONS_QUEUE, REPORTS_QUEUE)


class Producer:
    """A bare outbox and deliveries table, a relay with its tracker, and the broker."""

    def __init__(self, database_url: str, redis_url: str, policy: RedeliveryPolicy):
        metadata = MetaData()
        self.engine = create_engine(database_url)
        self.outbox = outbox_table(metadata)
        self.deliveries = deliveries_table(metadata)
        metadata.create_all(self.engine)
        self.celery = Celery("deliveries-test")
        self.celery.conf.update(celery_settings(redis_url))
        self.broker = redis.Redis.from_url(redis_url, socket_timeout=5)
        publisher = celery_publisher(self.celery)
        ledger = DeliveryLedger(self.deliveries, self.outbox, policy)
        self.tracker = DeliveryTracker(
            self.engine, ledger, self.broker, PROGRAMMES_PRODUCER, publisher.publish_to
        )
        self.relay = OutboxRelay(self.engine, self.outbox, publisher, tracker=self.tracker)

    def write(self, count: int, occurred_at: datetime | None = None) -> list[dict]:
        """``count`` organisation.registered events in the outbox."""
        return self.append(
            [
                build_event(
                    "organisation.registered",
                    organisation(n),
                    producer=PROGRAMMES_PRODUCER,
                    correlation_id="c",
                    occurred_at=occurred_at,
                )
                for n in range(count)
            ]
        )

    def append(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with Session(self.engine) as session, session.begin():
            for event in events:
                append(session, self.outbox, event)
        return events

    def rows(self) -> dict[tuple[str, str], tuple[str, int]]:
        """(event id, consumer) -> (state, resends)."""
        d = self.deliveries
        with self.engine.connect() as conn:
            query = select(d.c.event_id, d.c.consumer, d.c.state, d.c.resends)
            return {(e, c): (s, n) for e, c, s, n in conn.execute(query)}

    def make_due(self) -> None:
        """As if the deadline of every row had passed."""
        past = datetime.now(UTC) - timedelta(seconds=1)
        with self.engine.begin() as conn:
            conn.execute(update(self.deliveries).values(resend_at=past))

    def queued_ids(self, queue: str) -> list[str]:
        return [json.loads(raw)["headers"]["id"] for raw in self.broker.lrange(queue, 0, -1)]

    def empty_queues(self) -> None:
        """What a Redis that comes back empty holds."""
        self.broker.delete(*QUEUES)

    def close(self) -> None:
        self.celery.close()
        self.broker.close()
        self.engine.dispose()


def confirm(redis_url: str, consumer: str, outcome: str, *events: dict) -> None:
    confirmer = Confirmer(redis_url, consumer)
    for event in events:
        assert confirmer.confirm(event, outcome)
