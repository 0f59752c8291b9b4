"""Email throughput: the real notifications worker (two processes) to a local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

from bench import ceilings
from bench.context import Context
from bench.events import programme_submitted
from bench.harness import Measurement, Target
from bench.sink import start_sink
from bench.workers import EMAIL_CONCURRENCY, celery_worker
from setu_contract.messaging import HANDLE_EVENT_TASK, NOTIFICATIONS_QUEUE
from setu_contract.secret_settings import SECRET_KEY, new_secret
from tests.support.infra import postgres_database

NAME = "email.throughput"


def notifications_env(ctx: Context, database_url: str, smtp_port: int) -> dict[str, str]:
    return {
        "NOTIFICATIONS_DATABASE_URL": database_url,
        "REDIS_URL": ctx.redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SECRETARIAT_EMAIL": "secretariat@setu.bench",
        "SETU_PUBLIC_URL": "https://setu.bench",
        # The worker signs unsubscribe links: a throwaway key of the run's own.
        SECRET_KEY: new_secret(),
    }


def throughput(ctx: Context) -> Iterator[Measurement]:
    from notifications.store.migrate import upgrade

    database_url = ctx.stack.enter_context(postgres_database())
    upgrade(database_url)
    sink = start_sink(ctx, "smtp-sink-email")
    total = ctx.scale(2000)
    envelopes = [[programme_submitted(n)] for n in range(total)]
    ceilings.publish_tasks(
        ctx.redis_url, HANDLE_EVENT_TASK[NOTIFICATIONS_QUEUE], NOTIFICATIONS_QUEUE, envelopes
    )
    env = notifications_env(ctx, database_url, sink.port)
    _, command = celery_worker(
        ctx, "notifications.worker", NOTIFICATIONS_QUEUE, env, EMAIL_CONCURRENCY
    )
    sink.wait_for(total, timeout=600)
    arrivals = sorted(a["t"] for a in sink.arrivals())
    distinct = len({a["event_id"] for a in sink.arrivals()})
    elapsed = arrivals[-1] - arrivals[0]
    yield Measurement(
        NAME,
        f"emails/s, notifications worker x{EMAIL_CONCURRENCY} processes on PostgreSQL, to aiosmtpd",
        {
            "messages_per_s": (total - 1) / elapsed,
            "messages": total,
            "distinct_events": distinct,
        },
        headline="messages_per_s",
        commands=[sink.command, command],
        ceiling=ceilings.SMTP,
        targets=[Target("messages_per_s", ">=", 0.4, of_ceiling=True)],
        notes=[
            f"{total} programme.status_changed(submitted) events queued first, then drained; "
            "timed from the first email's arrival to the last"
        ],
    )
