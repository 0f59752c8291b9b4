"""Start the services' real processes for a benchmark: Celery workers, relays, APIs."""

from __future__ import annotations

from collections.abc import Mapping

from bench.context import Context, show_command, venv
from tests.support.processes import Process

WORKER_CONCURRENCY = "2"  # the topology's default (cli/setu/topology.py)


def celery_worker(
    ctx: Context, app: str, queue: str, env: Mapping[str, str], concurrency: str = ""
) -> tuple[Process, str]:
    """A worker as the topology starts it (prefork, INFO logs); returns it and its command."""
    argv = [
        venv("celery"),
        "--app",
        app,
        "worker",
        "--queues",
        queue,
        "--hostname",
        f"{queue}-bench@%h",
        "--pool",
        "prefork",
        "--concurrency",
        concurrency or WORKER_CONCURRENCY,
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    process = ctx.start(f"{queue}-worker", argv, env, ready="ready.")
    shown = {k: v for k, v in env.items() if k.endswith("_URL") or k.startswith("SMTP_")}
    return process, show_command(argv, shown)
