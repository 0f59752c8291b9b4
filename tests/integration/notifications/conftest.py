"""A migrated notifications database, a real worker process and a producer on real Redis.

A test file's tests of ``notifications_worker`` share one worker, database and SMTP server
per kind of database (``SharedNode``), each test starting on them as new; a test of a worker
of its own (``start_notifications_worker``) gets a new database and SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from sqlalchemy import Engine

from notifications.store.db import make_engine
from setu_contract.messaging import (
    HANDLE_EVENT_TASK,
    NOTIFICATIONS_QUEUE,
    celery_settings,
    event_task_reprs,
)
from tests.support.identity import SECRETS
from tests.support.infra import forget_queued_tasks
from tests.support.processes import Process, WorkerOutput, celery_worker
from tests.support.shared_worker import SharedNode, SharedWorker, node_fixtures
from tests.support.smtp import SmtpServer


@pytest.fixture
def schema() -> str:
    """Every database_url here starts with the notifications schema at head."""
    return "notifications"


@pytest.fixture
def smtp_server(node_of_test: NotificationsNode | None) -> Iterator[SmtpServer]:
    """A new SMTP server; for a test of the shared worker, the worker's own, as new."""
    if node_of_test is not None:
        yield node_of_test.fresh_smtp()
        return
    with SmtpServer() as server:
        yield server


@pytest.fixture
def notifications_db(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def worker_env(database_url: str, redis_url: str, smtp_server: SmtpServer) -> dict[str, str]:
    return {
        "NOTIFICATIONS_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_TIMEOUT": "3",
        "SECRETARIAT_EMAIL": "secretariat@setu.test",
        "SETU_PUBLIC_URL": "https://setu.test",
        **SECRETS,
    }


WorkerStarter = Callable[..., Process]


class NotificationsNode(SharedNode):
    """The shared worker of a test file's tests of ``notifications_worker`` on one kind of
    database, with its database and SMTP server (``smtp_server`` empties its mailbox). After
    a test that failed, the worker and the SMTP server are replaced: either may be stuck in
    what the test did."""

    def __init__(self, kind: str, directory: Path, redis_url: str) -> None:
        worker = SharedWorker("notifications.worker", NOTIFICATIONS_QUEUE, directory)
        super().__init__(worker, kind, "notifications", redis_url, make_engine)
        self.smtp = SmtpServer().start()
        self.stack.callback(lambda: self.smtp.stop())

    def fresh_smtp(self) -> SmtpServer:
        self.smtp.handler.reset()
        return self.smtp

    def replace(self) -> None:
        """A new worker, and a new SMTP server (on a new port)."""
        super().replace()
        self.smtp.stop()
        self.smtp = SmtpServer().start()


database_kind, database_url, shared_node, node_of_test, _only_for_its_tests = node_fixtures(
    NotificationsNode, "notifications_worker"
)


@pytest.fixture
def notifications_worker(
    request: pytest.FixtureRequest, shared_node: NotificationsNode, worker_env: dict[str, str]
) -> Iterator[WorkerOutput]:
    """The file's shared worker on this test's (emptied) database and SMTP server; its
    output is this test's alone."""
    yield from shared_node.serve(worker_env, request)


@pytest.fixture
def start_notifications_worker(
    notifications_db: Engine, worker_env: dict[str, str], tmp_path: Path
) -> Iterator[WorkerStarter]:
    """Start a worker on this test's database, ``worker_env`` overridden by keyword; each is
    stopped after the test. The queue is emptied first and last: tasks an earlier test left
    belong to another database and mailbox."""
    started: list[Process] = []
    forget_queued_tasks(worker_env["REDIS_URL"])

    def start(**env: str) -> Process:
        process = celery_worker(
            "notifications.worker", NOTIFICATIONS_QUEUE, {**worker_env, **env}, tmp_path
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            process.stop()
        forget_queued_tasks(worker_env["REDIS_URL"])


@pytest.fixture
def producer(redis_url: str) -> Iterator[Celery]:
    """A Celery client of the broker that knows no task of the service: it sends by name."""
    app = Celery("test-producer")
    app.conf.update(celery_settings(redis_url))
    yield app
    app.close()


@pytest.fixture
def publish(producer: Celery) -> Callable[[dict[str, Any]], None]:
    """Send an envelope the way the outbox relay does: by task name, onto the queue."""

    def send(envelope: dict[str, Any]) -> None:
        producer.send_task(
            HANDLE_EVENT_TASK[NOTIFICATIONS_QUEUE],
            args=[envelope],
            queue=NOTIFICATIONS_QUEUE,
            task_id=envelope["id"],
            **event_task_reprs(envelope),
        )

    return send
