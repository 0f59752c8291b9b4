"""The reports service on a real database (SQLite and PostgreSQL), real Redis, a real worker.

A test file's tests of ``reports_worker`` share one worker, database and data directory per
kind of database (``tests/support/shared_worker.py``), each test starting on them as new."""

from __future__ import annotations

import shutil
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
from reports.store.db import make_engine
from reports.worker import HANDLE_EVENT
from setu_contract.messaging import REPORTS_QUEUE
from tests.support.identity import CONFIG_SECRETS, SECRETS, signing_client
from tests.support.infra import forget_queued_tasks
from tests.support.processes import WorkerOutput
from tests.support.shared_worker import SharedNode, SharedWorker, node_fixtures


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


class ReportsNode(SharedNode):
    """The shared worker of a test file's tests of ``reports_worker`` on one kind of
    database, with its database (its default schedules kept) and data directory."""

    def __init__(self, kind: str, directory: Path, redis_url: str) -> None:
        worker = SharedWorker(
            "reports.worker", REPORTS_QUEUE, directory, concurrency=2, name="reports-worker"
        )
        super().__init__(worker, kind, "reports", redis_url, make_engine)
        self.data_dir = directory / "data"

    def fresh_database(self) -> str:
        """The database as migrated, an empty queue and data directory; its URL."""
        shutil.rmtree(self.data_dir, ignore_errors=True)
        return super().fresh_database()


database_kind, database_url, shared_node, node_of_test, _only_for_its_tests = node_fixtures(
    ReportsNode, "reports_worker"
)


@pytest.fixture
def data_dir(node_of_test: ReportsNode | None, tmp_path: Path) -> Path:
    """Where the service keeps its files; for a test of the shared worker, the worker's."""
    return tmp_path / "data" if node_of_test is None else node_of_test.data_dir


@pytest.fixture
def reports_service(
    node_of_test: ReportsNode | None, database_url: str, redis_url: str, data_dir: Path
) -> Iterator[ReportsService]:
    if node_of_test is None:  # the shared node's database_url emptied it
        forget_queued_tasks(redis_url)
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
def reports_worker(
    request: pytest.FixtureRequest, shared_node: ReportsNode, reports_service: ReportsService
) -> Iterator[WorkerOutput]:
    """The file's shared worker on this test's database; its output is this test's alone.
    After a test that failed it is stopped: it may be stuck in what the test did."""
    yield from shared_node.serve(reports_service.env, request)


@pytest.fixture
def reports_client(reports_service: ReportsService):
    return signing_client(create_app(reports_service.config))
