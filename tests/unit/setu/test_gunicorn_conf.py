"""The API processes' gunicorn settings: what each worker does once the app is loaded."""

from __future__ import annotations

import gc
import importlib
from types import SimpleNamespace

import pytest

import setu_contract.observability


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
    worker = SimpleNamespace(app=SimpleNamespace(app_uri="programmes.app:create_app()"))
    gc.unfreeze()
    try:
        conf.post_worker_init(worker)
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert named == ["programmes"]
    assert frozen > 10_000  # the modules, classes and app objects built so far
