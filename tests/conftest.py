"""Fixtures shared by every test: real databases, a private Redis database, an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.infra import (
    RedisServer,
    postgres_database,
    private_redis_db,
    sqlite_database,
)
from tests.support.smtp import SmtpServer


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind in turn: integration tests run on both."""
    if request.param == "sqlite":
        yield sqlite_database(tmp_path)
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
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
