"""What delivery confirmation costs an event, measured in-process (not part of `make bench`).

    python -m bench.confirmation_cost [--events 10000] [--rounds 3]

On a PostgreSQL database of its own (the tests' server) and a redis-server of its own:
- a consumer's confirmation: ``Confirmer.confirm``, one RPUSH per event and consumer;
- the relay's pass, with and without its tracker writing the deliveries rows (one row per
  event and consumer, in the pass's transaction), passes of 200 rows alternating;
- the relay taking confirmations: LPOP of up to 1,000 lines and one DELETE per consumer.
Microseconds per event (each event going to two consumers), the median round: wall-clock
time, and the CPU time of this process (the client's side of each round trip, which the
machine's other work disturbs less than the wall clock).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from celery import Celery
from sqlalchemy import MetaData, delete, insert, update

from bench.pipeline import outbox_rows
from setu_contract.confirmations import APPLIED, Confirmer
from setu_contract.database import make_engine
from setu_contract.deliveries import (
    DeliveryLedger,
    RedeliveryPolicy,
    deliveries_table,
)
from setu_contract.messaging import PROGRAMMES_PRODUCER, QUEUES, celery_settings
from setu_contract.outbox import OutboxRelay, celery_publisher, outbox_table
from setu_contract.redelivery import DeliveryTracker
from tests.support.infra import RedisServer, postgres_database

CONSUMERS = len(QUEUES)


def timed(run: Callable[[], None]) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) that ``run`` took."""
    started, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - started, time.process_time() - cpu


class Rig:
    def __init__(self, database_url: str, redis_url: str, events: int):
        self.events = events
        self.engine = make_engine(database_url)
        metadata = MetaData()
        self.outbox = outbox_table(metadata)
        self.deliveries = deliveries_table(metadata)
        metadata.create_all(self.engine)
        self.celery = Celery("bench-confirmations")
        self.celery.conf.update(celery_settings(redis_url))
        publisher = celery_publisher(self.celery)
        ledger = DeliveryLedger(self.deliveries, self.outbox, RedeliveryPolicy())
        self.tracker = DeliveryTracker(
            self.engine,
            ledger,
            Confirmer(redis_url, "x").client(),
            PROGRAMMES_PRODUCER,
            publisher.publish_to,
        )
        self.plain = OutboxRelay(self.engine, self.outbox, publisher)
        self.tracked = OutboxRelay(self.engine, self.outbox, publisher, tracker=self.tracker)
        self.confirmers = [Confirmer(redis_url, queue) for queue in QUEUES]
        self.redis_url = redis_url

    def fresh(self) -> list[dict]:
        """An outbox of ``events`` unpublished rows, nothing delivered, Redis emptied."""
        rows = outbox_rows(self.events)
        with self.engine.begin() as conn:
            conn.execute(delete(self.deliveries))
            conn.execute(delete(self.outbox))
            conn.execute(insert(self.outbox), rows)
        self.tracker.broker.flushdb()
        return [row["payload"] for row in rows]

    def relay(self, relay: OutboxRelay) -> tuple[float, float]:
        self.fresh()
        return timed(lambda: _drain(relay))

    def confirm(self) -> tuple[float, float]:
        envelopes = self.fresh()
        return timed(lambda: [c.confirm(e, APPLIED) for e in envelopes for c in self.confirmers])

    def take(self) -> tuple[float, float]:
        envelopes = self.fresh()
        _drain(self.tracked)
        for confirmer in self.confirmers:
            for envelope in envelopes:
                confirmer.confirm(envelope, APPLIED)
        with self.engine.begin() as conn:  # as if none had been taken yet
            conn.execute(update(self.deliveries).values(resends=0))
        return timed(self.tracker.take_confirmations)

    def close(self) -> None:
        self.celery.close()
        self.engine.dispose()


def _drain(relay: OutboxRelay) -> None:
    while relay.relay_batch():
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    redis = RedisServer(Path(tempfile.mkdtemp(prefix="setu-bench-redis-"))).start()
    try:
        with postgres_database() as url:
            rig = Rig(url, redis.url, args.events)
            try:
                report(rig, args.rounds)
            finally:
                rig.close()
    finally:
        redis.stop()


LABELS = {
    "plain": "relay pass without the tracker",
    "tracked": "relay pass with the tracker",
    "confirm": f"consumers confirming (RPUSH x{CONSUMERS})",
    "take": "relay taking the confirmations",
}


def report(rig: Rig, rounds: int) -> None:
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in LABELS}
    for _ in range(rounds):
        results["plain"].append(rig.relay(rig.plain))
        results["tracked"].append(rig.relay(rig.tracked))
        results["confirm"].append(rig.confirm())
        results["take"].append(rig.take())
    print(f"{rig.events} events, {CONSUMERS} consumers each, median of {rounds} rounds")
    print(f"  {'µs per event':40} {'wall':>8} {'cpu':>8}")
    for name, label in LABELS.items():
        wall = statistics.median(w for w, _ in results[name]) / rig.events * 1e6
        cpu = statistics.median(c for _, c in results[name]) / rig.events * 1e6
        print(f"  {label:40} {wall:8.1f} {cpu:8.1f}")


if __name__ == "__main__":
    main()
