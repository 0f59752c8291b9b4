"""Fixtures shared by every test: real databases, a private Redis database, an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.infra import (
    DROPPER,
    RedisServer,
    postgres_database,
    private_redis_db,
    sqlite_database,
)
from tests.support.smtp import SmtpServer
from tests.support.templates import copy_sqlite_template, postgres_template


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
    if request.param == "sqlite":
        url = sqlite_database(tmp_path)
        if schema:
            copy_sqlite_template(schema, url)
        yield url
    else:
        with postgres_database(postgres_template(schema) if schema else None) as url:
            yield url


@pytest.fixture
def postgres_url(schema: str | None) -> Iterator[str]:
    """A new PostgreSQL database, with ``schema``'s tables as ``database_url`` has them."""
    with postgres_database(postgres_template(schema) if schema else None) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with private_redis_db() as url:
        yield url


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


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
