"""The processes that make up Setu, in one list.

`setu up` runs exactly these (through honcho); docker-compose.yml runs the same commands,
one compose service each, and a test checks that the two agree.

Every process but beat serves Prometheus ``/metrics``: an API on its own port; the gateway,
a worker node or a relay on the port in its own variable (``GATEWAY_METRICS_PORT``,
``REPORTS_WORKER_METRICS_PORT`` ...), only when that is set: the gateway's public port never
serves it. docker-compose.yml sets them; deploy/prometheus.yml scrapes ``metrics_port`` of
each process.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from setu_contract.messaging import NOTIFICATIONS_QUEUE, REPORTS_QUEUE
from setu_contract.metrics import metrics_port_variable

DEFAULT_PORTS = {
    "GATEWAY_PORT": 8000,
    "PROGRAMMES_PORT": 8001,
    "NOTIFICATIONS_PORT": 8002,
    "REPORTS_PORT": 8003,
    "CONSOLE_PORT": 8004,
}


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: tuple[str, ...]
    # The variable naming the port this process serves /metrics on (None: it serves none).
    metrics_variable: str | None = None

    @property
    def command(self) -> str:
        return shlex.join(self.argv)

    def metrics_port(self, settings: Mapping[str, str]) -> int | None:
        """Where this process answers ``GET /metrics`` with these settings (None: nowhere)."""
        if self.metrics_variable in DEFAULT_PORTS:
            return port(settings, self.metrics_variable)
        value = settings.get(self.metrics_variable or "")
        return int(value) if value else None


def port(settings: Mapping[str, str], variable: str) -> int:
    return int(settings.get(variable) or DEFAULT_PORTS[variable])


GATEWAY_APP = "setu.gateway:create_app()"

# Each worker node's pool size: the variable that sets it, and its default.
WORKER_CONCURRENCY = {
    "notifications": ("NOTIFICATIONS_WORKER_CONCURRENCY", "4"),
    "reports": ("REPORTS_WORKER_CONCURRENCY", "2"),
}


def worker_concurrency(settings: Mapping[str, str], service: str) -> str:
    """How many pool processes the worker node of ``service`` runs (WORKER_CONCURRENCY).

    A notifications task mostly waits: on PostgreSQL for the one statement that records an
    event, on the SMTP server. With two processes on a 2-core host, each spent about half its
    time waiting for its next task and a third waiting on its statement, and the CPUs were a
    third idle during a drain; four took about 10% more events a second, and six or eight no
    more than four (docs/performance.md). A reports task may compute a report over
    a million applications, so that worker runs two at a time.
    """
    variable, default = WORKER_CONCURRENCY[service]
    return settings.get(variable) or default


def processes(settings: Mapping[str, str]) -> tuple[ProcessSpec, ...]:
    """Every long-running process, with its command, for these settings (the environment)."""
    host = settings.get("BIND_HOST") or "127.0.0.1"

    def api(name: str, app: str, variable: str) -> ProcessSpec:
        bind = f"{host}:{port(settings, variable)}"
        return ProcessSpec(
            name,
            ("gunicorn", "--config", "python:setu.gunicorn_conf", "--bind", bind, app),
            variable,
        )

    def gateway() -> ProcessSpec:
        # One server, two listeners: the app answers /metrics on the second only.
        binds = ["--bind", f"{host}:{port(settings, 'GATEWAY_PORT')}"]
        metrics = settings.get(metrics_port_variable("gateway"))
        if metrics:
            binds += ["--bind", f"{host}:{int(metrics)}"]
        return ProcessSpec(
            "gateway",
            ("gunicorn", "--config", "python:setu.gunicorn_conf", *binds, GATEWAY_APP),
            metrics_port_variable("gateway"),
        )

    def worker(service: str, queue: str) -> ProcessSpec:
        return ProcessSpec(
            f"{service}-worker",
            (
                "celery",
                "--app",
                f"{service}.worker",
                "worker",
                "--queues",
                queue,
                "--hostname",
                f"{service}@%h",
                "--concurrency",
                worker_concurrency(settings, service),
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ),
            metrics_port_variable(f"{service}-worker"),
        )

    def relay(service: str) -> ProcessSpec:
        name = f"{service}-relay"
        return ProcessSpec(name, ("setu", service, "relay"), metrics_port_variable(name))

    return (
        gateway(),
        api("programmes-api", "programmes.app:create_app()", "PROGRAMMES_PORT"),
        api("notifications-api", "notifications.app:create_app()", "NOTIFICATIONS_PORT"),
        api("reports-api", "reports.app:create_app()", "REPORTS_PORT"),
        api("console", "console.app:create_app()", "CONSOLE_PORT"),
        relay("programmes"),
        relay("reports"),
        worker("notifications", NOTIFICATIONS_QUEUE),
        worker("reports", REPORTS_QUEUE),
        ProcessSpec("beat", ("celery", "--app", "setu.beat", "beat", "--loglevel", "INFO")),
    )
