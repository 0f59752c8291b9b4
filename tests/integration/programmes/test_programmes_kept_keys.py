"""A key's principal is kept in the process while no key has changed (store.kept_keys): its
row is read once, and a revoked or expired key is still refused at once, in every process."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import Engine, event, update

from programmes.store.generation import read_together
from programmes.store.kept_keys import KeptKeys
from programmes.store.models import ApiKey
from programmes.store.redis_guard import GuardedRedis
from setu_contract.http import Principal
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    Statements,
    another_process,
    new_key,
)
from tests.support.infra import free_port, wait_until


def key_reads(engine: Engine) -> Statements:
    """How many times an app's engine has read a key's row."""
    return Statements(engine, lambda statement: "FROM api_keys" in statement)


def issue(secretariat: Caller, organisation_id: str, **fields: str) -> dict:
    answer = secretariat.post(
        f"/v1/organisations/{organisation_id}/api-keys",
        {"name": "kept", "role": "partner", **fields},
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_kept_key_is_read_once(app: Flask, secretariat: Caller, partners: Partners):
    caller = Caller(app.test_client(), new_key(secretariat, partners.jp["id"]))
    reads = key_reads(app.extensions["programmes.engine"])
    answers = [caller.get("/v1/programmes").status_code for _ in range(3)]
    answers.append(caller.get("/internal/authorize").status_code)
    assert answers == [200, 200, 200, 204]
    assert reads.count == 1


def test_a_revoked_key_is_refused_at_once_by_a_process_that_kept_it(
    app: Flask, second: Flask, secretariat: Caller, partners: Partners
):
    issued = issue(secretariat, partners.jp["id"])
    there = Caller(second.test_client(), issued["key"])
    reads = key_reads(second.extensions["programmes.engine"])
    assert [there.get("/v1/programmes").status_code for _ in range(2)] == [200, 200]
    assert reads.count == 1  # kept in the second process

    revoked = secretariat.client.delete(
        f"/v1/api-keys/{issued['id']}", headers=secretariat.headers()
    )
    assert revoked.status_code == 204
    refused = there.get("/v1/programmes")
    assert refused.status_code == 401 and "revoked" in refused.json["message"]
    assert there.get("/internal/authorize").status_code == 401
    assert reads.count == 3  # a refused key is read at each try
    # The other keys are read again once, and kept again.
    again = Caller(second.test_client(), partners.jp_caller.key)
    assert [again.get("/v1/programmes").status_code for _ in range(2)] == [200, 200]
    assert reads.count == 4


def test_a_kept_key_is_refused_at_its_expiry(app: Flask, secretariat: Caller, partners: Partners):
    expiry = datetime.now(UTC) + timedelta(seconds=2)
    issued = issue(secretariat, partners.jp["id"], expires_at=expiry.isoformat())
    caller = Caller(app.test_client(), issued["key"])
    reads = key_reads(app.extensions["programmes.engine"])
    assert caller.get("/v1/programmes").status_code == 200
    wait_until(lambda: caller.get("/v1/programmes").status_code == 401, timeout=10)
    assert datetime.now(UTC) >= expiry
    refused = caller.get("/v1/programmes")
    assert refused.status_code == 401 and "expired" in refused.json["message"]
    assert reads.count >= 2  # read again once its expiry had passed


def test_a_revocation_committed_while_the_key_is_read_is_not_missed(
    app: Flask, secretariat: Caller, partners: Partners
):
    """The keys' generation is read before the key's row: a revocation that commits just
    after the row was read (still valid) leaves the principal kept under an old generation."""
    issued = issue(secretariat, partners.jp["id"])
    engine = app.extensions["programmes.engine"]
    sessions = app.extensions["programmes.sessions"]

    revocations: list[datetime] = []

    def revoke_once_read(_conn, _cursor, statement: str, *_args) -> None:
        if "FROM api_keys" in statement and not revocations:
            revocations.append(datetime.now(UTC))
            with sessions() as session:  # through the ORM, as the API revokes
                key = session.get(ApiKey, issued["id"])
                key.revoked_at = datetime.now(UTC)
                session.commit()

    event.listen(engine, "after_cursor_execute", revoke_once_read)
    caller = Caller(app.test_client(), issued["key"])
    assert caller.get("/v1/programmes").status_code == 200  # read before the revocation
    event.remove(engine, "after_cursor_execute", revoke_once_read)
    assert revocations
    refused = caller.get("/v1/programmes")
    assert refused.status_code == 401 and "revoked" in refused.json["message"]


def test_a_change_made_behind_the_service_needs_changed(
    app: Flask, secretariat: Caller, partners: Partners, engine: Engine
):
    """As the module says: a statement outside the ORM session must renew the generation."""
    issued = issue(secretariat, partners.jp["id"])
    caller = Caller(app.test_client(), issued["key"])
    assert caller.get("/v1/programmes").status_code == 200
    with engine.begin() as conn:
        conn.execute(
            update(ApiKey).where(ApiKey.id == issued["id"]).values(revoked_at=datetime.now(UTC))
        )
    assert caller.get("/v1/programmes").status_code == 200  # still kept
    kept: KeptKeys = app.extensions["programmes.kept_keys"]
    kept.changed()
    assert caller.get("/v1/programmes").status_code == 401


def test_with_redis_down_every_request_reads_its_key(
    database_url: str, app: Flask, secretariat: Caller, partners: Partners
):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    away = another_process(database_url, nowhere)
    try:
        issued = issue(secretariat, partners.jp["id"])
        caller = Caller(away.test_client(), issued["key"])
        reads = key_reads(away.extensions["programmes.engine"])
        assert [caller.get("/v1/programmes").status_code for _ in range(3)] == [200] * 3
        assert reads.count == 3
        secretariat.client.delete(f"/v1/api-keys/{issued['id']}", headers=secretariat.headers())
        assert caller.get("/v1/programmes").status_code == 401
    finally:
        away.extensions["programmes.engine"].dispose()


def test_a_principal_is_kept_no_longer_than_its_maximum_age(database_url: str, redis_url: str):
    """The bound on the one case left: a revocation whose new generation never reached Redis."""
    now = [100.0]
    kept = KeptKeys(GuardedRedis(redis_url, "test"), database_url, max_age=30, clock=lambda: now[0])
    generation = read_together(kept.token)[0]
    assert generation is not None and read_together(kept.token)[0] == generation
    kept.keep("h", Principal("org", "partner", "key"), None, generation)
    entry = kept.get("h")
    assert entry is not None
    assert kept.valid(entry, generation, time.time())
    now[0] += 29.9
    assert kept.valid(entry, generation, time.time())
    now[0] += 0.2
    assert not kept.valid(entry, generation, time.time())
    kept.changed()
    assert read_together(kept.token)[0] != generation
