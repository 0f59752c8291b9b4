"""Start the project's real processes (Celery workers, APIs, relays) for a test."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tests.support.infra import wait_until

VENV_BIN = Path(sys.executable).parent


class Process:
    """A child process with its output in a log file, stopped at the end of the test."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            list(argv),
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self, since: int = 0) -> str:
        """What the process has written, from byte ``since`` of its log on."""
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 30.0, since: int = 0) -> None:
        self.wait_for(lambda output: text in output, f"print {text!r}", timeout, since)

    def wait_for(
        self, seen: Callable[[str], bool], what: str, timeout: float = 30.0, since: int = 0
    ) -> None:
        """Wait until ``seen`` is true of the output (from byte ``since`` on); fail at once if
        the process exits."""

        def check() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.output()[-3000:]}")
            return seen(self.output(since))

        wait_until(check, timeout, interval=0.1, message=f"{self.name} to {what}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM to the process itself, as `docker stop` and `setu up` send it: a Celery
        worker then finishes and acknowledges its tasks (warm shutdown). SIGTERM to the whole
        group would reach the pool children too, which die mid-task; their tasks go back on
        the queue for the next test's worker. Still running after ``timeout``: the group is
        killed."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._log.close()


class WorkerOutput:
    """A running process seen from now on: ``output`` is what it has written since, so that a
    test of a process that earlier tests used counts only its own lines."""

    def __init__(self, process: Process):
        self.process = process
        self.popen = process.popen
        self.name = process.name
        self.start = process.log_path.stat().st_size

    def output(self) -> str:
        return self.process.output(self.start)

    def wait_for_output(self, text: str, timeout: float = 30.0) -> None:
        self.process.wait_for_output(text, timeout, self.start)

    def wait_for(self, seen: Callable[[str], bool], what: str, timeout: float = 30.0) -> None:
        self.process.wait_for(seen, what, timeout, self.start)


WORKER_READY = re.compile(r"Worker ready \(pid: \d+; workers: (\d+)\)")


def gunicorn_workers_ready(output: str) -> bool:
    """Has every worker of a gunicorn run with setu.gunicorn_conf loaded its app?

    Its post_worker_init prints one line per worker, with the number of workers.
    """
    ready = WORKER_READY.findall(output)
    return bool(ready) and len(ready) >= int(ready[0])


def celery_worker(
    app: str,
    queue: str,
    env: Mapping[str, str],
    log_dir: Path,
    concurrency: int = 1,
    name: str | None = None,
) -> Process:
    """A real ``celery worker`` process pinned to ``queue``; returns once it is ready."""
    label = name or f"{queue}-worker"
    process = Process(
        label,
        [
            str(VENV_BIN / "celery"),
            "-A",
            app,
            "worker",
            "-Q",
            queue,
            "-n",
            f"{label}@%h",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
        log_dir,
    )
    process.wait_for_output("ready.", timeout=60)
    return process
