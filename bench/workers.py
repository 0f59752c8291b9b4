"""Start the services' real processes for a benchmark: Celery workers, relays, APIs."""

from __future__ import annotations

from collections.abc import Mapping

from bench.context import Context, show_command, venv
from setu.topology import worker_concurrency
from tests.support.processes import Process

# The notifications worker node's pool processes as the topology starts it: the pipeline, the
# latency and the soak run it so, and the no-op ceiling runs the same shape of node.
NOTIFICATIONS_CONCURRENCY = worker_concurrency({}, "notifications")
# Email throughput is measured "with two worker processes" (issue 8), whatever the default.
EMAIL_CONCURRENCY = "2"


def celery_worker(
    ctx: Context,
    app: str,
    queue: str,
    env: Mapping[str, str],
    concurrency: str = NOTIFICATIONS_CONCURRENCY,
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
        concurrency,
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    process = ctx.start(f"{queue}-worker", argv, env, ready="ready.")
    shown = {k: v for k, v in env.items() if k.endswith("_URL") or k.startswith("SMTP_")}
    return process, show_command(argv, shown)
