"""Prometheus metrics, named and labelled the same way in every service.

HTTP requests are counted and timed by ``observability.HttpInstrumentation``. The work of the
workers is measured from the durable records it leaves (the outbox, delivery and job tables)
and from the queues in Redis, read when Prometheus scrapes ``/metrics``: those figures stay
true across restarts and however many worker processes run.

Under gunicorn several worker processes answer ``/metrics``; ``setu.gunicorn_conf`` sets
``PROMETHEUS_MULTIPROC_DIR`` so that every process's counts are added up.
"""

from __future__ import annotations

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

_ID_SEGMENT = re.compile(r"/(?:[0-9a-fA-F-]{32,36}|\d+|[A-Za-z0-9_-]{40,})(?=/|$)")


def route_label(path: str) -> str:
    """The path with ids replaced, so that labels stay few: /v1/programmes/{id}/history."""
    return _ID_SEGMENT.sub("/{id}", path)


def observe_request(service: str, method: str, path: str, status: int, seconds: float) -> None:
    route = route_label(path)
    HTTP_REQUESTS.labels(service, method, route, str(status)).inc()
    HTTP_LATENCY.labels(service, method, route).observe(seconds)


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
        self.engine = engine
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


def exposition(collectors: Sequence[Collector] = ()) -> bytes:
    """The text Prometheus scrapes: request metrics of every process, then ``collectors``."""
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY)
    extra = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        extra.register(collector)
    return output + generate_latest(extra)
