"""The outbox relay on SQLite and PostgreSQL, publishing to the real Redis."""

from __future__ import annotations

import threading

import pytest
import redis
from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session

from setu_contract.events import build_event
from setu_contract.messaging import celery_settings
from setu_contract.outbox import OutboxRelay, PublishFailed, append, celery_publisher
from tests.support.outbox import bare_outbox, organisation, registered


@pytest.fixture
def outbox(database_url):
    with bare_outbox(database_url) as (engine, table):
        yield engine, table


def write_events(engine, table, count: int) -> list[dict]:
    events = [registered(n, correlation_id="c") for n in range(count)]
    with Session(engine) as session, session.begin():
        for event in events:
            append(session, table, event)
    return events


def test_rows_are_published_in_order_and_marked(outbox):
    engine, table = outbox
    events = write_events(engine, table, 5)
    published: list[str] = []
    relay = OutboxRelay(engine, table, lambda e: published.append(e["id"]), batch_size=3)
    assert relay.relay_batch() == 3
    assert relay.relay_batch() == 2
    assert relay.relay_batch() == 0
    assert published == [e["id"] for e in events]
    assert relay.pending() == 0


def test_a_failed_publish_keeps_the_rest_for_later(outbox):
    engine, table = outbox
    write_events(engine, table, 4)
    calls: list[str] = []

    def flaky(envelope: dict) -> None:
        if len(calls) == 2:
            calls.append("boom")
            raise ConnectionError("redis is down")
        calls.append(envelope["id"])

    relay = OutboxRelay(engine, table, flaky)
    with pytest.raises(PublishFailed) as failed:
        relay.relay_batch()
    assert failed.value.published == 2
    assert relay.pending() == 2
    relay.publish = lambda envelope: calls.append(envelope["id"])
    assert relay.relay_batch() == 2 and relay.pending() == 0


def test_an_event_rolled_back_with_its_change_is_never_published(outbox):
    engine, table = outbox
    with Session(engine) as session:
        session.begin()
        append(
            session,
            table,
            build_event(
                "organisation.registered", organisation(1), producer="t", correlation_id="c"
            ),
        )
        session.rollback()
    assert OutboxRelay(engine, table, lambda e: None).pending() == 0


def test_relay_publishes_to_each_subscribed_queue_on_real_redis(outbox, redis_url):
    engine, table = outbox
    events = write_events(engine, table, 3)
    app = Celery("relay-test")
    app.conf.update(celery_settings(redis_url))
    client = redis.Redis.from_url(redis_url)
    client.delete("notifications", "reports")  # the session's database is shared by its tests
    relay = OutboxRelay(engine, table, celery_publisher(app))
    assert relay.relay_batch() == 3
    try:
        assert client.llen("notifications") == 3
        assert client.llen("reports") == 3
    finally:
        client.delete("notifications", "reports")
    with engine.connect() as conn:
        ids = conn.execute(select(table.c.event_id).order_by(table.c.position)).scalars().all()
    assert ids == [e["id"] for e in events]


def test_two_relays_on_postgresql_never_publish_a_row_twice(postgres_url):
    with bare_outbox(postgres_url, pool_size=4) as (engine, table):
        _two_relays(engine, table)


def _two_relays(engine, table) -> None:
    write_events(engine, table, 400)
    published: list[str] = []
    lock = threading.Lock()

    def record(envelope: dict) -> None:
        with lock:
            published.append(envelope["id"])

    relays = [OutboxRelay(engine, table, record, batch_size=25) for _ in range(2)]

    def drain(relay: OutboxRelay) -> None:
        while relay.relay_batch():
            pass

    threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(published) == 400 and len(set(published)) == 400
    engine.dispose()


def test_run_stops_when_asked_and_backs_off_while_the_broker_is_down(outbox):
    engine, table = outbox
    write_events(engine, table, 1)
    attempts: list[int] = []

    def down(envelope: dict) -> None:
        attempts.append(1)
        raise ConnectionError("down")

    stop = threading.Event()
    relay = OutboxRelay(engine, table, down)
    thread = threading.Thread(target=relay.run, args=(stop, 0.01, 0.2))
    thread.start()
    threading.Event().wait(1.0)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    # 1 s of a 10 ms poll would be ~100 attempts; the backoff (to 0.2 s) keeps it near 10.
    assert 3 <= len(attempts) <= 20
    assert relay.pending() == 1
