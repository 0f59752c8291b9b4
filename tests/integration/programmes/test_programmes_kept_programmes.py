"""A programme read is kept in the process while no programme or organisation has changed
(store.kept_programmes): its row is read once, and a write is seen at once, in every process."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, update

from programmes.store import kept_programmes as module
from programmes.store.generation import read_together
from programmes.store.kept_programmes import KeptProgrammes
from programmes.store.models import Programme
from programmes.store.redis_guard import GuardedRedis
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    Statements,
    another_process,
    confirm,
    new_key,
    new_organisation,
    programme_body,
    unanswered,
)
from tests.support.infra import free_port


def not_key_reads(engine: Engine) -> Statements:
    """How many statements an app's engine has run, other than reading API keys (a new key
    in a process, or every key with Redis away, is read on its first request)."""
    return Statements(engine, lambda statement: "FROM api_keys" not in statement)


@pytest.fixture
def programme(partners: Partners) -> dict[str, Any]:
    created = partners.jp_caller.post("/v1/programmes", programme_body(partners))
    assert created.status_code == 201, created.json
    return created.json


def read(caller: Caller, programme_id: str) -> dict[str, Any]:
    answer = caller.get(f"/v1/programmes/{programme_id}")
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_kept_programme_is_read_once(app: Flask, partners: Partners, programme: dict):
    reads = not_key_reads(app.extensions["programmes.engine"])
    answers = [read(partners.jp_caller, programme["id"]) for _ in range(3)]
    assert answers == [programme] * 3
    assert reads.count == 1
    # An If-None-Match is answered from the kept programme too.
    path = f"/v1/programmes/{programme['id']}"
    etag = partners.jp_caller.get(path).headers["ETag"]
    assert partners.jp_caller.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert reads.count == 1


def test_a_kept_programme_is_sent_as_first_written(
    app: Flask, secretariat: Caller, partners: Partners, programme: dict
):
    path = f"/v1/programmes/{programme['id']}"
    first = partners.jp_caller.get(path)
    kept: KeptProgrammes = app.extensions["programmes.kept_programmes"]
    [generation] = read_together(kept.token)
    written = kept.get(("answer", programme["id"], ("withdraw",)), generation)
    assert written == first.data
    # Another caller who may do the same (another key of the organisation): the same answer.
    same = Caller(secretariat.client, new_key(secretariat, partners.jp["id"]))
    again = same.get(path)
    assert (again.data, again.headers["ETag"]) == (written, first.headers["ETag"])
    assert again.headers["Content-Type"] == "application/json"
    # A caller who may do otherwise has an answer of its own.
    asked = partners.in_caller.get(path)
    assert asked.json["allowed_actions"] == ["confirm_participation", "decline_participation"]
    assert asked.headers["ETag"] == first.headers["ETag"]


def test_an_edit_in_another_process_is_seen_at_once(
    app: Flask, second: Flask, partners: Partners, programme: dict
):
    there = Caller(second.test_client(), partners.in_caller.key)
    reads = not_key_reads(second.extensions["programmes.engine"])
    assert [read(there, programme["id"])["title"] for _ in range(2)] == [programme["title"]] * 2
    assert reads.count == 1  # kept in the second process

    path = f"/v1/programmes/{programme['id']}"
    etag = partners.jp_caller.get(path).headers["ETag"]
    edited = partners.jp_caller.client.patch(
        path, json={"title": "Renamed"}, headers=partners.jp_caller.headers({"If-Match": etag})
    )
    assert edited.status_code == 200, edited.json
    assert unanswered(read(there, programme["id"])) == unanswered(edited.json)
    confirm(partners.in_caller, programme["id"])
    submitted = partners.jp_caller.post(f"{path}/transitions", {"action": "submit"})
    assert submitted.status_code == 200, submitted.json
    assert read(there, programme["id"])["status"] == "submitted"
    assert reads.count == 3


def test_an_organisation_renamed_is_seen_in_a_kept_programme(
    app: Flask, second: Flask, secretariat: Caller, partners: Partners, programme: dict
):
    there = Caller(second.test_client(), partners.in_caller.key)
    assert unanswered(read(there, programme["id"])) == unanswered(programme)
    path = f"/v1/organisations/{partners.jp['id']}"
    etag = secretariat.get(path).headers["ETag"]
    renamed = secretariat.client.patch(
        path, json={"name": "Tokyo Institute"}, headers=secretariat.headers({"If-Match": etag})
    )
    assert renamed.status_code == 200, renamed.json
    names = {p["organisation_id"]: p["name"] for p in read(there, programme["id"])["partners"]}
    assert names[partners.jp["id"]] == "Tokyo Institute"


def test_who_may_read_a_kept_programme_is_decided_on_every_request(
    app: Flask, secretariat: Caller, partners: Partners, programme: dict
):
    outsider = Caller(
        secretariat.client, new_key(secretariat, new_organisation(secretariat, "JP")["id"])
    )
    reads = not_key_reads(app.extensions["programmes.engine"])
    assert read(partners.jp_caller, programme["id"]) == programme
    refused = outsider.get(f"/v1/programmes/{programme['id']}")
    assert refused.status_code == 404 and refused.json["message"].startswith("no programme")
    assert unanswered(read(secretariat, programme["id"])) == unanswered(programme)
    assert reads.count == 1


def test_a_write_committed_while_the_programme_is_read_is_not_missed(
    app: Flask, partners: Partners, programme: dict
):
    """The programmes' generation is read before the row: an edit that commits just after
    the row was read leaves the old row kept under an old generation."""
    engine = app.extensions["programmes.engine"]
    sessions = app.extensions["programmes.sessions"]
    edits: list[str] = []

    def edit_once_read(_conn, _cursor, statement: str, *_args) -> None:
        if "FROM programmes" in statement and not edits:
            edits.append(statement)
            with sessions() as session:  # through the ORM, as the API edits
                session.get(Programme, programme["id"]).title = "Edited meanwhile"
                session.commit()

    caller = partners.jp_caller
    read(caller, programme["id"])  # kept
    app.extensions["programmes.kept_programmes"].changed()  # to be read again, raced below
    event.listen(engine, "after_cursor_execute", edit_once_read)
    assert read(caller, programme["id"])["title"] == programme["title"]  # read before the edit
    event.remove(engine, "after_cursor_execute", edit_once_read)
    assert edits
    assert read(caller, programme["id"])["title"] == "Edited meanwhile"


def test_a_change_made_behind_the_service_needs_changed(
    app: Flask, partners: Partners, programme: dict, engine: Engine
):
    """As the module says: a statement outside the ORM session must renew the generation."""
    assert read(partners.jp_caller, programme["id"])["title"] == programme["title"]
    with engine.begin() as conn:
        conn.execute(
            update(Programme).where(Programme.id == programme["id"]).values(title="Behind")
        )
    assert read(partners.jp_caller, programme["id"])["title"] == programme["title"]  # kept
    kept: KeptProgrammes = app.extensions["programmes.kept_programmes"]
    kept.changed()
    assert read(partners.jp_caller, programme["id"])["title"] == "Behind"


def test_with_redis_down_every_read_reads_the_programme(
    database_url: str, app: Flask, partners: Partners, programme: dict
):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    away = another_process(database_url, nowhere)
    try:
        caller = Caller(away.test_client(), partners.jp_caller.key)
        reads = not_key_reads(away.extensions["programmes.engine"])
        assert [read(caller, programme["id"]) for _ in range(3)] == [programme] * 3
        assert reads.count == 3
        assert away.extensions["programmes.kept_programmes"]._kept == {}
    finally:
        away.extensions["programmes.engine"].dispose()


def test_a_programme_is_kept_no_longer_than_its_maximum_age(database_url: str, redis_url: str):
    """The bound on the one case left: a write whose new generation never reached Redis."""
    now = [100.0]
    guard = GuardedRedis(redis_url, "test")
    kept = KeptProgrammes(guard, database_url, max_age=30, clock=lambda: now[0])
    generation = read_together(kept.token)[0]
    assert generation is not None and read_together(kept.token)[0] == generation
    kept.keep("p", {"id": "p"}, generation)
    assert kept.get("p", generation) == {"id": "p"}
    assert kept.get("p", None) is None  # Redis away: nothing kept is used
    assert kept.get("p", b"another") is None
    now[0] += 29.9
    assert kept.get("p", generation) == {"id": "p"}
    now[0] += 0.2
    assert kept.get("p", generation) is None
    kept.changed()
    assert read_together(kept.token)[0] != generation


def test_past_its_size_the_oldest_kept_goes_first(
    database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(module, "MAX_SNAPSHOTS", 4)
    kept = KeptProgrammes(GuardedRedis(redis_url, "test"), database_url)
    for name in ("a", "b", "a", "c"):
        kept.keep(name, name.upper(), b"g")
    assert [kept.get(name, b"g") for name in ("a", "b", "c")] == ["A", "B", "C"]
    # "a" was kept again after "b": "b" is the oldest, and goes to make room for two.
    kept.keep("page", "a page of two", b"g", weight=2)
    assert [kept.get(name, b"g") for name in ("b", "a", "c", "page")] == [
        None,
        "A",
        "C",
        "a page of two",
    ]
    kept.keep("d", "D", None)  # read while Redis was away: not kept
    assert kept.get("d", b"g") is None


def page(caller: Caller, query: str = "") -> dict[str, Any]:
    answer = caller.get(f"/v1/programmes?page_size=2{query}")
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_kept_page_is_read_once_and_a_new_programme_is_seen_at_once(
    app: Flask, second: Flask, partners: Partners, programme: dict
):
    statements = not_key_reads(app.extensions["programmes.engine"])
    first = page(partners.jp_caller)
    assert [p["id"] for p in first["items"]] == [programme["id"]] and first["total"] == 1
    assert page(partners.jp_caller) == first
    ran = statements.count
    assert page(partners.jp_caller) == first and statements.count == ran  # kept

    there = Caller(second.test_client(), partners.in_caller.key)
    created = there.post("/v1/programmes", programme_body(partners, title="Another"))
    assert created.status_code == 201, created.json
    after = page(partners.jp_caller)
    assert [p["id"] for p in after["items"]] == [created.json["id"], programme["id"]]
    assert after["total"] == 2


def test_a_kept_page_answers_only_the_scope_and_filters_it_was_read_for(
    app: Flask, secretariat: Caller, partners: Partners, programme: dict
):
    outsider_org = new_organisation(secretariat, "JP")
    outsider = Caller(secretariat.client, new_key(secretariat, outsider_org["id"]))
    ours = page(partners.jp_caller)
    assert ours["total"] == 1
    assert page(outsider)["total"] == 0
    assert page(secretariat)["total"] == 1
    assert page(partners.jp_caller, "&status=submitted")["total"] == 0
    assert page(secretariat, f"&organisation_id={outsider_org['id']}")["total"] == 0
    assert page(partners.jp_caller, "&page=2")["items"] == []
    assert page(partners.jp_caller) == ours
