"""The programmes API through the Flask test client, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from programmes.store.models import ApiKey, Organisation, outbox
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    confirm,
    new_organisation,
    programme_body,
    propose,
    run_bootstrap,
    unanswered,
)


def events(engine, aggregate_id: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.aggregate_id == aggregate_id)
            .order_by(outbox.c.position)
        )
        return [row.payload for row in rows]


def test_bootstrap_creates_both_sides_once_and_a_new_key_each_run(
    secretariat: Caller, programmes_env, engine
):
    second_key = run_bootstrap(programmes_env, "IN")
    assert second_key.startswith("setu_") and second_key != secretariat.key
    with Session(engine) as session:
        sides = session.execute(
            select(Organisation.country, Organisation.name).where(
                Organisation.kind == "secretariat"
            )
        ).all()
        hashes = session.scalars(select(ApiKey.secret_hash)).all()
    assert sorted(sides) == [("IN", "India Secretariat"), ("JP", "Japan Secretariat")]
    assert secretariat.key not in hashes and second_key not in hashes
    assert len(hashes) == 2
    me = secretariat.get("/internal/authorize")
    assert me.status_code == 204
    assert me.headers["X-Setu-Role"] == "secretariat"
    assert me.headers["X-Setu-Side"] == "JP"
    other = secretariat.client.get(
        "/internal/authorize", headers={"Authorization": f"Bearer {second_key}"}
    )
    assert other.headers["X-Setu-Side"] == "IN"


def test_organisation_create_read_list_and_event(secretariat: Caller, engine):
    created = new_organisation(secretariat, "IN", kind="research_institute")
    assert created["preferred_language"] == "en"
    read = secretariat.get(f"/v1/organisations/{created['id']}")
    assert read.status_code == 200 and read.json == created
    listed = secretariat.get("/v1/organisations", query_string={"country": "IN"})
    assert listed.status_code == 200
    assert {"items", "page", "page_size", "total"} <= set(listed.json)
    assert created["id"] in [o["id"] for o in listed.json["items"]]
    [event] = events(engine, created["id"])
    assert event["type"] == "organisation.registered"
    assert event["data"]["name"] == created["name"]
    assert event["producer"] == "programmes"


def test_a_partner_key_reads_its_own_organisation_in_full_and_others_in_part(partners: Partners):
    own = partners.jp_caller.get(f"/v1/organisations/{partners.jp['id']}")
    assert own.json["contact_email"] == partners.jp["contact_email"]
    other = partners.jp_caller.get(f"/v1/organisations/{partners.india['id']}")
    assert other.status_code == 200
    assert set(other.json) == {"id", "name", "country", "kind", "version"}


def test_partners_may_not_register_organisations_or_issue_keys(partners: Partners):
    org = partners.jp_caller.post(
        "/v1/organisations",
        {"name": "Mine", "country": "JP", "kind": "company", "contact_email": "a@b.jp"},
    )
    assert org.status_code == 403 and org.json["code"] == 403
    key = partners.jp_caller.post(
        f"/v1/organisations/{partners.jp['id']}/api-keys", {"name": "x", "role": "secretariat"}
    )
    assert key.status_code == 403


def test_create_and_submit_a_programme_writes_its_events(partners: Partners, engine):
    created = partners.jp_caller.post("/v1/programmes", programme_body(partners))
    assert created.status_code == 201, created.json
    programme = created.json
    assert programme["status"] == "draft" and programme["version"] == 1
    assert programme["reference"].startswith("JIP-") and len(programme["reference"]) == 13
    assert [b["amount"] for b in programme["budget"]] == ["50000000", "250.50"]

    read = partners.in_caller.get(f"/v1/programmes/{programme['id']}")
    assert read.status_code == 200 and unanswered(read.json) == unanswered(programme)
    confirm(partners.in_caller, programme["id"])

    submitted = partners.in_caller.post(
        f"/v1/programmes/{programme['id']}/transitions",
        {"action": "submit"},
        headers={"X-Correlation-Id": "corr-submit-1"},
    )
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "submitted" and submitted.json["version"] == 3
    assert submitted.headers["X-Correlation-Id"] == "corr-submit-1"

    created_event, confirmed, changed = events(engine, programme["id"])
    assert created_event["type"] == "programme.created"
    assert confirmed["type"] == "participation.confirmed"
    assert changed["type"] == "programme.status_changed"
    assert changed["correlation_id"] == "corr-submit-1"
    data = changed["data"]
    assert (data["from"], data["to"], data["action"]) == ("draft", "submitted", "submit")
    assert data["actor_organisation_id"] == partners.india["id"]
    assert {p["country"] for p in data["partners"]} == {"JP", "IN"}
    assert data["version"] == 3


def test_submit_twice_answers_409_with_this_callers_allowed_actions(partners: Partners):
    programme = propose(partners)
    path = f"/v1/programmes/{programme['id']}/transitions"
    assert partners.jp_caller.post(path, {"action": "submit"}).status_code == 200
    again = partners.jp_caller.post(path, {"action": "submit"})
    assert again.status_code == 409
    assert again.json["errors"] == {"status": "submitted", "allowed_actions": ["withdraw"]}


def test_submit_needs_a_lead_from_each_country(partners: Partners, engine):
    body = programme_body(partners)
    body["partners"][1]["role"] = "member"
    programme = propose(partners, body)
    answer = partners.jp_caller.post(
        f"/v1/programmes/{programme['id']}/transitions", {"action": "submit"}
    )
    assert answer.status_code == 422 and "partners" in answer.json["errors"]
    assert [e["type"] for e in events(engine, programme["id"])] == [
        "programme.created",
        "participation.confirmed",
    ]


def test_a_non_participant_gets_404_for_a_programme(partners: Partners, secretariat: Caller):
    programme = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    outsider_org = new_organisation(secretariat, "JP")
    outsider = Caller(
        secretariat.client,
        secretariat.post(
            f"/v1/organisations/{outsider_org['id']}/api-keys", {"name": "o", "role": "partner"}
        ).json["key"],
    )
    assert outsider.get(f"/v1/programmes/{programme['id']}").status_code == 404
    assert secretariat.get(f"/v1/programmes/{programme['id']}").status_code == 200


def test_programme_references_are_unique_and_sequential(partners: Partners):
    refs = [
        partners.jp_caller.post("/v1/programmes", programme_body(partners)).json["reference"]
        for _ in range(3)
    ]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_service_endpoints_answer_without_a_key(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok", "redis": "ok"}
    spec = client.get("/openapi.json").json
    assert "/v1/programmes/{programme_id}/transitions" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    transitions = spec["paths"]["/v1/programmes/{programme_id}/transitions"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "413", "415", "422", "429"} <= set(
        transitions["responses"]
    )
    listing = spec["paths"]["/v1/programmes"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"]["$ref"].endswith("ProgrammePage")
    assert spec["paths"]["/healthz"]["get"]["security"] == []


def test_requests_without_a_valid_key_are_401(client, engine):
    for headers in ({}, {"Authorization": "Bearer setu_nope"}, {"Authorization": "Basic x"}):
        answer = client.get("/v1/organisations", headers=headers)
        assert answer.status_code == 401 and answer.json["code"] == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert client.get("/internal/authorize", headers=headers).status_code == 401
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 0
