"""A Celery worker process and a database that a test file's tests share, each test starting
on them as on new ones.

A worker costs about 2 s of CPU and 4 s of waiting to start and stop; a test of it, about
half a second. A test file's tests of one worker share it, on one kind of database: before
each test its queue is emptied (what an earlier test left belongs to that test) and its
database put back to its rows as migrated (``MigratedRows``); the test sees the worker's
output from its start on (``WorkerOutput``). The worker starts again when a test asks for
other settings, and stops for a test that runs without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine

from tests.support.infra import forget_queued_tasks
from tests.support.processes import Process, WorkerOutput, celery_worker
from tests.support.templates import MigratedRows, migrated_database


class SharedWorker:
    """One worker process of ``app`` on ``queue``, kept from test to test."""

    RUNNING: ClassVar[list[SharedWorker]] = []

    def __init__(
        self, app: str, queue: str, directory: Path, concurrency: int = 1, name: str | None = None
    ) -> None:
        self.app, self.queue, self.directory = app, queue, directory
        self.concurrency, self.name = concurrency, name
        self.process: Process | None = None
        self.env: dict[str, str] = {}
        self.started = 0

    def run_with(self, env: dict[str, str]) -> WorkerOutput:
        """The worker running with ``env`` (started, or started again with it); its output
        from here on."""
        if self.process is not None and env != self.env:
            self.pause()
        if self.process is None:
            self.started += 1
            log_dir = self.directory / f"worker-{self.started}"
            log_dir.mkdir()
            self.process = celery_worker(
                self.app, self.queue, env, log_dir, self.concurrency, self.name
            )
            self.env = env
            SharedWorker.RUNNING.append(self)
        return WorkerOutput(self.process)

    def pause(self) -> None:
        """Stop the worker; the next test that asks for it starts it again."""
        if self.process is not None:
            self.process.stop()
            self.process = None
            SharedWorker.RUNNING.remove(self)

    @classmethod
    def pause_all(cls) -> None:
        """Before a test without a shared worker: its own worker, or none, takes the queue."""
        for worker in list(cls.RUNNING):
            worker.pause()


class SharedNode:
    """A shared worker with its database, a copy of ``schema``'s migrated template; each
    service's conftest adds what else its worker uses (an SMTP server, a data directory)."""

    def __init__(
        self,
        worker: SharedWorker,
        kind: str,
        schema: str,
        redis_url: str,
        make_engine: Callable[[str], Engine],
    ) -> None:
        self.worker, self.redis_url = worker, redis_url
        self.stack = ExitStack()
        self.database_url = self.stack.enter_context(
            migrated_database(kind, schema, worker.directory)
        )
        engine = make_engine(self.database_url)
        self.stack.callback(engine.dispose)
        self.migrated = MigratedRows(engine)

    def serve(self, env: dict[str, str], request: pytest.FixtureRequest) -> Iterator[WorkerOutput]:
        """The worker running with ``env`` for one test (the body of a worker fixture); after
        a test that failed, what it may have left stuck is replaced."""
        failed = request.session.testsfailed
        yield self.worker.run_with(env)
        if request.session.testsfailed != failed:
            self.replace()

    def replace(self) -> None:
        """Stop the worker: the next test starts a new one."""
        self.worker.pause()

    def fresh_database(self) -> str:
        """The database as migrated, and an empty queue; its URL."""
        forget_queued_tasks(self.redis_url, keep_bindings=True)
        self.migrated.restore()
        return self.database_url

    def close(self) -> None:
        self.worker.pause()
        self.stack.close()
        forget_queued_tasks(self.redis_url)

    def __enter__(self) -> SharedNode:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def node_fixtures(make: Callable[[str, Path, str], SharedNode], shared: str) -> tuple[Any, ...]:
    """A conftest's fixtures for tests that use the fixture ``shared`` to share a worker:
    ``database_kind`` (a file's tests on SQLite, then on PostgreSQL), ``database_url`` (for
    those tests the node's database as migrated; for any other a new copy of the template),
    ``shared_node`` (module scope, made by ``make``), ``node_of_test`` (the shared node for
    those tests, None for any other: what a conftest's other fixtures ask) and an autouse
    fixture that runs every other test without the shared worker (its own worker, or none,
    takes the queue)."""

    @pytest.fixture(scope="module", params=["sqlite", "postgresql"], name="database_kind")
    def kind(request: pytest.FixtureRequest) -> str:
        return request.param

    @pytest.fixture(name="node_of_test")
    def node_of_test(request: pytest.FixtureRequest) -> SharedNode | None:
        if shared not in request.fixturenames:
            return None
        node: SharedNode = request.getfixturevalue("shared_node")
        return node

    @pytest.fixture(name="database_url")
    def url(
        node_of_test: SharedNode | None, database_kind: str, tmp_path: Path, schema: str
    ) -> Iterator[str]:
        if node_of_test is not None:
            yield node_of_test.fresh_database()
            return
        with migrated_database(database_kind, schema, tmp_path) as copy:
            yield copy

    @pytest.fixture(scope="module", name="shared_node")
    def node(
        database_kind: str, tmp_path_factory: pytest.TempPathFactory, redis_url: str
    ) -> Iterator[SharedNode]:
        with make(database_kind, tmp_path_factory.mktemp("node"), redis_url) as made:
            yield made

    @pytest.fixture(autouse=True, name="_shared_worker_only_for_its_tests")
    def only_for_its_tests(node_of_test: SharedNode | None) -> None:
        if node_of_test is None:
            SharedWorker.pause_all()

    return kind, url, node, node_of_test, only_for_its_tests
