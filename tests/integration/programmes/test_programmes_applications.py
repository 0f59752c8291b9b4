"""Talent-exchange applications: rules, transitions, capacity, visibility, erasure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from programmes.store.models import outbox
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_auditor,
    new_key,
    new_organisation,
    programme_body,
    propose,
    unanswered,
)

START = date.today() + timedelta(days=30)


def move(caller: Caller, path: str, action: str, comment: str | None = None):
    body = {"action": action} | ({"comment": comment} if comment else {})
    return caller.post(f"{path}/transitions", body)


def approved_programme(
    partners: Partners, jp_sec: Caller, in_sec: Caller, slots: int, **overrides: Any
) -> dict:
    # Not a controlled area: its exchanges need no export-control screening (test_screenings).
    fields = {"exchange_slots": slots, "focus_area": "ai_research", **overrides}
    programme = propose(partners, **fields)
    path = f"/v1/programmes/{programme['id']}"
    for caller, action in (
        (partners.jp_caller, "submit"),
        (jp_sec, "start_review"),
        (jp_sec, "approve"),
        (in_sec, "approve"),
    ):
        assert move(caller, path, action).status_code == 200
    return programme


def application_body(programme: dict, host_id: str, **overrides) -> dict:
    body = {
        "programme_id": programme["id"],
        "applicant": {
            "full_name": "Aiko Tanaka",
            "email": "aiko@example.jp",
            "nationality": "JP",
            "preferred_language": "ja",
        },
        "career_stage": "phd",
        "host_organisation_id": host_id,
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=180)).isoformat(),
        "statement": "I will study advanced packaging of chiplets at the host lab. " * 2,
    }
    return body | overrides


@pytest.fixture
def programme(partners: Partners, secretariat: Caller, secretariat_in: Caller) -> dict:
    return approved_programme(partners, secretariat, secretariat_in, slots=2)


def file(partners: Partners, programme: dict, **overrides) -> dict:
    answer = partners.jp_caller.post(
        "/v1/applications", application_body(programme, partners.india["id"], **overrides)
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def endorsed(partners: Partners, programme: dict) -> str:
    path = f"/v1/applications/{file(partners, programme)['id']}"
    assert move(partners.jp_caller, path, "submit").status_code == 200
    assert move(partners.in_caller, path, "endorse").status_code == 200
    return path


def test_filing_derives_direction_and_reference(partners: Partners, programme: dict, engine):
    application = file(partners, programme)
    assert application["direction"] == "JP_TO_IN"
    assert application["reference"].startswith("TEX-") and len(application["reference"]) == 14
    assert application["status"] == "draft"
    assert application["home_organisation_id"] == partners.jp["id"]
    with engine.connect() as conn:
        types = conn.execute(
            select(outbox.c.type).where(outbox.c.aggregate_id == application["id"])
        ).scalars()
        assert list(types) == ["application.created"]


def test_the_answer_to_filing_is_the_row_as_stored_and_the_event_carries_it(
    partners: Partners, programme: dict, engine
):
    """Filing builds its answer without reading the row back (services/applications.py):
    a read of the row answers the same, and the application.created event carries it."""
    application = file(partners, programme)
    read = partners.jp_caller.get(f"/v1/applications/{application['id']}")
    assert read.status_code == 200
    assert read.json == application
    with engine.connect() as conn:
        payload = conn.execute(
            select(outbox.c.payload).where(outbox.c.aggregate_id == application["id"])
        ).scalar_one()
    assert payload["data"] == unanswered(application)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": (START + timedelta(days=13)).isoformat()}, "end_date"),
        ({"end_date": (START + timedelta(days=731)).isoformat()}, "end_date"),
        ({"statement": "too short"}, "statement"),
        ({"career_stage": "wizard"}, "career_stage"),
        ({"applicant": {"full_name": "A", "email": "nope", "nationality": "JP"}}, "applicant"),
        ({"applicant": {"full_name": "A", "email": "a@b.jp", "nationality": "XX"}}, "applicant"),
        ({"programme_id": "no-such-programme"}, "programme_id"),
    ],
)
def test_field_rules(partners: Partners, programme: dict, overrides: dict, field: str):
    answer = partners.jp_caller.post(
        "/v1/applications", application_body(programme, partners.india["id"], **overrides)
    )
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]


def test_host_must_be_a_partner_in_the_other_country(
    partners: Partners, programme: dict, secretariat: Caller
):
    same_country = partners.jp_caller.post(
        "/v1/applications", application_body(programme, partners.jp["id"])
    )
    assert same_country.status_code == 422
    outsider = new_organisation(secretariat, "IN")
    not_partner = partners.jp_caller.post(
        "/v1/applications", application_body(programme, outsider["id"])
    )
    assert not_partner.status_code == 422
    assert "host_organisation_id" in not_partner.json["errors"]


def test_submission_needs_an_approved_programme(partners: Partners):
    draft = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    application = file(partners, draft)
    answer = move(partners.jp_caller, f"/v1/applications/{application['id']}", "submit")
    assert answer.status_code == 409 and answer.json["errors"]["programme_status"] == "draft"


def test_only_home_host_secretariat_and_auditors_see_an_application(
    partners: Partners, programme: dict, secretariat: Caller
):
    application = file(partners, programme)
    path = f"/v1/applications/{application['id']}"
    other = new_organisation(secretariat, "IN")
    stranger = Caller(secretariat.client, new_key(secretariat, other["id"]))
    auditor = new_auditor(secretariat)
    assert stranger.get(path).status_code == 404
    assert stranger.get("/v1/applications").json["total"] == 0
    for caller in (partners.jp_caller, partners.in_caller, secretariat, auditor):
        assert caller.get(path).status_code == 200
    assert move(auditor, path, "submit").status_code == 403


def test_accepting_beyond_the_slots_is_409_and_withdrawal_frees_a_slot(
    partners: Partners, programme: dict, secretariat: Caller
):
    paths = [endorsed(partners, programme) for _ in range(3)]
    assert move(partners.in_caller, paths[0], "accept").status_code == 403
    assert move(secretariat, paths[0], "accept").json["status"] == "accepted"
    assert move(secretariat, paths[1], "waitlist").json["status"] == "waitlisted"
    assert move(secretariat, paths[1], "accept").status_code == 200
    full = move(secretariat, paths[2], "accept")
    assert full.status_code == 409 and full.json["errors"]["accepted"] == 2
    assert move(partners.jp_caller, paths[0], "withdraw").json["status"] == "withdrawn"
    assert move(secretariat, paths[2], "accept").status_code == 200
    history = partners.jp_caller.get(f"{paths[2]}/history").json
    assert [h["action"] for h in history] == ["submit", "endorse", "accept"]


def test_declining_and_rejecting_need_a_comment(partners: Partners, programme: dict, secretariat):
    path = f"/v1/applications/{file(partners, programme)['id']}"
    move(partners.jp_caller, path, "submit")
    assert move(partners.in_caller, path, "decline_hosting").status_code == 422
    declined = move(partners.in_caller, path, "decline_hosting", "no bench space")
    assert declined.json["status"] == "rejected"


def test_draft_edits_with_if_match(partners: Partners, programme: dict):
    created = partners.jp_caller.post(
        "/v1/applications", application_body(programme, partners.india["id"])
    )
    path = f"/v1/applications/{created.json['id']}"
    etag = created.headers["ETag"]
    edited = partners.jp_caller.client.patch(
        path,
        json={"career_stage": "postdoc", "applicant": {"full_name": "Aiko Tanaka-Sato"}},
        headers=partners.jp_caller.headers({"If-Match": etag}),
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["applicant"]["full_name"] == "Aiko Tanaka-Sato"
    assert edited.json["applicant"]["email"] == "aiko@example.jp"
    stale = partners.jp_caller.client.patch(
        path, json={"career_stage": "phd"}, headers=partners.jp_caller.headers({"If-Match": etag})
    )
    assert stale.status_code == 412
    host_edit = partners.in_caller.client.patch(
        path, json={"career_stage": "phd"}, headers=partners.in_caller.headers()
    )
    assert host_edit.status_code == 403


def test_personal_data_erasure_keeps_the_anonymous_facts(
    partners: Partners, programme: dict, secretariat: Caller, engine
):
    application = file(partners, programme)
    path = f"/v1/applications/{application['id']}/personal-data"
    assert (
        partners.jp_caller.client.delete(path, headers=partners.jp_caller.headers()).status_code
        == 403
    )
    assert secretariat.client.delete(path, headers=secretariat.headers()).status_code == 204
    assert secretariat.client.delete(path, headers=secretariat.headers()).status_code == 204
    after = secretariat.get(f"/v1/applications/{application['id']}").json
    assert after["applicant"] is None and after["statement"] is None
    assert after["personal_data_erased"] is True
    assert (after["direction"], after["career_stage"]) == ("JP_TO_IN", "phd")
    edit = partners.jp_caller.client.patch(
        f"/v1/applications/{application['id']}",
        json={"statement": "Written back after the erasure, which must not be possible. " * 2},
        headers=partners.jp_caller.headers(),
    )
    assert edit.status_code == 409 and "erased" in edit.json["message"], edit.json
    assert edit.json["errors"]["personal_data_erased"] is True
    with engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload).where(outbox.c.aggregate_id == application["id"])
        ).scalars()
        erased = [p for p in payloads if p["type"] == "application.personal_data_erased"]
    assert len(erased) == 1 and erased[0]["data"]["id"] == application["id"]


def test_application_list_totals_count_what_the_pages_hold(
    partners: Partners, programme: dict, secretariat: Caller
):
    filed = [file(partners, programme)["id"] for _ in range(3)]
    for caller in (secretariat, partners.jp_caller, partners.in_caller):
        answer = caller.get("/v1/applications", query_string={"page_size": 2}).json
        rest = caller.get("/v1/applications", query_string={"page_size": 2, "page": 2}).json
        assert answer["total"] == 3
        assert [a["id"] for a in answer["items"] + rest["items"]] == filed[::-1]
    stranger = Caller(
        secretariat.client, new_key(secretariat, new_organisation(secretariat, "IN")["id"])
    )
    assert stranger.get("/v1/applications").json["total"] == 0


def test_every_answer_written_as_it_is_has_its_schemas_shape(
    partners: Partners, programme: dict, secretariat: Caller
):
    """Answers that carry one resource are written as their snapshot, not dumped through the
    response schema (api.with_etag): a snapshot with a field its schema lacks, or in another
    form, would reach clients as it is. Each is held here to what the schema would dump."""
    from programmes.application_schemas import ApplicationSchema
    from programmes.organisation_schemas import OrganisationSchema
    from programmes.schemas import ProgrammeSchema

    filed = partners.jp_caller.post(
        "/v1/applications",
        application_body(programme, partners.india["id"]),
        headers={"Idempotency-Key": "shape-check"},
    )
    application_path = f"/v1/applications/{filed.json['id']}"
    answers = [
        (ApplicationSchema, filed),
        (ApplicationSchema, partners.jp_caller.get(application_path)),
        (ApplicationSchema, move(partners.jp_caller, application_path, "submit")),
        (ProgrammeSchema, partners.jp_caller.get(f"/v1/programmes/{programme['id']}")),
        (ProgrammeSchema, partners.jp_caller.post("/v1/programmes", programme_body(partners))),
        (OrganisationSchema, partners.jp_caller.get(f"/v1/organisations/{partners.jp['id']}")),
        # Another organisation's, in part.
        (OrganisationSchema, partners.jp_caller.get(f"/v1/organisations/{partners.india['id']}")),
        (OrganisationSchema, secretariat.post("/v1/organisations", new_org_body())),
    ]
    for schema, answer in answers:
        assert answer.status_code in (200, 201), answer.json
        assert answer.headers["ETag"]
        assert schema().dump(answer.json) == answer.json
    assert "contact_email" not in answers[6][1].json
    replayed = partners.jp_caller.post(
        "/v1/applications",
        application_body(programme, partners.india["id"]),
        headers={"Idempotency-Key": "shape-check"},
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.status_code == 201 and replayed.json == filed.json


def new_org_body() -> dict:
    return {
        "name": "Indian Institute of Science",
        "country": "IN",
        "kind": "university",
        "contact_email": "office@iisc.example.in",
    }
