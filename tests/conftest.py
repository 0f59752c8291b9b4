"""Fixtures shared by every test (real databases, a private Redis database, an SMTP server),
and how pytest-xdist hands test files to its processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadFileScheduling

from tests.support.infra import (
    DROPPER,
    RedisServer,
    private_redis_db,
)
from tests.support.smtp import SmtpServer
from tests.support.templates import migrated_database

# Folders whose files share one package-scoped system: their files go to one test process
# together (split across processes, each process would start a system of its own).
ONE_UNIT = ("tests/security/local/",)


class FileOrSharedFolderScheduling(LoadFileScheduling):
    """pytest-xdist's ``--dist loadfile``, but a folder of ``ONE_UNIT`` is one unit of work."""

    def _split_scope(self, nodeid: str) -> str:
        return next((f for f in ONE_UNIT if nodeid.startswith(f)), super()._split_scope(nodeid))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadFileScheduling | None:
    if config.getvalue("dist") != "loadfile":
        return None
    return FileOrSharedFolderScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _test_databases_dropped() -> Iterator[None]:
    """Every PostgreSQL database the session made is gone when it ends."""
    yield
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
