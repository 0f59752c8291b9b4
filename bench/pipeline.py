"""The event pipeline: outbox -> relay -> Redis -> consumer, and the relay alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

from celery import Celery
from sqlalchemy import Engine, MetaData, create_engine, func, insert, select

from bench import ceilings
from bench.context import WATCH_SECONDS, Context, show_command, venv
from bench.events import programme_created
from bench.harness import Measurement, Target, not_measured
from bench.mail import notifications_env
from bench.workers import NOTIFICATIONS_CONCURRENCY, celery_worker
from setu_contract.database import make_engine
from setu_contract.deliveries import deliveries_table
from setu_contract.events import aggregate_of
from setu_contract.messaging import NOTIFICATIONS_QUEUE, PROGRAMMES_PRODUCER, celery_settings
from setu_contract.outbox import OutboxRelay, celery_publisher, outbox_table
from setu_contract.redelivery import delivery_tracker
from tests.support.infra import postgres_database, wait_until

RELAY = "pipeline.relay_alone"
PIPELINE = "pipeline.outbox_to_consumer"


def outbox_rows(count: int) -> list[dict]:
    """Outbox rows as ``setu_contract.outbox.append`` writes them, built in bulk."""
    rows = []
    for number in range(count):
        envelope = programme_created(number)
        aggregate_type, aggregate_id, version = aggregate_of(envelope)
        rows.append(
            {
                "event_id": envelope["id"],
                "type": envelope["type"],
                "aggregate_type": aggregate_type,
                "aggregate_id": aggregate_id,
                "aggregate_version": version,
                "occurred_at": datetime.fromisoformat(envelope["occurred_at"]),
                "correlation_id": envelope["correlation_id"],
                "payload": envelope,
            }
        )
    return rows


def relay_alone(ctx: Context) -> Measurement:
    url = ctx.stack.enter_context(postgres_database())
    engine = make_engine(url)  # as `setu programmes relay` opens it (payloads read by jsonio)
    metadata = MetaData()
    table = outbox_table(metadata)
    deliveries = deliveries_table(metadata)
    metadata.create_all(engine)
    total = ctx.scale(10000)
    with engine.begin() as conn:
        conn.execute(insert(table), outbox_rows(total))
    producer = Celery("bench-relay")
    producer.conf.update(celery_settings(ctx.redis_url))
    publisher = celery_publisher(producer)
    # As `setu programmes relay` runs it: each pass also writes who must confirm each event.
    tracker = delivery_tracker(
        engine, table, deliveries, PROGRAMMES_PRODUCER, ctx.redis_url, publisher.publish_to, 60
    )
    relay = OutboxRelay(engine, table, publisher, tracker=tracker)
    started = time.perf_counter()
    published = 0
    while published < total:
        published += relay.relay_batch() or 0
    elapsed = time.perf_counter() - started
    tracker.broker.close()
    producer.close()
    engine.dispose()
    return Measurement(
        RELAY,
        "outbox relay alone (OutboxRelay + celery_publisher), PostgreSQL to Redis",
        {"events_per_s": total / elapsed, "messages_per_s": 2 * total / elapsed, "events": total},
        headline="events_per_s",
        commands=[
            f"OutboxRelay(batch_size=200, tracker=...).relay_batch() until {total} rows published"
        ],
        targets=[Target("events_per_s", ">=", 1000)],
        notes=[
            "each programme.created event goes to two queues (notifications, reports)",
            "a pass's 400 messages go to Redis in one pipeline (kombu Producer.batch)",
            "a pass also writes its 400 deliveries rows (who must confirm each event) in "
            "one statement",
        ],
    )


def processed(engine: Engine) -> int:
    from notifications.store.models import ProcessedEvent

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one())


def full_pipeline(ctx: Context) -> Measurement:
    try:
        from programmes.store.models import outbox
    except ImportError as exc:
        return not_measured(PIPELINE, "outbox -> Redis -> consumer", f"programmes: {exc}")
    from notifications.store.migrate import upgrade

    programmes_url = ctx.stack.enter_context(postgres_database())
    notifications_url = ctx.stack.enter_context(postgres_database())
    upgrade(notifications_url)
    setu = venv("setu")
    env = {"PROGRAMMES_DATABASE_URL": programmes_url}
    ctx.start("programmes-migrate", [setu, "programmes", "migrate"], env).popen.wait(120)
    relay_argv = [setu, "programmes", "relay"]
    ctx.start("programmes-relay", relay_argv, env, ready="relay started")
    worker_env = notifications_env(ctx, notifications_url, 25)
    _, worker_command = celery_worker(ctx, "notifications.worker", NOTIFICATIONS_QUEUE, worker_env)
    total = ctx.scale(5000)
    rows = outbox_rows(total)
    engine = create_engine(programmes_url)
    consumer = create_engine(notifications_url)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(outbox), rows)
    wait_until(
        lambda: processed(consumer) >= total, timeout=600, interval=WATCH_SECONDS, message="drain"
    )
    elapsed = time.perf_counter() - started
    engine.dispose()
    consumer.dispose()
    return Measurement(
        PIPELINE,
        "events/s outbox -> `setu programmes relay` -> Redis -> notifications worker "
        f"x{NOTIFICATIONS_CONCURRENCY}",
        {"events_per_s": total / elapsed, "events": total},
        headline="events_per_s",
        commands=[show_command(relay_argv, env), worker_command],
        ceiling=ceilings.CELERY,
        compare={"events_per_s": "tasks_per_s"},
        targets=[Target("events_per_s", ">=", 0.5, of_ceiling=True)],
        notes=[
            f"{total} programme.created rows committed in one transaction; timed from the "
            "commit's start until the consumer recorded all of them (processed_events)"
        ],
    )


def run(ctx: Context) -> Iterator[Measurement]:
    yield relay_alone(ctx)
    ctx.reset_redis()
    yield full_pipeline(ctx)
