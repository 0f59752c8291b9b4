"""The reports service on a real database (SQLite and PostgreSQL), real Redis, a real worker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from reports.app import create_app
from reports.config import Config
from reports.publishing import settings
from reports.runtime import build_runtime
from reports.worker import HANDLE_EVENT
from setu_contract.messaging import REPORTS_QUEUE
from tests.support.identity import CONFIG_SECRETS, SECRETS, signing_client
from tests.support.infra import forget_queued_tasks
from tests.support.processes import Process, celery_worker


@dataclass
class ReportsService:
    config: Config
    env: dict[str, str]
    sessions: sessionmaker[Session]
    broker: Celery

    def send_event(self, envelope: dict) -> None:
        self.broker.send_task(HANDLE_EVENT, args=[envelope], queue=REPORTS_QUEUE)

    def send(self, task: str, *args: object) -> None:
        self.broker.send_task(task, args=list(args), queue=REPORTS_QUEUE)


@pytest.fixture
def schema() -> str:
    """Every database_url here starts with the reports schema at head."""
    return "reports"


@pytest.fixture
def reports_service(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[ReportsService]:
    forget_queued_tasks(redis_url)
    data_dir = tmp_path / "data"
    config = Config(
        database_url=database_url,
        redis_url=redis_url,
        data_dir=data_dir,
        **CONFIG_SECRETS,
    )
    env = {
        "REPORTS_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SETU_DATA_DIR": str(data_dir),
        "SETU_PUBLIC_URL": config.public_url,
        **SECRETS,
    }
    runtime = build_runtime(config)
    broker = Celery("reports-test", set_as_current=False)
    broker.conf.update(settings(redis_url))
    try:
        yield ReportsService(config, env, runtime.sessions, broker)
    finally:
        runtime.engine.dispose()


@pytest.fixture
def reports_worker(reports_service: ReportsService, tmp_path: Path) -> Iterator[Process]:
    worker = celery_worker(
        "reports.worker",
        REPORTS_QUEUE,
        reports_service.env,
        tmp_path,
        concurrency=2,
        name="reports-worker",
    )
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def reports_client(reports_service: ReportsService):
    return signing_client(create_app(reports_service.config))
