"""The relay's batch publisher on a redis-server of the test's own, on SQLite and PostgreSQL.

A pass sends its whole batch in one Redis pipeline. These tests hold it to what publishing
one message at a time guaranteed: the same messages, consumed by a real Celery worker with
their task ids, correlation ids and retries; and no row marked published unless every one of
its messages reached Redis.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from setu_contract.events import build_event
from setu_contract.messaging import (
    NOTIFICATIONS_QUEUE,
    QUEUES,
    REPORTS_QUEUE,
    celery_settings,
    destinations,
)
from setu_contract.outbox import OutboxRelay, PublishFailed, append, celery_publisher
from setu_contract.personal_data import without_personal_data
from tests.support.infra import RedisServer, wait_until
from tests.support.outbox import bare_outbox, registered
from tests.support.personal_data import distinctive_person, found_in_text
from tests.support.processes import celery_worker

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def outbox(database_url: str) -> Iterator[tuple[Engine, object]]:
    with bare_outbox(database_url) as (engine, table):
        yield engine, table


@pytest.fixture
def app(private_redis: RedisServer) -> Iterator[Celery]:
    app = Celery("batch-publish-test")
    app.conf.update(celery_settings(private_redis.url))
    yield app
    app.close()


@pytest.fixture
def client(private_redis: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(private_redis.url, socket_timeout=5)
    yield client
    client.close()


def write(engine: Engine, table, events: list[dict]) -> None:
    with Session(engine) as session, session.begin():
        for event in events:
            append(session, table, event)


def queued(client: redis.Redis, queue: str) -> list[dict]:
    """The queue's messages, oldest first (producers LPUSH, workers BRPOP)."""
    return [json.loads(m) for m in reversed(client.lrange(queue, 0, -1))]


def test_a_batch_holds_the_messages_send_task_publishes_one_by_one(app, client):
    events = [registered(1), registered(2)]
    events.append(
        build_event(
            "report.generated",  # notifications only
            {
                "report_id": "00000000-0000-4000-8000-000000000009",
                "type": "partner_activity",
                "format": "csv",
                "period": {"start": "2026-01-01", "end": "2026-01-31"},
                "download_path": "/v1/reports/00000000-0000-4000-8000-000000000009/download",
                "recipients": ["office@example.org"],
            },
            producer="reports",
            correlation_id="cid-report",
        )
    )
    celery_publisher(app).publish_batch(events)

    # Each queue declared, as send_task declares it (kombu's bindings), on this new server.
    assert set(client.keys()) == {
        key.encode()
        for queue in QUEUES
        for key in (queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    }
    batched = {queue: queued(client, queue) for queue in QUEUES}
    assert [len(batched[q]) for q in QUEUES] == [3, 2]
    client.delete(*QUEUES)
    # What the relay published before batches: one send_task per (event, queue).
    for envelope in events:
        for queue, task_name in destinations(envelope["type"]):
            app.send_task(
                task_name,
                args=[envelope],
                queue=queue,
                task_id=f"{envelope['id']}:{queue}",
                headers={"correlation_id": envelope["correlation_id"]},
                retry=False,
                argsrepr=f"[<{envelope['type']} {envelope['id']}>]",
                kwargsrepr="{}",
            )
    one_by_one = {queue: queued(client, queue) for queue in QUEUES}
    for queue in QUEUES:
        for single, batch in zip(one_by_one[queue], batched[queue], strict=True):
            # Only the delivery tag is per message (a fresh uuid4 either way).
            single["properties"].pop("delivery_tag")
            batch["properties"].pop("delivery_tag")
            assert batch == single


def test_a_message_shows_the_events_type_and_id_but_none_of_its_data(app, client):
    event = registered(7, "Tokyo Chiplet Works")
    event["data"]["contact_email"] = "liaison@chiplet.example.jp"
    celery_publisher(app).publish_batch([event])

    for queue in QUEUES:
        (message,) = queued(client, queue)
        # What Flower, task events and `celery inspect` show of the task's arguments.
        assert message["headers"]["argsrepr"] == f"[<organisation.registered {event['id']}>]"
        assert message["headers"]["kwargsrepr"] == "{}"
        shown = json.dumps({k: v for k, v in message.items() if k != "body"})
        assert "Tokyo Chiplet Works" not in shown and "liaison@" not in shown
        # The task still gets the whole envelope.
        body = json.loads(base64.b64decode(message["body"]))
        assert body[0] == [event]


def test_the_shared_broker_settings_let_kombu_batch_the_relays_publishes(app):
    # Otherwise kombu quietly publishes one message per round trip (retry_on_timeout, say).
    with app.producer_or_acquire() as producer:
        assert producer.supports_batch_publish


def test_a_batch_reaches_a_real_celery_worker_intact(outbox, app, private_redis, tmp_path):
    engine, table = outbox
    events = [registered(n, "Retry once" if n == 3 else None) for n in range(1, 9)]
    write(engine, table, events)
    assert OutboxRelay(engine, table, celery_publisher(app), batch_size=50).relay_batch() == 8

    env = {"REDIS_URL": private_redis.url, "PYTHONPATH": str(REPO)}
    worker = celery_worker(
        "tests.integration.contract.recording_worker", ",".join(QUEUES), env, tmp_path
    )
    client = redis.Redis.from_url(private_redis.url, socket_timeout=5)
    try:
        # 8 events x 2 queues, and the retried event once more on each queue.
        wait_until(lambda: client.llen("received") >= 18, 60, message="18 deliveries")
    finally:
        worker.stop()
    received = [json.loads(r) for r in client.lrange("received", 0, -1)]
    client.close()

    assert len(received) == 18
    by_id = {e["id"]: e for e in events}
    for delivery in received:
        event_id, queue = delivery["id"].split(":")
        assert delivery["queue"] == queue
        assert delivery["task"] == f"{queue}.handle_event"
        assert delivery["envelope"] == by_id[event_id]  # its correlation id included
        # Celery hands the task the message's correlation id property: the task id, as when
        # the relay published one message at a time (consumers read the envelope's).
        assert delivery["correlation_id"] == delivery["id"]
        # A retry is published again by the worker, still showing none of the event's data.
        assert delivery["argsrepr"] == f"[<organisation.registered {event_id}>]"
    retried = Counter(d["id"] for d in received if d["retries"] == 1)
    assert retried == {f"{events[2]['id']}:{queue}": 1 for queue in QUEUES}
    for queue in QUEUES:
        first = [d["envelope"]["id"] for d in received if d["queue"] == queue and not d["retries"]]
        assert first == [e["id"] for e in events]  # in the outbox's order


def test_a_command_failing_mid_batch_marks_no_row_and_the_next_pass_sends_them_all(
    outbox, app, client
):
    engine, table = outbox
    relay = OutboxRelay(engine, table, celery_publisher(app))
    write(engine, table, [registered(0)])
    assert relay.relay_batch() == 1  # the queues are declared: the next pass only pushes
    client.delete(*QUEUES)
    events = [registered(n) for n in range(1, 6)]
    write(engine, table, events)
    client.set("reports", "not a list")  # every LPUSH to reports fails, notifications' succeed

    with pytest.raises(PublishFailed) as failed:
        relay.relay_batch()

    assert failed.value.published == 0
    assert relay.pending() == 5
    # Part of the batch did reach Redis: the next pass sends it again, consumers dedupe.
    assert [m["headers"]["id"] for m in queued(client, "notifications")] == [
        f"{e['id']}:notifications" for e in events
    ]
    client.delete("reports")
    assert relay.relay_batch() == 5
    assert relay.pending() == 0
    notifications = [m["headers"]["id"] for m in queued(client, "notifications")]
    assert notifications == [f"{e['id']}:notifications" for e in events] * 2
    assert [m["headers"]["id"] for m in queued(client, "reports")] == [
        f"{e['id']}:reports" for e in events
    ]


def test_a_stopped_redis_marks_no_row_and_the_relay_catches_up_once_it_is_back(
    outbox, app, client, private_redis
):
    engine, table = outbox
    events = [registered(n) for n in range(1, 4)]
    write(engine, table, events)
    relay = OutboxRelay(engine, table, celery_publisher(app))
    assert relay.relay_batch() == 3  # the producer's connections are open when Redis stops

    private_redis.stop()
    later = [registered(n) for n in range(4, 7)]
    write(engine, table, later)
    with pytest.raises(PublishFailed) as failed:
        relay.relay_batch()
    assert failed.value.published == 0
    assert relay.pending() == 3

    private_redis.start()  # same port and append-only file: the first three are still queued
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop, 0.01, 0.2))
    thread.start()
    try:
        wait_until(lambda: relay.pending() == 0, 30, message="the relay to catch up")
    finally:
        stop.set()
        thread.join(10)
    for queue in QUEUES:
        ids = [m["headers"]["id"] for m in queued(client, queue)]
        assert ids == [f"{e['id']}:{queue}" for e in events + later]


def test_a_frozen_redis_fails_the_batch_after_the_socket_timeout_and_marks_no_row(
    outbox, app, private_redis
):
    engine, table = outbox
    write(engine, table, [registered(n) for n in range(1, 4)])
    relay = OutboxRelay(engine, table, celery_publisher(app))
    outcome: list[BaseException | int] = []

    def attempt() -> None:
        try:
            outcome.append(relay.relay_batch())
        except BaseException as exc:
            outcome.append(exc)

    private_redis.freeze()
    try:
        thread = threading.Thread(target=attempt)
        thread.start()
        thread.join(60)  # REDIS_SOCKET_TIMEOUT is 5 s: a relay never waits on Redis forever
        assert not thread.is_alive()
    finally:
        private_redis.thaw()
    assert len(outcome) == 1 and isinstance(outcome[0], PublishFailed)
    assert relay.pending() == 3


def test_only_the_consumer_that_writes_to_applicants_is_sent_their_personal_data(app, client):
    person = distinctive_person()
    application = {
        "id": "00000000-0000-4000-8000-0000000000a1",
        "reference": "TEX-2027-00001",
        "programme_id": "00000000-0000-4000-8000-0000000000b1",
        "applicant": person.applicant(),
        "career_stage": "phd",
        "home_organisation_id": "00000000-0000-4000-8000-000000000001",
        "host_organisation_id": "00000000-0000-4000-8000-000000000002",
        "direction": "JP_TO_IN",
        "start_date": "2027-04-01",
        "end_date": "2027-10-01",
        "statement": person.statement,
        "status": "draft",
        "personal_data_erased": False,
        "version": 1,
        "created_at": "2027-01-01T00:00:00+00:00",
        "updated_at": "2027-01-01T00:00:00+00:00",
    }
    event = build_event(
        "application.created", application, producer="programmes", correlation_id="c"
    )
    celery_publisher(app).publish_batch([event])

    bodies = {
        queue: json.loads(base64.b64decode(queued(client, queue)[0]["body"]))[0][0]
        for queue in QUEUES
    }
    assert bodies[NOTIFICATIONS_QUEUE] == event
    assert bodies[REPORTS_QUEUE] == without_personal_data(event)
    assert found_in_text(json.dumps(bodies[REPORTS_QUEUE]), person.values) == set()
    assert bodies[REPORTS_QUEUE]["data"]["direction"] == "JP_TO_IN"
