"""The event log, Idempotency-Key and the per-key rate limit (with Redis up and down)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from programmes.app import create_app
from programmes.config import Config
from programmes.store.models import Programme
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_key,
    new_organisation,
    programme_body,
    propose,
)
from tests.support.identity import INTERNAL_SECRET
from tests.support.infra import free_port


def test_event_log_pages_and_filters(partners: Partners, secretariat: Caller):
    programme = propose(partners)
    partners.jp_caller.post(f"/v1/programmes/{programme['id']}/transitions", {"action": "submit"})
    everything = secretariat.get("/v1/events", query_string={"page_size": 100}).json
    assert everything["total"] == len(everything["items"]) >= 6
    positions = [e["position"] for e in everything["items"]]
    assert positions == sorted(positions)
    assert {"id", "type", "version", "occurred_at", "producer", "correlation_id", "data"} <= set(
        everything["items"][0]
    )
    about = secretariat.get("/v1/events", query_string={"aggregate_id": programme["id"]}).json
    assert [e["type"] for e in about["items"]] == [
        "programme.created",
        "participation.confirmed",
        "programme.status_changed",
    ]
    typed = secretariat.get("/v1/events", query_string={"type": "organisation.registered"}).json
    assert typed["total"] == 4
    page = secretariat.get("/v1/events", query_string={"page_size": 2, "page": 2}).json
    assert [e["position"] for e in page["items"]] == positions[2:4]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert secretariat.get("/v1/events", query_string={"since": future}).json["total"] == 0
    assert secretariat.get("/v1/events", query_string={"until": past}).json["total"] == 0
    assert secretariat.get("/v1/events", query_string={"since": past}).json["total"] == len(
        positions
    )
    assert partners.jp_caller.get("/v1/events").status_code == 403
    assert secretariat.get("/v1/events", query_string={"type": "nope"}).status_code == 422
    naive = secretariat.get("/v1/events", query_string={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(
    partners: Partners, engine
):
    body = programme_body(partners)
    headers = {"Idempotency-Key": "create-chiplets-1"}
    first = partners.jp_caller.post("/v1/programmes", body, headers=headers)
    again = partners.jp_caller.post("/v1/programmes", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    other = partners.jp_caller.post(
        "/v1/programmes", programme_body(partners, title="Another title here"), headers=headers
    )
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    # Keys belong to the API key that used them.
    by_other_key = partners.in_caller.post("/v1/programmes", body, headers=headers)
    assert by_other_key.status_code == 201 and by_other_key.json["id"] != first.json["id"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Programme)).scalar_one() == 2
    blank = partners.jp_caller.post("/v1/programmes", body, headers={"Idempotency-Key": " "})
    assert blank.status_code == 422


def test_idempotency_on_organisations(secretariat: Caller):
    body = {"name": "Osaka Fab", "country": "JP", "kind": "company", "contact_email": "f@o.jp"}
    headers = {"Idempotency-Key": "osaka"}
    first = secretariat.post("/v1/organisations", body, headers=headers)
    second = secretariat.post("/v1/organisations", body, headers=headers)
    assert first.json["id"] == second.json["id"]
    listed = secretariat.get("/v1/organisations", query_string={"q": "Osaka Fab"}).json
    assert listed["total"] == 1


def limited_caller(database_url: str, redis_url: str, secretariat: Caller, rate: str) -> Caller:
    """A caller with its own key, limited to ``rate`` (per minute), early in a minute: the
    windows are fixed minutes, and requests that straddled the end of one would be counted
    in two."""
    app = create_app(
        Config(
            database_url=database_url,
            redis_url=redis_url,
            rate_limit=rate,
            testing=True,
            internal_secret=INTERNAL_SECRET,
        )
    )
    org = new_organisation(secretariat, "JP")
    caller = Caller(app.test_client(), new_key(secretariat, org["id"]))
    into_minute = time.time() % 60
    if into_minute > 55:
        time.sleep(60.5 - into_minute)
    return caller


def test_rate_limit_answers_429_with_retry_after(database_url, redis_url, secretariat: Caller):
    caller = limited_caller(database_url, redis_url, secretariat, "3/minute")
    answers = [caller.get("/v1/programmes") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.json["code"] == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert caller.get("/internal/authorize").status_code == 429


def test_rate_limit_keeps_answering_when_redis_is_down(database_url, secretariat: Caller):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    caller = limited_caller(database_url, nowhere, secretariat, "3/minute")
    answers = [caller.get("/v1/programmes").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    created = caller.post(
        "/v1/organisations",
        {"name": "x", "country": "JP", "kind": "company", "contact_email": "a@b.jp"},
    )
    assert created.status_code == 429
