"""Event to email: from the API's answer to the email's arrival, at a steady 50 events/s.

The real processes run: the programmes API under gunicorn, ``setu programmes relay``, a
notifications worker (as the topology starts it) and a timestamping aiosmtpd. An open-loop
driver submits one draft programme every 20 ms (``POST /v1/programmes/{id}/transitions``
``{"action": "submit"}``) and notes when each answer came back; the sink notes when each
email arrived and its ``X-Setu-Event-Id``; the programmes outbox maps event ids to
programmes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg

from bench.context import Context, show_command, venv
from bench.harness import FAILED, Measurement, Target
from bench.mail import notifications_env
from bench.programmes_setup import Client, clone_programme, start_programmes
from bench.seed import plain_url
from bench.sink import Sink, start_sink
from bench.workers import celery_worker
from setu_contract.messaging import NOTIFICATIONS_QUEUE
from tests.support.infra import postgres_database

RATE = 50.0
SECONDS = 60
DRIVER_THREADS = 16


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Driver:
    """Fires one submit every 1/rate seconds from a thread pool; records answer times."""

    def __init__(self, base: str, key: str):
        self.base, self.key = base, key
        self.local = threading.local()
        self.answered: dict[str, float] = {}
        self.failures: list[str] = []
        self.late = 0

    def _client(self) -> Client:
        if not hasattr(self.local, "client"):
            self.local.client = Client(self.base, self.key)
        return self.local.client

    def submit(self, programme_id: str) -> None:
        path = f"/v1/programmes/{programme_id}/transitions"
        try:
            status, data, _ = self._client().call("POST", path, {"action": "submit"})
        except Exception as exc:  # counted as a failure, never hidden
            self.failures.append(f"{type(exc).__name__}: {exc}")
            return
        if status == 200:
            self.answered[programme_id] = time.time()
        else:
            self.failures.append(f"{status}: {data}")

    def run(self, ids: list[str], rate: float) -> float:
        with ThreadPoolExecutor(DRIVER_THREADS) as pool:
            started = time.perf_counter()
            for number, programme_id in enumerate(ids):
                due = started + number / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                elif wait < -0.05:
                    self.late += 1
                pool.submit(self.submit, programme_id)
        return time.perf_counter() - started


def event_ids(database_url: str, ids: list[str]) -> dict[str, str]:
    """event id -> programme id, for the status_changed events of these programmes."""
    with psycopg.connect(plain_url(database_url)) as conn:
        rows = conn.execute(
            "SELECT event_id, aggregate_id FROM outbox "
            "WHERE type = 'programme.status_changed' AND aggregate_id = ANY(%s)",
            (ids,),
        ).fetchall()
    return dict(rows)


def run(ctx: Context) -> Iterator[Measurement]:
    from notifications.store.migrate import upgrade

    sink = start_sink(ctx, "smtp-sink-latency")
    notifications_url = ctx.stack.enter_context(postgres_database())
    upgrade(notifications_url)
    env = notifications_env(ctx, notifications_url, sink.port)
    _, worker_command = celery_worker(ctx, "notifications.worker", NOTIFICATIONS_QUEUE, env)
    api = start_programmes(ctx)
    relay_argv = [venv("setu"), "programmes", "relay"]
    ctx.start("programmes-relay", relay_argv, api.env, ready="relay started")
    template = api.confirmed_draft()
    seconds = 10 if ctx.quick else SECONDS
    ids = clone_programme(api.database_url, template, int(RATE * seconds))
    driver = Driver(api.base, api.partner_key)
    elapsed = driver.run(ids, RATE)
    expected = len(driver.answered)
    sink.wait_for(expected, timeout=120)
    result = measure(driver, sink, api.database_url, elapsed)
    result.commands.extend(
        [
            ctx.gunicorn_commands["programmes-api"],
            show_command(relay_argv, {"PROGRAMMES_DATABASE_URL": api.database_url}),
            worker_command,
            sink.command,
            f"{len(ids)} submits at {RATE:g}/s from {DRIVER_THREADS} threads (open loop)",
        ]
    )
    yield result


def measure(driver: Driver, sink: Sink, database_url: str, elapsed: float) -> Measurement:
    by_event = event_ids(database_url, list(driver.answered))
    latencies, unmatched = [], 0
    for arrival in sink.arrivals():
        programme_id = by_event.get(arrival["event_id"])
        if programme_id is None or programme_id not in driver.answered:
            unmatched += 1
            continue
        latencies.append((arrival["t"] - driver.answered[programme_id]) * 1000)
    figures = {
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "events": len(latencies),
        "events_per_s": len(driver.answered) / elapsed,
        "api_failures": len(driver.failures),
        "unmatched_emails": unmatched,
        "late_sends": driver.late,
    }
    m = Measurement(
        "latency.event_to_email",
        f"event -> email at {RATE:g} events/s: API answer to arrival at the SMTP server",
        figures,
        headline="p50_ms",
        targets=[Target("p50_ms", "<=", 150.0), Target("p99_ms", "<=", 1000.0)],
        notes=["clock: time.time() on one machine for both the answer and the arrival"],
    )
    if driver.failures:
        m.status, m.reason = FAILED, f"{len(driver.failures)} submits failed: {driver.failures[0]}"
    elif figures["events_per_s"] < 0.9 * RATE:
        m.status = FAILED
        m.reason = (
            f"the API answered only {figures['events_per_s']:.0f} submits/s: the steady "
            f"{RATE:g}/s was not reached, so the latencies include the driver's own queue"
        )
    return m
