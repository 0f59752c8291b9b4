"""The person behind every decision: ``actor`` in history, in event data; erased with the
person (issue 29), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text

from programmes.store.models import outbox
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    programme_body,
    propose,
    side_organisation,
)
from tests.support.people import person_body, signed_in


def _events(engine: Engine, programme_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.aggregate_id == programme_id)
            .order_by(outbox.c.position)
        )
        return [row.payload for row in rows]


def _person_caller(manager: Caller, engine: Engine, organisation_id: str, role: str, name: str):
    token = signed_in(manager, engine, organisation_id, role, name=name)
    return Caller(manager.client, token)


def test_history_and_events_name_the_person_or_the_key(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, engine: Engine
):
    jp_side = side_organisation(secretariat, "JP")["id"]
    officer = _person_caller(secretariat, engine, jp_side, "secretariat", "田中 裕子")
    programme = propose(partners, focus_area="ai_research")  # no screening holds it
    path = f"/v1/programmes/{programme['id']}"
    assert partners.jp_caller.post(f"{path}/transitions", {"action": "submit"}).status_code == 200
    for caller, action, comment in (
        (officer, "start_review", None),
        (officer, "approve", "Strong JP lead."),
        (secretariat_in, "approve", "Agreed for India."),
    ):
        body = {"action": action, "comment": comment} if comment else {"action": action}
        answer = caller.post(f"{path}/transitions", body)
        assert answer.status_code == 200, answer.json
    history = partners.jp_caller.get(f"{path}/history").json
    by_action = {entry["action"]: entry["actor"] for entry in history}
    assert by_action["submit"] == {
        "kind": "key",
        "id": by_action["submit"]["id"],
        "name": "test",
        "organisation_id": partners.jp["id"],
    }
    me = officer.get("/v1/me").json["person"]
    assert next(e["actor"] for e in history if e["action"] == "approve") == {
        "kind": "person",
        "id": me["id"],
        "name": "田中 裕子",
        "organisation_id": jp_side,
        "side": "JP",
    }
    events = _events(engine, programme["id"])
    first_approval = next(e for e in events if e["data"].get("action") == "approve")
    assert first_approval["type"] == "programme.updated"
    assert first_approval["data"]["actor"]["name"] == "田中 裕子"
    approved = events[-1]
    assert approved["type"] == "programme.status_changed" and approved["data"]["to"] == "approved"
    assert approved["data"]["actor"]["side"] == "IN"
    assert [
        (a["side"], a["actor"]["name"], a["comment"]) for a in approved["data"]["approved_by"]
    ] == [
        ("JP", "田中 裕子", "Strong JP lead."),
        ("IN", approved["data"]["actor"]["name"], "Agreed for India."),
    ]


def test_participation_answers_name_who_answered(partners: Partners, secretariat: Caller, engine):
    officer = _person_caller(secretariat, engine, partners.india["id"], "partner", "Priya Nair")
    created = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    answer = officer.post(f"/v1/programmes/{created['id']}/participation", {"decision": "confirm"})
    assert answer.status_code == 200, answer.json
    confirmed = _events(engine, created["id"])[-1]
    assert confirmed["type"] == "participation.confirmed"
    assert confirmed["data"]["actor"]["name"] == "Priya Nair"
    assert confirmed["data"]["actor"]["kind"] == "person"


def test_a_deactivated_person_is_erased_from_history_and_the_event_log(
    partners: Partners, secretariat: Caller, engine: Engine, client: FlaskClient
):
    jp_side = side_organisation(secretariat, "JP")["id"]
    officer = _person_caller(secretariat, engine, jp_side, "secretariat", "Sato Kenji")
    person_id = officer.get("/v1/me").json["person"]["id"]
    programme = propose(partners)
    path = f"/v1/programmes/{programme['id']}"
    partners.jp_caller.post(f"{path}/transitions", {"action": "submit"})
    assert officer.post(f"{path}/transitions", {"action": "start_review"}).status_code == 200
    deleted = client.delete(f"/v1/people/{person_id}", headers=secretariat.headers())
    assert deleted.status_code == 204
    history = secretariat.get(f"{path}/history").json
    actor = next(e["actor"] for e in history if e["action"] == "start_review")
    assert actor == {
        "kind": "person",
        "id": person_id,
        "name": None,
        "organisation_id": jp_side,
        "side": "JP",
    }
    with engine.connect() as conn:
        everything = " ".join(str(row.payload) for row in conn.execute(select(outbox.c.payload)))
    assert "Sato Kenji" not in everything
    log = secretariat.get("/v1/events", query_string={"type": "person.deactivated"}).json
    assert any(e["data"]["id"] == person_id for e in log["items"])
    assert (
        secretariat.post(f"/v1/organisations/{partners.jp['id']}/people", person_body()).status_code
        == 201
    )


def test_a_deactivated_officer_is_erased_from_the_screenings_it_recorded(
    partners: Partners, secretariat: Caller, engine: Engine, client: FlaskClient
):
    from tests.integration.programmes.test_screenings import screening

    jp_side = side_organisation(secretariat, "JP")["id"]
    officer = _person_caller(secretariat, engine, jp_side, "secretariat", "Ito Haruka")
    person_id = officer.get("/v1/me").json["person"]["id"]
    programme = propose(partners)
    path = f"/v1/programmes/{programme['id']}/screenings"
    assert officer.post(path, screening("JP")).status_code == 201
    assert secretariat.get(path).json["items"][0]["recorded_by"]["name"] == "Ito Haruka"
    deleted = client.delete(f"/v1/people/{person_id}", headers=secretariat.headers())
    assert deleted.status_code == 204
    [recorded] = secretariat.get(path).json["items"]
    assert recorded["recorded_by"]["id"] == person_id
    assert recorded["recorded_by"]["name"] is None
    with engine.connect() as conn:
        rows = " ".join(str(r) for r in conn.execute(text("SELECT recorded_by FROM screenings")))
    assert "Ito Haruka" not in rows
