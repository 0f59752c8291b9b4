"""Fixtures shared by every test (real databases, a private Redis database, an SMTP server),
and how pytest-xdist hands test files to its processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadFileScheduling
from xdist.workermanage import WorkerController

from tests.support.infra import (
    DROPPER,
    RedisServer,
    private_redis_db,
)
from tests.support.smtp import SmtpServer
from tests.support.templates import COPIES, migrated_database

# Folders whose files share one package-scoped system: their files go to one test process
# together (split across processes, each process would start a system of its own).
ONE_UNIT = ("tests/security/local/",)


# Folders whose files each start the whole system and run for minutes, much of it waiting on
# it: their files are handed out first. xdist hands out the files with the most tests first,
# which leaves these (one to four tests each) for last: one of them then runs alone for the
# last minute or two, its waits no longer covered by any other test's work.
LONG_FIRST = ("tests/contract_fuzz/", "tests/e2e/", "tests/security/local/")


class FileOrSharedFolderScheduling(LoadFileScheduling):
    """pytest-xdist's ``--dist loadfile``, but a folder of ``ONE_UNIT`` is one unit of work,
    and the units of ``LONG_FIRST`` are handed out before the others."""

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        self._long_first = False

    def _split_scope(self, nodeid: str) -> str:
        return next((f for f in ONE_UNIT if nodeid.startswith(f)), super()._split_scope(nodeid))

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not self._long_first:
            # The queue is complete when the first unit is handed out. The sort is stable:
            # each group keeps xdist's order.
            units = sorted(
                self.workqueue.items(), key=lambda unit: not unit[0].startswith(LONG_FIRST)
            )
            self.workqueue.clear()
            self.workqueue.update(units)
            self._long_first = True
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadFileScheduling | None:
    if config.getvalue("dist") != "loadfile":
        return None
    return FileOrSharedFolderScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _test_databases_dropped() -> Iterator[None]:
    """Every PostgreSQL database the session made is gone when it ends."""
    yield
    COPIES.drop_all()
    DROPPER.wait()


@pytest.fixture
def schema() -> str | None:
    """The service whose schema at head ``database_url`` starts with; None: an empty one.
    A service's tests say theirs in their conftest; its migrations' tests say None."""
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, schema: str | None
) -> Iterator[str]:
    """A new database of each kind in turn (integration tests run on both), copied from a
    template migrated once per session when ``schema`` names a service."""
    with migrated_database(request.param, schema, tmp_path) as url:
        yield url


@pytest.fixture
def postgres_url(schema: str | None, tmp_path: Path) -> Iterator[str]:
    """A new PostgreSQL database, with ``schema``'s tables as ``database_url`` has them."""
    with migrated_database("postgresql", schema, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with private_redis_db() as url:
        yield url


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may stop, freeze and restart."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        if server.process and server.process.poll() is None:
            server.thaw()
        server.stop()
