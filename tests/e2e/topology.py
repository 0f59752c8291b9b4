"""The whole system started with `setu up`, as separate processes, for an end-to-end test."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import requests
from honcho.manager import KILL_WAIT
from sqlalchemy import Row, create_engine, text

from tests.support.infra import forget_queued_tasks, free_port, wait_until
from tests.support.processes import VENV_BIN, Process

STARTED = re.compile(r"\| (\S+) started \(pid=(\d+)\)")


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class RunningSetu:
    base_url: str
    env: dict[str, str]
    process: Process

    def stop(self) -> None:
        """Ctrl-C, as a person would: honcho stops every process it started, and no process
        of theirs is left behind (each was started in a process group of its own)."""
        try:
            if self.process.popen.poll() is None:
                os.killpg(self.process.popen.pid, signal.SIGINT)
                try:
                    self.process.popen.wait(30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    raise
        finally:
            groups = STARTED.findall(self.process.output())
            # A group's last processes may still be exiting when honcho returns (a Celery
            # worker's pool processes, stopped by their parent as it exits): the groups get
            # as long as honcho gives a process after SIGTERM, and what is still there after
            # that was left behind.
            with suppress(AssertionError):
                wait_until(
                    lambda: not any(_group_alive(int(pid)) for _, pid in groups),
                    timeout=KILL_WAIT,
                    message="the process groups setu up started to empty",
                )
            left = {}
            for name, pid in groups:
                with suppress(ProcessLookupError):
                    os.killpg(int(pid), signal.SIGKILL)
                    left[name] = pid
        assert not left, f"still running after setu up stopped: {left}"

    def database_url(self, database: str) -> str:
        """Where one service's database is (``programmes``, ``notifications`` or ``reports``):
        the URL this system was given, else its SQLite file under the data directory."""
        given = self.env.get(f"{database.upper()}_DATABASE_URL")
        return given or f"sqlite:///{self.env['SETU_DATA_DIR']}/{database}.db"

    def rows(self, database: str, query: str) -> list[Row]:
        """The rows ``query`` reads from one service's database."""
        engine = create_engine(self.database_url(database))
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(query)))
        finally:
            engine.dispose()

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

    def scrape(self, port_variable: str) -> str:
        """What the process on the port ``port_variable`` names answers at ``/metrics``."""
        answer = requests.get(f"http://127.0.0.1:{self.env[port_variable]}/metrics", timeout=5)
        assert answer.status_code == 200
        return answer.text

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
        for name in (
            "GATEWAY_PORT",
            "GATEWAY_METRICS_PORT",
            "PROGRAMMES_PORT",
            "NOTIFICATIONS_PORT",
            "REPORTS_PORT",
            "CONSOLE_PORT",
        )
    }
    env = {
        **ports,
        "SETU_DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SECRETARIAT_EMAIL": "secretariat@setu.test",
        "NOTIFICATIONS_WORKER_CONCURRENCY": "1",
        "REPORTS_WORKER_CONCURRENCY": "1",
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
    # Tasks an earlier test left in this Redis belong to other databases and mailboxes.
    # (Not emptied after: a test may look at what its own system left there.)
    forget_queued_tasks(redis_url)
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
        try:
            system.stop()
        finally:
            process.stop()


@dataclass(frozen=True)
class PartnerOrganisations:
    """A JP and an IN organisation, with a partner key of each."""

    key: str  # the JP organisation's, which proposes
    jp: str
    india: str
    india_key: str


def setup_partners(system: RunningSetu) -> PartnerOrganisations:
    """A JP and an IN organisation and a partner key of each."""
    secretariat = system.bootstrap_key("JP")
    ids, keys = [], []
    for country in ("JP", "IN"):
        answer = system.api(
            "POST",
            "/v1/organisations",
            secretariat,
            json={
                "name": f"{country} lab {uuid.uuid4().hex[:6]}",
                "country": country,
                "kind": "research_institute",
                "contact_email": f"lab@{country.lower()}.example.org",
            },
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
        key = system.api(
            "POST",
            f"/v1/organisations/{ids[-1]}/api-keys",
            secretariat,
            json={"name": "writer", "role": "partner"},
        )
        assert key.status_code == 201, key.text
        keys.append(key.json()["key"])
    return PartnerOrganisations(keys[0], ids[0], ids[1], keys[1])


def request_report(system: RunningSetu, key: str, body: dict) -> requests.Response:
    """POST /v1/reports, once the reports service knows the recipients: it learns an
    organisation's contact address from the organisation's event, a moment after the
    organisation is made (until then it answers 422)."""

    def accepted() -> requests.Response | None:
        answer = system.api("POST", "/v1/reports", key, json=body)
        if answer.status_code == 422 and "recipients" in answer.json().get("errors", {}):
            return None
        return answer

    return wait_until(accepted, timeout=30, interval=0.2, message="the recipients known")


def confirm_participation(system: RunningSetu, key: str, programme_id: str) -> requests.Response:
    """The organisation of ``key``, named in the programme by another, confirms its part."""
    answer = system.api(
        "POST",
        f"/v1/programmes/{programme_id}/participation",
        key,
        json={"decision": "confirm"},
    )
    assert answer.status_code == 200, answer.text
    return answer


def propose_and_submit(system: RunningSetu, partners: PartnerOrganisations, n: int) -> float:
    """Create one programme, have the IN partner confirm it and submit it; the slowest of
    the three answers, in seconds."""
    started = time.monotonic()
    created = system.api(
        "POST",
        "/v1/programmes",
        partners.key,
        json={
            "title": f"Fault-tolerant AI inference {n}",
            "focus_area": "ai_research",
            "partners": [
                {"organisation_id": partners.jp, "role": "lead"},
                {"organisation_id": partners.india, "role": "lead"},
            ],
            "start_date": "2027-01-01",
            "end_date": "2028-01-01",
            "budget": [{"organisation_id": partners.jp, "currency": "JPY", "amount": "1000000"}],
            "exchange_slots": 2,
        },
    )
    slowest = time.monotonic() - started
    assert created.status_code == 201, created.text
    started = time.monotonic()
    confirm_participation(system, partners.india_key, created.json()["id"])
    slowest = max(slowest, time.monotonic() - started)
    started = time.monotonic()
    submitted = system.api(
        "POST",
        f"/v1/programmes/{created.json()['id']}/transitions",
        partners.key,
        json={"action": "submit"},
    )
    assert submitted.status_code == 200, submitted.text
    return max(slowest, time.monotonic() - started)


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus exposition."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {name}{labels} in:\n{text[:3000]}")
