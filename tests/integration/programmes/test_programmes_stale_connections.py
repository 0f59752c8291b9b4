"""After PostgreSQL drops every connection (as a restart does), an API process answers its
next requests and /readyz from new connections, not with errors from its dead pooled ones.

PostgreSQL only: SQLite connections are files and never go stale. The test ends the
database's connections itself (pg_terminate_backend); the shared server is not restarted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from setu_contract import database
from tests.integration.programmes.conftest import Caller, new_organisation
from tests.support.infra import terminate_connections


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    yield postgres_url


@pytest.fixture
def idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pooled connection counts as one that sat idle (a process between requests)."""
    monkeypatch.setattr(database, "IDLE_PING_AFTER", 0.0)


@pytest.fixture
def busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pooled connection counts as idle (a process serving request after request)."""
    monkeypatch.setattr(database, "IDLE_PING_AFTER", 3600.0)


def test_an_idle_process_answers_from_new_connections(
    idle: None, client: FlaskClient, secretariat: Caller, database_url: str
):
    new_organisation(secretariat, "JP")  # the pool holds connections now
    assert terminate_connections(database_url) >= 1
    assert client.get("/readyz").status_code == 200
    terminate_connections(database_url)
    assert secretariat.get("/v1/organisations").status_code == 200
    terminate_connections(database_url)
    new_organisation(secretariat, "IN")


def test_readyz_says_ready_as_soon_as_the_database_answers(
    busy: None, client: FlaskClient, database_url: str
):
    assert client.get("/readyz").status_code == 200
    assert terminate_connections(database_url) >= 1
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json


def test_a_busy_process_pings_nothing_and_fails_one_request_cleanly(
    busy: None, client: FlaskClient, secretariat: Caller, database_url: str
):
    """What a connection used within the second costs nothing for: after a restart, the one
    request that meets a dead connection answers 503 with Retry-After; the pool has then
    replaced every connection and the next request is served."""
    new_organisation(secretariat, "JP")
    assert terminate_connections(database_url) >= 1
    body = {
        "name": "Osaka Institute",
        "country": "JP",
        "kind": "university",
        "contact_email": "office@osaka.example.org",
    }
    failed = secretariat.post("/v1/organisations", body)
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"
    assert secretariat.post("/v1/organisations", body).status_code == 201
