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


class ReclaimsDueCollector(Collector):
    """The erasures of ``service`` whose freed space is still to be reclaimed (its
    ``reclaims_due`` table, setu_contract.reclaims): how many, and the age of the oldest,
    read at scrape time. A reclaim due for long means that something keeps a transaction
    open across the erasure, and the erased values are still in the database's pages."""

    def __init__(self, engine: Any, table: Any, service: str):
        from setu_contract.database import reading

        self.engine = reading(engine)
        self.table = table
        self.service = service

    def collect(self) -> Iterable[Any]:
        from setu_contract.deliveries import now_utc
        from setu_contract.reclaims import due as reclaims_due

        due = GaugeMetricFamily(
            "setu_reclaims_due",
            "Erasures whose freed space is still to be reclaimed",
            labels=["service"],
        )
        oldest = GaugeMetricFamily(
            "setu_reclaims_due_oldest_age_seconds",
            "Seconds since the oldest erasure whose freed space is still to be reclaimed "
            "(0 when none)",
            labels=["service"],
        )
        try:
            found = reclaims_due(self.engine, self.table)
        except Exception as exc:  # a scrape must not fail because the database is busy
            log.warning("reclaims due unavailable: %r", exc)
            return
        due.add_metric([self.service], found.erasures)
        age = (now_utc() - found.oldest).total_seconds() if found.oldest else 0
        oldest.add_metric([self.service], age)
        yield due
        yield oldest


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


def metrics_port_variable(process: str) -> str:
    """The variable holding a worker's or relay's metrics port: ``reports-worker`` ->
    ``REPORTS_WORKER_METRICS_PORT``."""
    return process.upper().replace("-", "_") + "_METRICS_PORT"


def metrics_port(process: str, environ: Any = None) -> int | None:
    value = (os.environ if environ is None else environ).get(metrics_port_variable(process))
    return int(value) if value else None


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
