"""Prometheus metrics, named and labelled the same way in every service.

HTTP requests are counted and timed by ``observability.HttpInstrumentation``. The work of the
workers is measured from the durable records it leaves (the outbox, delivery and job tables)
and from the queues in Redis, read when Prometheus scrapes ``/metrics``: those figures stay
true across restarts and however many worker processes run.

Under gunicorn several worker processes answer ``/metrics``; ``setu.gunicorn_conf`` sets
``PROMETHEUS_MULTIPROC_DIR`` so that every process's counts are added up.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Set by setu.gunicorn_conf for its own workers; internal plumbing, not configuration.
MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "setu_http_requests_total",
    "HTTP requests answered, by service, method, route and status",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "setu_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

_RULE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
UNMATCHED = "unmatched"


def route_label(environ: dict[str, Any], route_of: Any = None) -> str:
    """The route a request matched, never its raw path, so that labels stay few whatever
    paths clients send: what ``route_of(environ)`` says (see ``url_rules``), else
    ``unmatched``."""
    return (route_of(environ) if route_of is not None else None) or UNMATCHED


ROUTE_KEY = "setu.route"  # where url_rules leaves the matched route in the WSGI environ


@functools.cache  # an app has a fixed, small set of rules: each converted once
def _route_template(rule: str) -> str:
    """``/v1/programmes/<programme_id>`` as ``/v1/programmes/{programme_id}``."""
    return _RULE_VARIABLE.sub(r"{\1}", rule)


def url_rules(flask_app: Any) -> Any:
    """``route_of`` for a Flask app: the URL rule the request matched, as
    ``/v1/programmes/{programme_id}/history`` (None when it matched none). Flask has
    matched the URL by the time it sends ``request_started``; the rule is noted in the
    environ then, so the instrumentation need not match the URL a second time."""
    from flask import request, request_started

    def note_rule(_sender: Any, **_: Any) -> None:
        rule = request.url_rule
        if rule is not None:
            request.environ[ROUTE_KEY] = _route_template(rule.rule)

    request_started.connect(note_rule, flask_app, weak=False)
    return lambda request_env: request_env.get(ROUTE_KEY)


# (service, method, route, status) -> the two metrics' children for it. ``labels()`` looks a
# child up under a lock from its label values each time (8 µs of a kept read's 270 µs
# in-process for the two, docs/performance.md); the children live as long as their
# metric, so each is looked up once. Bounded, as a client chooses the method it sends.
_REQUEST_CHILDREN: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}
_MAX_REQUEST_CHILDREN = 1024


def observe_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    key = (service, method, route, status)
    children = _REQUEST_CHILDREN.get(key)
    if children is None:
        children = (
            HTTP_REQUESTS.labels(service, method, route, str(status)),
            HTTP_LATENCY.labels(service, method, route),
        )
        if len(_REQUEST_CHILDREN) < _MAX_REQUEST_CHILDREN:
            _REQUEST_CHILDREN[key] = children
    counted, timed = children
    counted.inc()
    timed.observe(seconds)


class QueueDepthCollector(Collector):
    """Tasks waiting in each Celery queue (a Redis list), read at scrape time."""

    def __init__(self, redis_url: str, queues: Sequence[str]):
        self.redis_url = redis_url
        self.queues = tuple(queues)

    def collect(self) -> Iterable[Any]:
        import redis

        gauge = GaugeMetricFamily("setu_queue_depth", "Tasks waiting in a queue", labels=["queue"])
        client = redis.Redis.from_url(self.redis_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            for queue in self.queues:
                gauge.add_metric([queue], client.llen(queue))
        except redis.RedisError as exc:
            log.warning("queue depth unavailable: %r", exc)
            return
        finally:
            client.close()
        yield gauge


class StatusCountCollector(Collector):
    """Rows of a table by status, as a counter: e.g. emails sent and failed, events relayed."""

    def __init__(self, engine: Any, query: Any, name: str, documentation: str, label: str):
        from setu_contract.database import reading

        self.engine = reading(engine)
        self.query = query  # a SQLAlchemy select of (label value, count)
        self.name = name
        self.documentation = documentation
        self.label = label

    def collect(self) -> Iterable[Any]:
        family = CounterMetricFamily(self.name, self.documentation, labels=[self.label])
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(self.query).all()
        except Exception as exc:  # a scrape must not fail because the database is busy
            log.warning("%s unavailable: %r", self.name, exc)
            return
        for value, count in rows:
            family.add_metric([str(value)], count)
        yield family


def outbox_collector(engine: Any, table: Any) -> StatusCountCollector:
    """``setu_outbox_events_total{state="published"|"pending"}`` from the outbox table."""
    from sqlalchemy import case, func, select

    state = case((table.c.published_at.is_(None), "pending"), else_="published")
    query = select(state, func.count()).group_by(state)
    return StatusCountCollector(
        engine, query, "setu_outbox_events", "Events in the outbox, by state", "state"
    )


class DeliveriesCollector(Collector):
    """Per consumer, the producer's events it has not confirmed (how many, and the age of
    the oldest) and those it dead-lettered, from the producer's deliveries table
    (setu_contract.deliveries), read at scrape time."""

    def __init__(self, engine: Any, ledger: Any, producer: str):
        from setu_contract.database import reading

        self.engine = reading(engine)
        self.ledger = ledger  # a deliveries.DeliveryLedger
        self.producer = producer

    def collect(self) -> Iterable[Any]:
        from setu_contract.deliveries import now_utc
        from setu_contract.messaging import consumers_of

        labels = ["producer", "consumer"]
        unconfirmed = GaugeMetricFamily(
            "setu_events_unconfirmed",
            "Events published to a consumer that it has not confirmed yet",
            labels=labels,
        )
        oldest = GaugeMetricFamily(
            "setu_events_unconfirmed_oldest_age_seconds",
            "Seconds since the oldest event a consumer has not confirmed was first published "
            "(0 when none)",
            labels=labels,
        )
        dead = GaugeMetricFamily(
            "setu_events_dead_lettered",
            "Events a consumer gave up on (its dead letters), as its producer knows them",
            labels=labels,
        )
        try:
            with self.engine.connect() as conn:
                backlogs = self.ledger.backlog(conn, consumers_of(self.producer))
        except Exception as exc:  # a scrape must not fail because the database is busy
            log.warning("unconfirmed events unavailable: %r", exc)
            return
        now = now_utc()
        for backlog in backlogs:
            key = [self.producer, backlog.consumer]
            unconfirmed.add_metric(key, backlog.unconfirmed)
            oldest.add_metric(key, backlog.oldest_age(now))
            dead.add_metric(key, backlog.dead_lettered)
        yield from (unconfirmed, oldest, dead)


def exposition(collectors: Sequence[Collector] = ()) -> bytes:
    """The text Prometheus scrapes: request metrics of every process, then ``collectors``."""
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client.multiprocess is untyped
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY)
    extra = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        extra.register(collector)
    return output + generate_latest(extra)


# --- Workers and relays ---------------------------------------------------------------
#
# A Celery worker node and an outbox relay serve /metrics over HTTP themselves, on the port
# in their own variable (``NOTIFICATIONS_WORKER_METRICS_PORT``, ``PROGRAMMES_RELAY_METRICS_PORT``
# ...; unset: no server) and the BIND_HOST the APIs use. A worker node's pool children count
# into files of a directory of the node's own (multiprocess mode), which the node's main
# process adds up when it is scraped.

WORKER_TASKS = Counter(
    "setu_worker_tasks_total",
    "Celery tasks by service, task and outcome: received, succeeded, failed, retried",
    ["service", "task", "outcome"],
)
WORKER_TASK_DURATION = Histogram(
    "setu_worker_task_duration_seconds",
    "Time a worker spent running a task, whatever its outcome",
    ["service", "task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
WORKER_TASK_RESULTS = Counter(
    "setu_worker_task_results_total",
    "What tasks that return a word did, by that word: e.g. an event applied or duplicate, "
    "a report succeeded or failed",
    ["service", "task", "result"],
)
EMAILS = Counter(
    "setu_emails_total",
    "Emails the notifications worker tried to send, by template and status "
    "(sent, retrying, failed, skipped)",
    ["template", "status"],
)
EVENTS_RELAYED = Counter(
    "setu_relay_events_total", "Events an outbox relay published to the broker", ["service"]
)
RELAY_FAILURES = Counter(
    "setu_relay_publish_failures_total",
    "Relay passes that stopped because the broker or the database refused",
    ["service"],
)
EVENTS_REDELIVERED = Counter(
    "setu_relay_redelivered_total",
    "Events a relay published again to a consumer that had not confirmed them in time",
    ["service", "consumer"],
)
CONFIRMATIONS = Counter(
    "setu_relay_confirmations_total",
    "Consumers' confirmations a relay recorded, by consumer and outcome (applied, dead_lettered)",
    ["service", "consumer", "outcome"],
)
RELAY_BATCH_DURATION = Histogram(
    "setu_relay_batch_duration_seconds",
    "Time of one relay pass (read a batch, publish it, mark it published)",
    ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

# Task return values short enough to be a label; anything else is not counted by result.
_RESULT_WORD = re.compile(r"[a-z][a-z_]{0,31}")


def metrics_port_variable(process: str) -> str:
    """The variable holding a worker's or relay's metrics port: ``reports-worker`` ->
    ``REPORTS_WORKER_METRICS_PORT``."""
    return process.upper().replace("-", "_") + "_METRICS_PORT"


def metrics_port(process: str, environ: Any = None) -> int | None:
    value = (os.environ if environ is None else environ).get(metrics_port_variable(process))
    return int(value) if value else None


def count_email(template: str, status: str) -> None:
    EMAILS.labels(template, status).inc()


def serve_metrics(port: int, registry: CollectorRegistry = REGISTRY) -> Any:
    """An HTTP server answering ``/metrics`` from ``registry``, in a daemon thread, on
    BIND_HOST (default 127.0.0.1) and ``port``; ``shutdown()`` stops it. None when the port
    cannot be had: the process goes on with its work, and says so in its log."""
    from prometheus_client import start_http_server

    host = os.environ.get("BIND_HOST") or "127.0.0.1"
    try:
        server, _thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        log.error("no metrics served: %s:%d unavailable: %r", host, port, exc)
        return None
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server


def _enable_multiprocess(directory: str) -> None:
    """Count into files under ``directory`` from now on, in this process and its children.

    prometheus_client chooses its value class when it is imported, from
    PROMETHEUS_MULTIPROC_DIR; a worker's app module imports it long before the worker starts
    (and other processes import that module too: they must not count into the worker's
    files). So the worker sets the variable at start and the value class with it; the
    metrics above are all labelled, and a labelled metric makes its values when first used,
    in the pool children, with this class."""
    from prometheus_client import values

    os.environ[MULTIPROCESS_DIRECTORY] = directory
    if not getattr(values.ValueClass, "_multiprocess", False):
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]


class WorkerMetrics:
    """The metrics of one Celery worker node: installed by ``install_worker_metrics``, on
    once the node starts with its metrics port set."""

    def __init__(self, celery_app: Any, service: str):
        self.celery_app = celery_app
        self.service = service
        self.process = f"{service}-worker"
        self.on = False
        self.directory: str | None = None
        self.server: Any = None
        self.started: dict[str, float] = {}  # task id -> perf_counter, in the pool child

    def start(self, sender: Any = None, **_: Any) -> None:
        """worker_init, in the node's main process before the pool starts."""
        import tempfile

        port = metrics_port(self.process)
        if port is None or getattr(sender, "app", None) is not self.celery_app:
            return
        # A fresh directory for this node: no counts of an earlier run are added in.
        self.directory = tempfile.mkdtemp(prefix=f"setu-metrics-{self.process}-")
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.directory)  # type: ignore[no-untyped-call]
        self.server = serve_metrics(port, registry)
        if self.server is None:
            os.rmdir(self.directory)
            return
        _enable_multiprocess(self.directory)
        self.on = True

    def stop(self, **_: Any) -> None:
        """worker_shutdown: the server closed and the node's files removed."""
        import shutil

        if not self.on:
            return
        self.on = False
        self.server.shutdown()
        shutil.rmtree(self.directory or "", ignore_errors=True)

    def child_gone(self, pid: int | None = None, **_: Any) -> None:
        """worker_process_shutdown: a pool child's live gauges no longer count."""
        if self.on and pid:
            multiprocess.mark_process_dead(pid, self.directory)  # type: ignore[no-untyped-call]

    def count(self, task: str, outcome: str) -> None:
        WORKER_TASKS.labels(self.service, task, outcome).inc()

    def received(self, request: Any = None, **_: Any) -> None:
        if self.on:
            self.count(str(getattr(request, "name", None) or "unknown"), "received")

    def prerun(self, task_id: str | None = None, **_: Any) -> None:
        if self.on and task_id:
            self.started[task_id] = time.perf_counter()

    def postrun(self, task_id: str | None = None, task: Any = None, **kw: Any) -> None:
        if not self.on:
            return
        name = _task_name(task)
        started = self.started.pop(task_id or "", None)
        if started is not None:
            WORKER_TASK_DURATION.labels(self.service, name).observe(time.perf_counter() - started)
        if kw.get("state") != "SUCCESS":
            return  # failures and retries have signals of their own
        self.count(name, "succeeded")
        retval = kw.get("retval")
        if isinstance(retval, str) and _RESULT_WORD.fullmatch(retval):
            WORKER_TASK_RESULTS.labels(self.service, name, retval).inc()

    def failed(self, sender: Any = None, **_: Any) -> None:
        if self.on:
            self.count(_task_name(sender), "failed")

    def retried(self, sender: Any = None, **_: Any) -> None:
        if self.on:
            self.count(_task_name(sender), "retried")


def _task_name(task: Any) -> str:
    return str(getattr(task, "name", None) or "unknown")


def install_worker_metrics(celery_app: Any, service: str) -> WorkerMetrics:
    """Count and time every task of ``celery_app``'s worker, and serve /metrics from the
    worker node, when ``{SERVICE}_WORKER_METRICS_PORT`` is set (else count nothing)."""
    from celery import signals

    worker = WorkerMetrics(celery_app, service)
    for signal, receiver in (
        (signals.worker_init, worker.start),
        (signals.worker_shutdown, worker.stop),
        (signals.worker_process_shutdown, worker.child_gone),
        (signals.task_received, worker.received),
        (signals.task_prerun, worker.prerun),
        (signals.task_postrun, worker.postrun),
        (signals.task_failure, worker.failed),
        (signals.task_retry, worker.retried),
    ):
        signal.connect(receiver, weak=False)
    return worker


def instrument_relay(relay: Any, service: str) -> Any:
    """Count what ``relay`` (an ``outbox.OutboxRelay``) publishes and fails, and time its
    passes; the same relay, returned."""
    from setu_contract.outbox import PublishFailed

    relay_batch = relay.relay_batch
    for metric in (EVENTS_RELAYED, RELAY_FAILURES):
        metric.labels(service)  # shown as 0 from the start

    def counted_relay_batch() -> int:
        started = time.perf_counter()
        try:
            published: int = relay_batch()
        except PublishFailed as exc:
            EVENTS_RELAYED.labels(service).inc(exc.published)
            RELAY_FAILURES.labels(service).inc()
            raise
        except Exception:
            RELAY_FAILURES.labels(service).inc()
            raise
        finally:
            RELAY_BATCH_DURATION.labels(service).observe(time.perf_counter() - started)
        EVENTS_RELAYED.labels(service).inc(published)
        return published

    relay.relay_batch = counted_relay_batch
    return relay


def serve_relay(relay: Any, service: str, name: str = "relay", poll_interval: float = 0.05) -> None:
    """``outbox.serve`` with metrics: the relay counted, and /metrics served while it runs
    when ``{SERVICE}_RELAY_METRICS_PORT`` is set."""
    from setu_contract.outbox import serve

    port = metrics_port(f"{service}-relay")
    server = serve_metrics(port) if port is not None else None  # None: relay all the same
    try:
        serve(instrument_relay(relay, service), name, poll_interval)
    finally:
        if server is not None:
            server.shutdown()
