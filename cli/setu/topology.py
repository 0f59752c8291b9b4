"""The processes that make up Setu, in one list.

`setu up` runs exactly these (through honcho); docker-compose.yml runs the same commands,
one compose service each, and a test checks that the two agree.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from setu_contract.messaging import NOTIFICATIONS_QUEUE, REPORTS_QUEUE

DEFAULT_PORTS = {
    "GATEWAY_PORT": 8000,
    "PROGRAMMES_PORT": 8001,
    "NOTIFICATIONS_PORT": 8002,
    "REPORTS_PORT": 8003,
}


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: tuple[str, ...]

    @property
    def command(self) -> str:
        return shlex.join(self.argv)


def port(settings: Mapping[str, str], variable: str) -> int:
    return int(settings.get(variable) or DEFAULT_PORTS[variable])


def processes(settings: Mapping[str, str]) -> tuple[ProcessSpec, ...]:
    """Every long-running process, with its command, for these settings (the environment)."""
    host = settings.get("BIND_HOST") or "127.0.0.1"
    concurrency = settings.get("WORKER_CONCURRENCY") or "2"

    def api(name: str, app: str, variable: str) -> ProcessSpec:
        bind = f"{host}:{port(settings, variable)}"
        return ProcessSpec(
            name, ("gunicorn", "--config", "python:setu.gunicorn_conf", "--bind", bind, app)
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
                concurrency,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ),
        )

    return (
        api("gateway", "setu.gateway:create_app()", "GATEWAY_PORT"),
        api("programmes-api", "programmes.app:create_app()", "PROGRAMMES_PORT"),
        api("notifications-api", "notifications.app:create_app()", "NOTIFICATIONS_PORT"),
        api("reports-api", "reports.app:create_app()", "REPORTS_PORT"),
        ProcessSpec("programmes-relay", ("setu", "programmes", "relay")),
        ProcessSpec("reports-relay", ("setu", "reports", "relay")),
        worker("notifications", NOTIFICATIONS_QUEUE),
        worker("reports", REPORTS_QUEUE),
        ProcessSpec("beat", ("celery", "--app", "setu.beat", "beat", "--loglevel", "INFO")),
    )
