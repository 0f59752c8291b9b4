"""The whole system started with `setu up`, as separate processes, for an end-to-end test."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.infra import free_port, wait_until
from tests.support.processes import VENV_BIN, Process


@dataclass
class RunningSetu:
    base_url: str
    env: dict[str, str]
    process: Process

    def setu(self, *args: str) -> str:
        """Run a `setu` command against this system; its standard output."""
        done = subprocess.run(
            [str(VENV_BIN / "setu"), *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def bootstrap_key(self, side: str = "JP") -> str:
        return self.setu("bootstrap", "--side", side).strip().splitlines()[-1]

    def api(self, method: str, path: str, key: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return requests.request(method, self.base_url + path, headers=headers, timeout=15, **kwargs)


@contextmanager
def running_setu(
    data_dir: Path, redis_url: str, smtp_port: int, **extra_env: str
) -> Iterator[RunningSetu]:
    ports = {
        name: str(free_port())
        for name in ("GATEWAY_PORT", "PROGRAMMES_PORT", "NOTIFICATIONS_PORT", "REPORTS_PORT")
    }
    env = {
        **ports,
        "SETU_DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SECRETARIAT_EMAIL": "secretariat@setu.test",
        "WORKER_CONCURRENCY": "1",
        "WEB_CONCURRENCY": "1",
        **extra_env,
    }
    for variable in (
        "PROGRAMMES_DATABASE_URL",
        "NOTIFICATIONS_DATABASE_URL",
        "REPORTS_DATABASE_URL",
    ):
        os.environ.pop(variable, None)
    data_dir.mkdir(parents=True, exist_ok=True)
    process = Process("setu-up", [str(VENV_BIN / "setu"), "up"], env, data_dir)
    base_url = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
    system = RunningSetu(base_url, env, process)
    try:

        def ready() -> bool:
            if process.popen.poll() is not None:
                raise AssertionError(f"setu up exited:\n{process.output()[-4000:]}")
            return requests.get(base_url + "/readyz", timeout=2).status_code == 200

        wait_until(ready, timeout=90, interval=0.25, message="the gateway's /readyz")
        yield system
    finally:
        # Ctrl-C, as a person would: honcho stops every process it started.
        if process.popen.poll() is None:
            os.killpg(process.popen.pid, signal.SIGINT)
            try:
                process.popen.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
        process.stop()
