"""The ceilings: what the web stack, the broker and SMTP alone manage on this machine."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from email.message import EmailMessage

import redis
from celery import Celery

from bench import noop_app
from bench.context import WATCH_SECONDS, Context, on_workers
from bench.harness import Measurement
from bench.sink import start_sink
from bench.workers import NOTIFICATIONS_CONCURRENCY, celery_worker
from bench.wrk import WrkRun
from setu_contract.messaging import celery_settings

HTTP = "ceiling.http"
CELERY = "ceiling.celery_noop"
CELERY_PUBLISH = "ceiling.celery_publish"
SMTP = "ceiling.smtplib"


def http(ctx: Context) -> Iterator[Measurement]:
    base = ctx.gunicorn("ceiling-gunicorn", "bench.ceiling_app:create_app()")
    load = WrkRun(base + "/v1/ping", seconds=ctx.seconds)
    figures = on_workers(ctx, "ceiling-gunicorn", load.run)
    yield Measurement(
        HTTP,
        "minimal Flask app, GET constant JSON (gunicorn, production settings)",
        figures,
        headline="req_per_s",
        commands=[ctx.gunicorn_commands["ceiling-gunicorn"], load.command()],
    )


def publish_tasks(redis_url: str, task: str, queue: str, argsets: list[list]) -> float:
    """Send one task per args list by name, the way the relay does; return seconds taken."""
    producer = Celery("bench-producer")
    producer.conf.update(celery_settings(redis_url))
    started = time.perf_counter()
    for args in argsets:
        producer.send_task(task, args=args, queue=queue, retry=False)
    elapsed = time.perf_counter() - started
    producer.close()
    return elapsed


def drain_seconds(redis_url: str, queue: str, total: int, timeout: float = 300.0) -> float:
    """Seconds from the first task taken off ``queue`` until it and the unacked set are empty."""
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    first = None
    while time.monotonic() < deadline:
        waiting = client.llen(queue)
        now = time.perf_counter()
        if first is None and waiting < total:
            first = now
        if first is not None and waiting == 0 and client.hlen("unacked") == 0:
            return now - first
        time.sleep(WATCH_SECONDS)
    raise TimeoutError(f"{queue} still had {client.llen(queue)} tasks after {timeout}s")


def celery_noop(ctx: Context) -> Iterator[Measurement]:
    total = ctx.scale(6000)
    seconds = publish_tasks(ctx.redis_url, noop_app.TASK, noop_app.QUEUE, [[]] * total)
    yield Measurement(
        CELERY_PUBLISH,
        "Celery send_task by name (no worker), one producer",
        {"tasks_per_s": total / seconds, "tasks": total},
        headline="tasks_per_s",
        commands=[f"send_task('{noop_app.TASK}') x {total} on the private Redis db"],
    )
    _, command = celery_worker(ctx, "bench.noop_app", noop_app.QUEUE, {"REDIS_URL": ctx.redis_url})
    drained = drain_seconds(ctx.redis_url, noop_app.QUEUE, total)
    yield Measurement(
        CELERY,
        f"bare Celery no-op task drain, one worker node x{NOTIFICATIONS_CONCURRENCY} processes",
        {"tasks_per_s": total / drained, "tasks": total},
        headline="tasks_per_s",
        commands=[command],
        notes=[f"{total} tasks queued first, then drained; timed from the first take to empty"],
    )


def sample_email(number: int) -> EmailMessage:
    """About the size and shape of a notification: text and HTML alternatives, Setu headers."""
    message = EmailMessage()
    message["From"] = "Setu Partnership Office <no-reply@setu.local>"
    message["To"] = "secretariat@setu.local"
    message["Subject"] = f"[Setu] Programme JIP-2026-{number:04d} was submitted"
    message["X-Setu-Event-Id"] = f"bench-{number}"
    text = "A programme was submitted for review.\n" * 20
    message.set_content(text)
    message.add_alternative(f"<html><body><p>{text}</p></body></html>", subtype="html")
    return message


def smtplib_loop(ctx: Context) -> Iterator[Measurement]:
    sink = start_sink(ctx, "smtp-sink-ceiling")
    total = ctx.scale(3000)
    messages = [sample_email(n) for n in range(total)]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
        for message in messages:
            client.send_message(message)
    sink.wait_for(total, timeout=120)
    elapsed = time.perf_counter() - started
    yield Measurement(
        SMTP,
        "bare smtplib loop over one connection to aiosmtpd",
        {"messages_per_s": total / elapsed, "messages": total},
        headline="messages_per_s",
        commands=[sink.command, f"smtplib.SMTP(...).send_message(m) for {total} messages"],
    )
