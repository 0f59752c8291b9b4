"""The metrics of Celery workers and outbox relays.

A Celery worker node and an outbox relay serve /metrics over HTTP themselves, on the port
in their own variable (``NOTIFICATIONS_WORKER_METRICS_PORT``, ``PROGRAMMES_RELAY_METRICS_PORT``
...; unset: no server) and the BIND_HOST the APIs use. A worker node's pool children count
into files of a directory of the node's own (multiprocess mode), which the node's main
process adds up when it is scraped.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess

from setu_contract.metrics import MULTIPROCESS_DIRECTORY, metrics_port, serve_metrics

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


def count_email(template: str, status: str) -> None:
    EMAILS.labels(template, status).inc()


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
        values.ValueClass = values.MultiProcessValue()


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
        multiprocess.MultiProcessCollector(registry, path=self.directory)
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
            multiprocess.mark_process_dead(pid, self.directory)

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
            published = relay_batch()
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


def serve_relay(relay: Any, service: str, name: str = "relay", poll_interval: float = 0.05):
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
