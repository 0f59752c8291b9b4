"""A migrated notifications database, a real worker process and a producer on real Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery
from sqlalchemy import Engine

from notifications.store.db import make_engine
from notifications.store.migrate import upgrade
from setu_contract.messaging import HANDLE_EVENT_TASK, NOTIFICATIONS_QUEUE, celery_settings
from tests.support.processes import Process, celery_worker
from tests.support.smtp import SmtpServer


@pytest.fixture
def notifications_db(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
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
    }


def _forget_queued_tasks(redis_url: str) -> None:
    """Drop what an earlier test's worker left on the queue (retries with a countdown are
    put back when a worker stops): it belongs to another test's database and mailbox."""
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        for key in client.scan_iter():
            if key.startswith((NOTIFICATIONS_QUEUE.encode(), b"unacked")):
                client.delete(key)
    finally:
        client.close()


@pytest.fixture
def notifications_worker(
    notifications_db: Engine, worker_env: dict[str, str], tmp_path: Path
) -> Iterator[Process]:
    _forget_queued_tasks(worker_env["REDIS_URL"])
    process = celery_worker("notifications.worker", NOTIFICATIONS_QUEUE, worker_env, tmp_path)
    try:
        yield process
    finally:
        process.stop()
        _forget_queued_tasks(worker_env["REDIS_URL"])


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
        )

    return send
