"""`setu up`'s supervisor: every process runs until Ctrl-C, and one that exits is restarted.

Honcho's manager stops every process as soon as one exits: a worker that died when Redis
went away took the gateway and the APIs down with it. This manager, built on honcho's
(its processes, output and colours), starts a process that exits again instead, after a
delay that doubles with each exit in a row (1 s, 2 s, ... up to 30 s) and starts from 1 s
again once the process has run for a minute. Ctrl-C (SIGINT) or SIGTERM still stops
everything, as honcho does: SIGTERM to each process, SIGKILL to those still there after
honcho's KILL_WAIT.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import time
from dataclasses import dataclass
from typing import Any

from honcho.compat import ProcessManager
from honcho.manager import KILL_WAIT, SIGNALS, Manager


class SignalTheProcess(ProcessManager):
    """Stops each process as `docker stop` does: SIGTERM to the process, not its group.

    Honcho signals the whole group, and a Celery worker's pool processes die of SIGTERM
    mid-task: the task goes back on the queue and the email it was sending waits for the
    sweeper. Signalled alone, the worker finishes its tasks first (warm shutdown), and a
    gunicorn master stops its own workers. Every group that outlives KILL_WAIT (5 s) is
    still killed."""

    def terminate(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)


@dataclass(frozen=True)
class RestartPolicy:
    """How long to wait before starting again a process that exited (seconds)."""

    first_delay: float = 1.0
    longest_delay: float = 30.0
    # A process that ran this long before it exited was not failing in a loop.
    steady_after: float = 60.0

    def delay(self, exits_in_a_row: int) -> float:
        return min(self.first_delay * 2 ** max(exits_in_a_row - 1, 0), self.longest_delay)


class Supervisor(Manager):
    """Honcho's manager with restarts (``loop`` replaces honcho's)."""

    def __init__(self, policy: RestartPolicy | None = None, printer: Any = None):
        super().__init__(printer)
        self._procmgr = SignalTheProcess()  # honcho has no public hook for it
        self.policy = policy or RestartPolicy()
        self._restarts: dict[str, float] = {}  # name -> when to start it again
        self._exits: dict[str, int] = {}  # name -> exits in a row
        self._started_at: dict[str, float] = {}
        self._stopping_since: float | None = None

    def loop(self) -> None:
        """Run every process until SIGINT or SIGTERM, restarting any that exits."""

        def _terminate(signum: int, _frame: Any) -> None:
            self._system_print(f"{SIGNALS[signum]['name']} received\n")
            self.returncode = SIGNALS[signum]["rc"]
            self.terminate()

        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, _terminate)
        self._start()
        while True:
            try:
                message = self.events.get(timeout=0.1)
            except queue.Empty:
                if self._terminating and self._all_gone():
                    return
            else:
                self._handle(message)
            self._restart_due()
            self._kill_stragglers()

    def terminate(self) -> None:
        if not self._terminating:
            self._stopping_since = time.monotonic()
            self._restarts.clear()  # nothing waiting to start again will
        super().terminate()

    def _handle(self, message: Any) -> None:
        if message.type == "line":
            self._printer.write(message)
        elif message.type == "start":
            self._started(message.name, message.data["pid"])
        elif message.type == "stop":
            self._stopped(message.name, message.data["returncode"])

    def _started(self, name: str, pid: int) -> None:
        self._processes[name]["pid"] = pid
        self._started_at[name] = time.monotonic()
        self._system_print(f"{name} started (pid={pid})\n")
        if self._terminating:  # started again just as everything stops
            self._procmgr.terminate(pid)

    def _stopped(self, name: str, returncode: int) -> None:
        self._processes[name]["returncode"] = returncode
        self._system_print(f"{name} stopped (rc={returncode})\n")
        if self._terminating:
            return
        ran = time.monotonic() - self._started_at.get(name, time.monotonic())
        exits = 1 if ran >= self.policy.steady_after else self._exits.get(name, 0) + 1
        self._exits[name] = exits
        delay = self.policy.delay(exits)
        self._restarts[name] = time.monotonic() + delay
        self._system_print(f"{name} exited (rc={returncode}); restarting in {delay:g} s\n")

    def _restart_due(self) -> None:
        now = time.monotonic()
        for name, when in list(self._restarts.items()):
            if when <= now:
                del self._restarts[name]
                self._start_one(name)

    def _start_one(self, name: str) -> None:
        record = self._processes[name]
        record["process"].join(1)  # honcho's runner of the last one: it has reported its exit
        for key in ("pid", "returncode"):
            record.pop(key, None)
        record["process"] = multiprocessing.Process(
            name=name, target=record["obj"].run, args=(self.events, True)
        )
        record["process"].start()

    def _all_gone(self) -> bool:
        """Every process has exited (honcho's runner of each has returned, after it sent
        its last message, which the loop has read when the queue is found empty)."""
        return not any(p["process"].is_alive() for p in self._processes.values())

    def _killall(self, force: bool = False) -> None:
        """Signal every process still running (one that has no pid yet is signalled as soon
        as it reports one)."""
        for name, record in self._processes.items():
            if "returncode" in record or "pid" not in record:
                continue
            signame = "SIGKILL" if force else "SIGTERM"
            self._system_print(f"sending {signame} to {name} (pid {record['pid']})\n")
            if force:
                self._procmgr.kill(record["pid"])
            else:
                self._procmgr.terminate(record["pid"])

    def _kill_stragglers(self) -> None:
        if self._stopping_since is None:
            return
        if time.monotonic() - self._stopping_since > KILL_WAIT:
            self.kill()
            self._stopping_since = None  # killed once; the loop waits for them to go
