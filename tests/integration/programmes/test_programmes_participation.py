"""Nobody is made a partner without consent: each organisation named by another confirms or
declines (POST /v1/programmes/{id}/participation), the programme is submitted only once every
partner has confirmed, and each answer is an event."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, select

from notifications.domain.planning import Settings, plan
from notifications.domain.recipients import Contact
from programmes.store.models import ProgrammePartner, outbox
from setu_contract.events import parse_event
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    confirm,
    new_auditor,
    new_key,
    new_organisation,
    programme_body,
)
from tests.unit.notifications.fakes import FakeDirectory


def answer(caller: Caller, programme_id: str, decision: str):
    return caller.post(f"/v1/programmes/{programme_id}/participation", {"decision": decision})


def submit(caller: Caller, programme_id: str):
    return caller.post(f"/v1/programmes/{programme_id}/transitions", {"action": "submit"})


def states(programme: dict[str, Any]) -> dict[str, str]:
    return {p["organisation_id"]: p["participation"] for p in programme["partners"]}


def events(engine: Engine, programme_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.aggregate_id == programme_id)
            .order_by(outbox.c.position)
        )
        return [row.payload for row in rows]


def draft(partners: Partners, /, **overrides: Any) -> dict[str, Any]:
    created = partners.jp_caller.post("/v1/programmes", programme_body(partners, **overrides))
    assert created.status_code == 201, created.json
    return created.json


def test_a_programme_is_submitted_only_once_every_partner_has_confirmed(
    partners: Partners, engine: Engine
):
    programme = draft(partners)
    assert states(programme) == {partners.jp["id"]: "confirmed", partners.india["id"]: "pending"}
    refused = submit(partners.jp_caller, programme["id"])
    assert refused.status_code == 409
    assert refused.json["errors"]["status"] == "draft"
    assert refused.json["errors"]["allowed_actions"] == ["withdraw"]
    assert refused.json["errors"]["unconfirmed_partners"] == [
        {
            "organisation_id": partners.india["id"],
            "name": partners.india["name"],
            "participation": "pending",
        }
    ]
    assert partners.india["name"] in refused.json["message"]
    confirmed = answer(partners.in_caller, programme["id"], "confirm")
    assert confirmed.status_code == 200
    assert states(confirmed.json)[partners.india["id"]] == "confirmed"
    assert confirmed.json["version"] == 2
    assert submit(partners.jp_caller, programme["id"]).json["status"] == "submitted"

    [created, answered, submitted] = events(engine, programme["id"])
    assert created["type"] == "programme.created"
    assert answered["type"] == "participation.confirmed"
    assert parse_event(answered) == answered
    data = answered["data"]
    assert (data["organisation_id"], data["participation"]) == (partners.india["id"], "confirmed")
    assert data["created_by_organisation_id"] == partners.jp["id"]
    assert (data["version"], submitted["data"]["version"]) == (2, 3)


def test_a_declined_programme_stays_a_draft_until_its_partners_change(
    partners: Partners, secretariat: Caller, engine: Engine
):
    programme = draft(partners)
    declined = answer(partners.in_caller, programme["id"], "decline")
    assert declined.status_code == 200
    assert states(declined.json)[partners.india["id"]] == "declined"
    assert declined.json["allowed_actions"] == []
    refused = submit(partners.jp_caller, programme["id"])
    assert refused.status_code == 409
    assert refused.json["errors"]["unconfirmed_partners"][0]["participation"] == "declined"
    # The creator is told: the event names who declined, and the notifications service plans
    # one email to the creator's contact for it.
    [event] = [e for e in events(engine, programme["id"]) if e["type"] == "participation.declined"]
    assert parse_event(event) == event
    creator = Contact(partners.jp["id"], "Tokyo", "JP", partners.jp["contact_email"], "ja")
    [email] = plan(event, FakeDirectory(creator), Settings("s@setu.test", "https://s")).emails
    assert (email.recipient.email, email.template) == (
        partners.jp["contact_email"],
        "participation_declined",
    )
    assert email.context["declined_name"] == partners.india["name"]

    # The creator names another IN lead: a new answer is asked of it.
    other = new_organisation(secretariat, "IN")
    body = programme_body(partners)
    body["partners"][1]["organisation_id"] = other["id"]
    body["budget"] = body["budget"][:1]
    changed = partners.jp_caller.client.patch(
        f"/v1/programmes/{programme['id']}", json=body, headers=partners.jp_caller.headers()
    )
    assert changed.status_code == 200, changed.json
    assert states(changed.json) == {partners.jp["id"]: "confirmed", other["id"]: "pending"}
    confirm(Caller(secretariat.client, new_key(secretariat, other["id"])), programme["id"])
    assert submit(partners.jp_caller, programme["id"]).status_code == 200


def test_partners_that_stay_keep_their_answers_and_a_new_role_is_asked_again(
    partners: Partners, secretariat: Caller
):
    member_org = new_organisation(secretariat, "JP")
    member = Caller(secretariat.client, new_key(secretariat, member_org["id"]))
    body = programme_body(partners)
    body["partners"].append({"organisation_id": member_org["id"], "role": "member"})
    programme = draft(partners, partners=body["partners"])
    confirm(partners.in_caller, programme["id"])
    confirm(member, programme["id"])
    path = f"/v1/programmes/{programme['id']}"
    edited = partners.jp_caller.client.patch(
        path, json={"title": "Chiplets, revised"}, headers=partners.jp_caller.headers()
    )
    assert set(states(edited.json).values()) == {"confirmed"}
    body["partners"][2]["role"] = "lead"
    body["partners"][0]["role"] = "member"
    body["partners"][1]["role"] = "member"
    regrouped = partners.jp_caller.client.patch(
        path, json={"partners": body["partners"]}, headers=partners.jp_caller.headers()
    )
    assert states(regrouped.json) == {
        partners.jp["id"]: "confirmed",  # the creator, whatever its role
        partners.india["id"]: "pending",
        member_org["id"]: "pending",
    }


def test_who_may_answer_and_when(partners: Partners, secretariat: Caller, secretariat_in: Caller):
    programme = draft(partners)
    pid = programme["id"]
    outsider = Caller(
        secretariat.client, new_key(secretariat, new_organisation(secretariat, "JP")["id"])
    )
    assert answer(outsider, pid, "confirm").status_code == 404
    for caller in (partners.jp_caller, secretariat, new_auditor(secretariat)):
        assert answer(caller, pid, "confirm").status_code == 403
    assert answer(partners.in_caller, pid, "maybe").status_code == 422
    # Until it confirms, a named organisation reads and answers, nothing more.
    assert partners.in_caller.get(f"/v1/programmes/{pid}").status_code == 200
    assert submit(partners.in_caller, pid).status_code == 403
    edit = partners.in_caller.client.patch(
        f"/v1/programmes/{pid}",
        json={"title": "Not yet mine"},
        headers=partners.in_caller.headers(),
    )
    assert edit.status_code == 403
    assert answer(partners.in_caller, pid, "confirm").status_code == 200
    again = answer(partners.in_caller, pid, "confirm")
    assert again.status_code == 200 and again.json["version"] == 2  # nothing changed
    other = answer(partners.in_caller, pid, "decline")
    assert other.status_code == 409 and other.json["errors"]["participation"] == "confirmed"
    assert submit(partners.in_caller, pid).status_code == 200
    late = answer(partners.in_caller, pid, "decline")
    assert late.status_code == 409
    assert late.json["errors"] == {"status": "submitted", "allowed_actions": ["withdraw"]}


def test_concurrent_answers_leave_one_answer_and_one_event(app, partners: Partners, engine: Engine):
    """Answers race on the programme's row lock (PostgreSQL) and on the answer's own
    compare-and-set (both databases): one answer per partner, whatever arrives together."""
    programme = draft(partners)
    racers = 8
    decisions = ["confirm", "decline"] * (racers // 2)
    barrier = threading.Barrier(racers)
    answers: list[tuple[str, int]] = []
    lock = threading.Lock()

    def race(decision: str) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        reply = client.post(
            f"/v1/programmes/{programme['id']}/participation",
            json={"decision": decision},
            headers=partners.in_caller.headers(),
        )
        with lock:
            answers.append((decision, reply.status_code))

    threads = [threading.Thread(target=race, args=(decision,)) for decision in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with engine.connect() as conn:
        [state] = conn.execute(
            select(ProgrammePartner.participation).where(
                ProgrammePartner.programme_id == programme["id"],
                ProgrammePartner.organisation_id == partners.india["id"],
            )
        ).scalars()
    kept = {"confirmed": "confirm", "declined": "decline"}[state]
    assert sorted(answers) == sorted(
        (decision, 200 if decision == kept else 409) for decision in decisions
    )
    answered = [e for e in events(engine, programme["id"]) if e["type"].startswith("participation")]
    assert [e["type"] for e in answered] == [f"participation.{state}"]
    assert answered[0]["data"]["version"] == 2
