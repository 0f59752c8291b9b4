"""The API processes' gunicorn settings: what each worker does once the app is loaded."""

from __future__ import annotations

import gc
import importlib
from types import SimpleNamespace

import pytest

import setu_contract.observability
from tests.support.processes import gunicorn_workers_ready


@pytest.fixture
def conf(monkeypatch, tmp_path):
    # Importing the settings picks a metrics directory when none is set: give it one.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    return importlib.import_module("setu.gunicorn_conf")


def test_a_worker_logs_as_its_service_and_freezes_its_start_up_heap(conf, monkeypatch):
    named: list[str] = []
    monkeypatch.setattr(
        setu_contract.observability, "configure_logging", lambda name, level: named.append(name)
    )
    logged: list[str] = []
    worker = SimpleNamespace(
        app=SimpleNamespace(app_uri="programmes.app:create_app()"),
        pid=4242,
        cfg=SimpleNamespace(workers=2),
        log=SimpleNamespace(info=lambda message, *args: logged.append(message % args)),
    )
    gc.unfreeze()
    try:
        conf.post_worker_init(worker)
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert named == ["programmes"]
    assert frozen > 10_000  # the modules, classes and app objects built so far
    assert logged == ["Worker ready (pid: 4242; workers: 2)"]


def test_a_server_is_ready_when_each_of_its_workers_says_so():
    one = "[INFO] Worker ready (pid: 11; workers: 2)\n"
    two = "[INFO] Worker ready (pid: 12; workers: 2)\n"
    assert not gunicorn_workers_ready("[INFO] Booting worker with pid: 11\n")
    assert not gunicorn_workers_ready(one)
    assert gunicorn_workers_ready(one + two)


def test_no_server_opens_gunicorns_shared_control_socket(conf):
    # Every gunicorn of `setu up` would otherwise bind one gunicorn.ctl and log the fight.
    assert conf.control_socket_disable is True
