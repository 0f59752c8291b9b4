"""What every benchmark group shares: a private Redis db, a log directory, child processes."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.support.infra import free_port
from tests.support.processes import Process, gunicorn_workers_ready

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# How often a benchmark looks whether a drain is done (a queue empty, rows or emails all
# there). Each look takes CPU from the processes it watches, on the same two cores: a
# count(*) of 5,000 rows every 10 ms was 0.2 ms of CPU an event, 6% of the pipeline's.
# 25 ms moves a drain's end by at most 25 ms of the several seconds it lasts.
WATCH_SECONDS = 0.025


def venv(tool: str) -> str:
    return str(VENV_BIN / tool)


def show_command(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """A shell line that repeats ``argv`` with the environment variables that matter."""
    prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
    line = shlex.join([os.path.relpath(a, ROOT) if a.startswith(str(ROOT)) else a for a in argv])
    return f"{prefix} {line}".strip()


@dataclass
class Context:
    redis_url: str
    logs: Path
    stack: ExitStack
    soak: bool = False
    quick: bool = False
    processes: list[Process] = field(default_factory=list)
    gunicorn_commands: dict[str, str] = field(default_factory=dict)
    gunicorn_pids: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> int:
        """How long each load-generator run lasts."""
        return 3 if self.quick else 10

    def scale(self, count: int) -> int:
        return max(count // 10, 50) if self.quick else count

    def reset_redis(self) -> None:
        """Empty the private Redis db between groups (keeping the ownership key)."""
        client = redis.Redis.from_url(self.redis_url)
        for key in client.scan_iter(count=1000):
            if key != b"setu-test-owner":
                client.delete(key)
        client.close()

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        ready: str | None = None,
        timeout: float = 60.0,
    ) -> Process:
        """A child process, stopped at the end of the group; waits for ``ready`` if given."""
        merged = {"REDIS_URL": self.redis_url, "LOG_LEVEL": "WARNING", **(env or {})}
        process = Process(name, list(argv), merged, self.logs)
        self.processes.append(process)
        self.stack.callback(process.stop)
        if ready:
            process.wait_for_output(ready, timeout)
        return process

    def gunicorn(self, name: str, app: str, env: Mapping[str, str] | None = None) -> str:
        """The app under gunicorn with the production settings; returns its base URL."""
        port = free_port()
        argv = [
            venv("gunicorn"),
            "--config",
            "python:setu.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            app,
        ]
        process = self.start(name, argv, {"LOG_LEVEL": "INFO", **(env or {})})
        # Every worker, not the first: connections that wrk opens while one worker is still
        # importing the app all go to the other, and stay there (keep-alive). The master
        # listens before it starts them, so a loaded worker is one that answers.
        process.wait_for(gunicorn_workers_ready, "load the app in every worker", timeout=60)
        self.gunicorn_commands[name] = show_command(argv)
        self.gunicorn_pids[name] = process.popen.pid
        return f"http://127.0.0.1:{port}"


def on_workers(ctx: Context, name: str, run: Callable[[], dict[str, float]]) -> dict[str, float]:
    """Run a load against gunicorn ``name`` and say how its workers shared the CPU.

    gunicorn's workers all accept on one socket, and a keep-alive connection stays with the
    worker that accepted it. With the stock gthread worker, when wrk opened its connections at
    once, one worker could take them all while the other idled; setu's worker
    (setu/gunicorn_worker.py) leaves them to a worker with a free thread.
    ``busiest_worker_share`` (the busiest worker's part of the workers' CPU: 0.5 is an even
    split between two) shows how the load was shared.
    """
    master = ctx.gunicorn_pids[name]
    before = children_cpu(master)
    figures = run()
    after = children_cpu(master)
    used = [after[pid] - before.get(pid, 0.0) for pid in after]
    if sum(used) <= 0:
        return figures
    share = max(used) / sum(used)
    headline, *rest = figures.items()
    return {headline[0]: headline[1], "busiest_worker_share": round(share, 2), **dict(rest)}


def children_cpu(parent: int) -> dict[int, float]:
    """CPU seconds (user + system) of each child process of ``parent``, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found
