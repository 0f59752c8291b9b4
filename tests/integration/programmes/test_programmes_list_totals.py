"""A list's ``total`` is counted once and kept in Redis until a write changes what it counts."""

from __future__ import annotations

import redis
from flask import Flask
from sqlalchemy import Engine, text

from programmes.app import create_app
from programmes.config import Config
from programmes.store.list_totals import ListTotals
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_key,
    programme_body,
    propose,
)
from tests.integration.programmes.test_programmes_applications import application_body
from tests.support.identity import INTERNAL_SECRET
from tests.support.infra import free_port


def total(caller: Caller, query: str = "") -> int:
    answer = caller.get(f"/v1/programmes?page_size=1{query}")
    assert answer.status_code == 200, answer.json
    return answer.json["total"]


def create(partners: Partners) -> str:
    return propose(partners)["id"]


def hide_one_programme(engine: Engine) -> None:
    """Change the table behind the API's back (as no code of the service does)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM programme_partners WHERE programme_id IN "
                "(SELECT id FROM programmes ORDER BY created_at LIMIT 1)"
            )
        )


def test_a_total_is_kept_until_a_write_through_the_service(
    partners: Partners, secretariat: Caller, engine: Engine
):
    for _ in range(3):
        create(partners)
    assert total(partners.jp_caller) == 3
    # Counted again, the total would now be 2: it was kept.
    hide_one_programme(engine)
    assert total(partners.jp_caller) == 3
    # A write through the service forgets every kept total of the list.
    create(partners)
    assert total(partners.jp_caller) == 3
    assert total(secretariat) == 4


def test_each_scope_and_filter_has_its_own_total_and_transitions_move_them(
    partners: Partners, secretariat: Caller
):
    first, _ = create(partners), create(partners)
    assert total(partners.jp_caller, "&status=draft") == 2
    assert total(partners.jp_caller, "&status=submitted") == 0
    assert total(secretariat, "&status=draft") == 2
    moved = partners.jp_caller.post(f"/v1/programmes/{first}/transitions", {"action": "submit"})
    assert moved.status_code == 200, moved.json
    assert total(partners.jp_caller, "&status=draft") == 1
    assert total(partners.jp_caller, "&status=submitted") == 1
    assert total(secretariat, "&status=draft") == 1
    assert total(secretariat, f"&organisation_id={partners.india['id']}") == 2
    assert total(secretariat, "&q=no-such-title") == 0


def test_a_refused_write_changes_no_total(partners: Partners, engine: Engine):
    create(partners)
    assert total(partners.jp_caller) == 1
    hide_one_programme(engine)
    refused = partners.jp_caller.post(
        "/v1/programmes", programme_body(partners, end_date="2001-01-01")
    )
    assert refused.status_code == 422
    assert total(partners.jp_caller) == 1  # still the kept total: nothing was written


def test_a_count_that_raced_a_write_is_not_kept(database_url: str, redis_url: str):
    totals = ListTotals(redis_url, database_url)
    counts: list[int] = []

    def count_while_a_write_commits() -> int:
        totals.changed(["programmes"])  # a write committed while this count ran
        counts.append(1)
        return 7

    assert totals.total("programmes", {"scope": 1}, count_while_a_write_commits) == 7
    assert totals.total("programmes", {"scope": 1}, lambda: 8) == 8  # counted again
    assert totals.total("programmes", {"scope": 1}, lambda: 9) == 8  # kept since
    assert counts == [1]
    ttl = redis.Redis.from_url(redis_url).ttl(totals.key("programmes"))
    assert 0 < ttl <= totals.ttl


def test_with_redis_down_totals_are_counted_and_exact(
    database_url: str, secretariat: Caller, partners: Partners
):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    app: Flask = create_app(
        Config(
            database_url=database_url,
            redis_url=nowhere,
            testing=True,
            internal_secret=INTERNAL_SECRET,
        )
    )
    try:
        caller = Caller(app.test_client(), new_key(secretariat, partners.jp["id"]))
        assert total(caller) == 0
        assert caller.post("/v1/programmes", programme_body(partners)).status_code == 201
        assert total(caller) == 1
        assert total(caller, "&status=submitted") == 0
    finally:
        app.extensions["programmes.engine"].dispose()


def test_filing_an_application_keeps_the_programme_totals(app: Flask, partners: Partners):
    totals: ListTotals = app.extensions["programmes.list_totals"]

    def generation() -> bytes | None:
        return totals.client.hget(totals.key("programmes"), "generation")

    programme = partners.jp_caller.get(f"/v1/programmes/{create(partners)}").json
    assert total(partners.jp_caller) == 1
    after_create = generation()
    assert after_create is not None  # the create reset the totals
    filed = partners.jp_caller.post(
        "/v1/applications", application_body(programme, partners.india["id"])
    )
    assert filed.status_code == 201, filed.json
    assert generation() == after_create  # an application changes no programme row
    assert total(partners.jp_caller) == 1
