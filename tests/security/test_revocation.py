"""A revocation never half-succeeds: when Redis fails at the moment of revoking, either every
API process refuses the key on its next request, or the revocation answers 503 and changes
nothing. Two API processes on one database and a Redis of the test's own, stopped at that
moment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import Engine, event, select

from programmes.app import create_app
from programmes.config import Config
from programmes.store.models import ApiKey
from tests.integration.programmes.conftest import (
    Caller,
    Statements,
    new_key,
    new_organisation,
    run_bootstrap,
)
from tests.support.identity import INTERNAL_SECRET
from tests.support.infra import RedisServer


@dataclass
class Processes:
    here: Flask  # where the key is revoked
    there: Flask  # where the key is in use, and kept
    secretariat: Caller
    key_id: str
    key: str

    def revoke(self):
        return self.secretariat.client.delete(
            f"/v1/api-keys/{self.key_id}", headers=self.secretariat.headers()
        )

    def use_there(self) -> int:
        return Caller(self.there.test_client(), self.key).get("/v1/programmes").status_code


@pytest.fixture
def processes(database_url: str, private_redis: RedisServer) -> Iterator[Processes]:
    config = Config(
        database_url=database_url,
        redis_url=private_redis.url,
        internal_secret=INTERNAL_SECRET,
        testing=True,
    )
    here, there = create_app(config), create_app(config)
    env = {"PROGRAMMES_DATABASE_URL": database_url, "REDIS_URL": private_redis.url}
    secretariat = Caller(here.test_client(), run_bootstrap(env))
    organisation = new_organisation(secretariat, "JP")
    key = new_key(secretariat, organisation["id"])
    listed = secretariat.get(f"/v1/organisations/{organisation['id']}/api-keys").json
    yield Processes(here, there, secretariat, listed["items"][0]["id"], key)
    for app in (here, there):
        app.extensions["programmes.engine"].dispose()


def kept_there(processes: Processes) -> None:
    """The key is used in the other process, which keeps it after its first read."""
    reads = Statements(
        processes.there.extensions["programmes.engine"], lambda sql: "FROM api_keys" in sql
    )
    assert [processes.use_there() for _ in range(3)] == [200, 200, 200]
    assert reads.count == 1


def stop_at_the_next_commit(engine: Engine, redis: RedisServer) -> list[bool]:
    """Stop Redis as the next transaction of ``engine`` commits: after every statement of
    the revocation, before the generation is renewed."""
    stopped: list[bool] = []

    def stop(_connection) -> None:
        if not stopped:
            stopped.append(True)
            redis.stop()

    event.listen(engine, "commit", stop)
    return stopped


def revoked_at(engine: Engine, key_id: str):
    with engine.connect() as conn:
        return conn.execute(select(ApiKey.revoked_at).where(ApiKey.id == key_id)).scalar_one()


def test_redis_lost_as_the_revocation_commits_still_refuses_the_key_everywhere(
    processes: Processes, private_redis: RedisServer
):
    kept_there(processes)
    engine = processes.here.extensions["programmes.engine"]
    stopped = stop_at_the_next_commit(engine, private_redis)
    assert processes.revoke().status_code == 204
    assert stopped == [True]
    assert revoked_at(engine, processes.key_id) is not None
    # Redis comes back with what it held before the revocation's renewal was lost.
    private_redis.start()
    assert processes.use_there() == 401


def test_a_revocation_that_cannot_reach_redis_answers_503_and_changes_nothing(
    processes: Processes, private_redis: RedisServer
):
    kept_there(processes)
    private_redis.stop()
    refused = processes.revoke()
    assert refused.status_code == 503, refused.json
    assert refused.headers["Retry-After"] == "1"
    assert "not revoked" in refused.json["message"]
    engine = processes.here.extensions["programmes.engine"]
    assert revoked_at(engine, processes.key_id) is None
    private_redis.start()
    assert processes.use_there() == 200
    assert processes.revoke().status_code == 204
    assert processes.use_there() == 401
