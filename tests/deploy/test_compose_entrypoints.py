"""What docker-compose.yml starts really loads, with the environment compose gives it.

Each check runs in a fresh interpreter with exactly the service's compose environment (the
databases swapped for SQLite files, since nothing connects): every gunicorn app loads the
way gunicorn loads it, every Celery app reads REDIS_URL, each worker registers the tasks
sent to its queue (events from the relays, periodic tasks from beat).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from setu_contract.messaging import HANDLE_EVENT_TASK
from tests.deploy.compose_model import environment, load
from tests.deploy.tools import ROOT

SERVICES = load()["services"]

LOAD_WSGI = """
import sys
from gunicorn.util import import_app
app = import_app(sys.argv[1])
assert callable(app), app
"""

DESCRIBE_CELERY = """
import importlib, json, sys
app = importlib.import_module(sys.argv[1]).app
app.loader.import_default_modules()
app.finalize(auto=True)
print(json.dumps({
    "broker_url": app.conf.broker_url,
    "default_queue": app.conf.task_default_queue,
    "tasks": sorted(app.tasks),
    "schedule": [[e["task"], e.get("options", {}).get("queue")]
                 for e in (app.conf.beat_schedule or {}).values()],
}))
"""


def run_in(service: str, code: str, arg: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = environment(SERVICES[service])
    for name in [n for n in env if n.endswith("_DATABASE_URL")]:
        env[name] = f"sqlite:///{tmp_path / name.lower()}.db"
    env.update(SETU_DATA_DIR=str(tmp_path), PATH=os.environ["PATH"], HOME=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-c", code, arg],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def services_running(program: str) -> list[str]:
    return sorted(n for n, s in SERVICES.items() if (s.get("command") or [""])[0] == program)


def celery_app_of(service: str) -> str:
    command = SERVICES[service]["command"]
    return command[command.index("--app") + 1]


def describe(service: str, tmp_path: Path) -> dict:
    result = run_in(service, DESCRIBE_CELERY, celery_app_of(service), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def worker_for(queue: str) -> str:
    for name in services_running("celery"):
        command = SERVICES[name]["command"]
        if "worker" in command and command[command.index("--queues") + 1] == queue:
            return name
    raise AssertionError(f"no compose worker listens to {queue}")


@pytest.mark.parametrize("service", services_running("gunicorn"))
def test_each_gunicorn_app_loads_with_its_compose_environment(service: str, tmp_path: Path):
    target = SERVICES[service]["command"][-1]
    result = run_in(service, LOAD_WSGI, target, tmp_path)
    assert result.returncode == 0, f"{service}: {target}\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("service", services_running("celery"))
def test_each_celery_app_uses_the_compose_broker(service: str, tmp_path: Path):
    described = describe(service, tmp_path)
    assert described["broker_url"] == environment(SERVICES[service])["REDIS_URL"]


@pytest.mark.parametrize("queue", sorted(HANDLE_EVENT_TASK))
def test_the_worker_of_each_queue_handles_the_events_relayed_to_it(queue: str, tmp_path: Path):
    described = describe(worker_for(queue), tmp_path)
    assert described["default_queue"] == queue
    assert HANDLE_EVENT_TASK[queue] in described["tasks"]


def test_every_periodic_task_of_beat_is_registered_by_the_worker_of_its_queue(tmp_path: Path):
    schedule = describe("beat", tmp_path)["schedule"]
    assert schedule, "beat schedules nothing"
    for task, queue in schedule:
        assert queue, f"{task} is scheduled without a queue"
        assert task in describe(worker_for(queue), tmp_path)["tasks"], (task, queue)


def test_the_setu_commands_compose_runs_exist():
    setu = str(Path(sys.executable).parent / "setu")
    for service in ("migrate", "programmes-relay", "reports-relay", "mailcatcher"):
        command = SERVICES[service]["command"]
        assert command[0] == "setu", service
        argv = [setu, *command[1:], "--help"]
        result = subprocess.run(
            argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, f"{service}: {argv}\n{result.stderr[-2000:]}"
