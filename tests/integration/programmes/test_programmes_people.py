"""People, sign-in links, sessions and TOTP (issue 29), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, update

from programmes.store.models import PersonSession, SignInLink
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    another_process,
    new_organisation,
    side_organisation,
)
from tests.support.people import link_for, person_body, totp_now, wrong_code


def invite(caller: Caller, organisation_id: str, **overrides: Any) -> dict[str, Any]:
    answer = caller.post(f"/v1/organisations/{organisation_id}/people", person_body(**overrides))
    assert answer.status_code == 201, answer.json
    return answer.json


def spend(client: FlaskClient, token: str):
    return client.post("/v1/sessions", json={"token": token})


def sign_in(client: FlaskClient, engine: Engine, person: dict[str, Any]) -> dict[str, Any]:
    answer = spend(client, link_for(engine, person["id"]))
    assert answer.status_code == 201, answer.json
    return answer.json


def as_session(client: FlaskClient, opened: dict[str, Any]) -> Caller:
    return Caller(client, opened["session"])


def test_a_partner_person_is_invited_signs_in_and_acts_as_its_organisation(
    partners: Partners, engine: Engine, client: FlaskClient
):
    person = invite(partners.jp_caller, partners.jp["id"], time_zone="Asia/Tokyo")
    assert person["role"] == "partner" and person["active"] is True
    assert person["totp_enrolled"] is False and "deactivate" in person["allowed_actions"]
    opened = sign_in(client, engine, person)
    assert opened["state"] == "active" and opened["session"].startswith("setus_")
    me = as_session(client, opened).get("/v1/me")
    assert me.status_code == 200, me.json
    assert me.json["person"]["id"] == person["id"] and me.json["key"] is None
    assert me.json["organisation"]["id"] == partners.jp["id"] and me.json["role"] == "partner"
    listed = as_session(client, opened).get("/v1/programmes")
    assert listed.status_code == 200


def test_a_key_is_answered_by_me_with_its_name(partners: Partners):
    me = partners.jp_caller.get("/v1/me").json
    assert me["person"] is None and me["key"]["name"] == "test" and me["side"] is None


def test_a_link_works_once(partners: Partners, engine: Engine, client: FlaskClient):
    person = invite(partners.jp_caller, partners.jp["id"])
    token = link_for(engine, person["id"])
    assert spend(client, token).status_code == 201
    again = spend(client, token)
    assert again.status_code == 401 and "used already" in again.json["message"]


def test_a_link_after_15_minutes_is_refused(
    partners: Partners, engine: Engine, client: FlaskClient
):
    person = invite(partners.jp_caller, partners.jp["id"])
    with engine.begin() as conn:
        conn.execute(
            update(SignInLink)
            .where(SignInLink.person_id == person["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    late = spend(client, link_for(engine, person["id"]))
    assert late.status_code == 401 and "expired" in late.json["message"]


def test_a_forged_link_is_refused(partners: Partners, engine: Engine, client: FlaskClient):
    person = invite(partners.jp_caller, partners.jp["id"])
    token = link_for(engine, person["id"])
    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    assert spend(client, forged).status_code == 401


def test_sign_in_answers_the_same_for_anyone_and_sends_at_most_5_links(
    partners: Partners, engine: Engine, client: FlaskClient
):
    person = invite(partners.jp_caller, partners.jp["id"])
    known = client.post("/v1/sign-in", json={"email": person["email"].upper()})
    unknown = client.post("/v1/sign-in", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json
    for _ in range(6):
        assert client.post("/v1/sign-in", json={"email": person["email"]}).status_code == 202
    with engine.connect() as conn:
        sent = conn.exec_driver_sql(
            "SELECT count(*) FROM outbox WHERE type = 'person.sign_in_requested' "
            f"AND aggregate_id = '{person['id']}'"
        ).scalar()
    assert sent == 4  # the invitation's link counts among the 5 of 15 minutes


def test_an_open_redirect_is_refused(client: FlaskClient):
    answer = client.post("/v1/sign-in", json={"email": "a@example.org", "next": "//evil.example"})
    assert answer.status_code == 422 and "next" in answer.json["errors"]


def test_a_secretariat_person_enrols_totp_then_confirms_every_sign_in(
    secretariat: Caller, engine: Engine, client: FlaskClient
):
    side = side_organisation(secretariat, "JP")
    person = invite(secretariat, side["id"], role="secretariat")
    opened = sign_in(client, engine, person)
    assert opened["state"] == "totp_enrolment_required"
    caller = as_session(client, opened)
    refused = caller.get("/v1/programmes")
    assert refused.status_code == 403 and refused.json["errors"]["state"]
    enrolment = caller.post("/v1/sessions/current/totp-enrolment", {})
    assert enrolment.status_code == 201, enrolment.json
    assert enrolment.json["qr_svg"].lstrip().startswith("<")
    assert enrolment.json["secret"] in enrolment.json["otpauth_uri"]
    secret = enrolment.json["secret"]
    first_code = totp_now(secret)
    confirmed = caller.post("/v1/sessions/current/totp-enrolment/confirm", {"code": first_code})
    assert confirmed.status_code == 200, confirmed.json
    codes = confirmed.json["recovery_codes"]
    assert len(set(codes)) == 10
    assert caller.get("/v1/programmes").status_code == 200
    assert caller.get("/v1/me").json["side"] == "JP"
    # The next sign-in asks for a code; a recovery code works once.
    client.post("/v1/sign-in", json={"email": person["email"]})
    second = as_session(client, sign_in(client, engine, person))
    assert second.get("/v1/sessions/current").json["state"] == "totp_required"
    used = second.post("/v1/sessions/current/totp", {"recovery_code": codes[0]})
    assert used.status_code == 200 and used.json["state"] == "active"
    client.post("/v1/sign-in", json={"email": person["email"]})
    third = as_session(client, sign_in(client, engine, person))
    again = third.post("/v1/sessions/current/totp", {"recovery_code": codes[0]})
    assert again.status_code == 422
    # A code is accepted once: the one that confirmed the enrolment is refused now.
    replayed = third.post("/v1/sessions/current/totp", {"code": first_code})
    assert replayed.status_code == 422
    assert third.post("/v1/sessions/current/totp", {"recovery_code": codes[1]}).status_code == 200


def _enrolled(secretariat: Caller, engine: Engine, client: FlaskClient) -> tuple[dict, str]:
    side = side_organisation(secretariat, "JP")
    person = invite(secretariat, side["id"], role="secretariat")
    caller = as_session(client, sign_in(client, engine, person))
    secret = caller.post("/v1/sessions/current/totp-enrolment", {}).json["secret"]
    code = {"code": totp_now(secret)}
    assert caller.post("/v1/sessions/current/totp-enrolment/confirm", code).status_code == 200
    return person, secret


def test_five_wrong_codes_lock_the_person_and_tell_it(
    secretariat: Caller, engine: Engine, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("programmes.services.totp.SLOW_DOWN", 0.0)
    person, secret = _enrolled(secretariat, engine, client)
    client.post("/v1/sign-in", json={"email": person["email"]})
    caller = as_session(client, sign_in(client, engine, person))
    answers = [
        caller.post("/v1/sessions/current/totp", {"code": wrong_code(secret)}) for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 429]
    assert int(answers[-1].headers["Retry-After"]) > 800
    right = caller.post("/v1/sessions/current/totp", {"code": totp_now(secret)})
    assert right.status_code == 429  # locked: even the right code waits
    with engine.connect() as conn:
        locked = conn.exec_driver_sql(
            f"SELECT count(*) FROM outbox WHERE type = 'person.locked' "
            f"AND aggregate_id = '{person['id']}'"
        ).scalar()
    assert locked == 1


def test_a_deactivated_persons_session_is_refused_in_another_process(
    partners: Partners,
    engine: Engine,
    client: FlaskClient,
    database_url: str,
    redis_url: str,
):
    person = invite(partners.jp_caller, partners.jp["id"])
    opened = sign_in(client, engine, person)
    other = another_process(database_url, redis_url)
    try:
        elsewhere = as_session(other.test_client(), opened)
        assert elsewhere.get("/v1/me").status_code == 200
        assert (
            partners.jp_caller.client.delete(
                f"/v1/people/{person['id']}", headers=partners.jp_caller.headers()
            ).status_code
            == 204
        )
        refused = elsewhere.get("/v1/me")
        assert refused.status_code == 401
    finally:
        other.extensions["programmes.engine"].dispose()
    gone = partners.jp_caller.get(f"/v1/people/{person['id']}").json
    assert gone["active"] is False and gone["name"] is None and gone["email"] is None


def test_a_session_ends_after_30_idle_minutes_and_after_12_hours(
    partners: Partners, engine: Engine, client: FlaskClient
):
    person = invite(partners.jp_caller, partners.jp["id"])
    idle = as_session(client, sign_in(client, engine, person))
    client.post("/v1/sign-in", json={"email": person["email"]})
    old = as_session(client, sign_in(client, engine, person))
    past = datetime.now(UTC) - timedelta(seconds=1)
    with engine.begin() as conn:
        for bearer, column in ((idle, "idle_expires_at"), (old, "expires_at")):
            session_id = bearer.key.removeprefix("setus_").split(".")[0]
            conn.execute(
                update(PersonSession).where(PersonSession.id == session_id).values({column: past})
            )
    for bearer in (idle, old):
        refused = bearer.get("/v1/me")
        assert refused.status_code == 401 and "expired" in refused.json["message"]


def test_sign_out_and_sign_out_everywhere(partners: Partners, engine: Engine, client: FlaskClient):
    person = invite(partners.jp_caller, partners.jp["id"])
    first = as_session(client, sign_in(client, engine, person))
    client.post("/v1/sign-in", json={"email": person["email"]})
    second = as_session(client, sign_in(client, engine, person))
    assert client.delete("/v1/sessions/current", headers=first.headers()).status_code == 204
    assert first.get("/v1/me").status_code == 401
    assert second.get("/v1/me").status_code == 200
    ended = client.delete(f"/v1/people/{person['id']}/sessions", headers=second.headers())
    assert ended.status_code == 204
    assert second.get("/v1/me").status_code == 401


def test_roles_follow_the_organisation(secretariat: Caller, partners: Partners):
    wrong = partners.jp_caller.post(
        f"/v1/organisations/{partners.jp['id']}/people", person_body(role="secretariat")
    )
    assert wrong.status_code == 422 and "role" in wrong.json["errors"]
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    reviewer = invite(secretariat, panel["id"], role="reviewer")
    assert reviewer["role"] == "reviewer" and reviewer["time_zone"] == "Asia/Tokyo"
    india = invite(secretariat, partners.india["id"])
    assert india["time_zone"] == "Asia/Kolkata"


def test_the_other_sides_people_are_unreachable(
    secretariat: Caller, secretariat_in: Caller, partners: Partners
):
    side_in = side_organisation(secretariat_in, "IN")
    theirs = invite(secretariat_in, side_in["id"], role="secretariat")
    path = f"/v1/organisations/{side_in['id']}/people"
    assert secretariat.post(path, person_body(role="secretariat")).status_code == 403
    assert secretariat.get(path).status_code == 403
    assert secretariat.get(f"/v1/people/{theirs['id']}").status_code == 403
    patched = secretariat.client.patch(
        f"/v1/people/{theirs['id']}", json={"name": "x"}, headers=secretariat.headers()
    )
    assert patched.status_code == 403
    deleted = secretariat.client.delete(f"/v1/people/{theirs['id']}", headers=secretariat.headers())
    assert deleted.status_code == 403
    # A partner never reaches another organisation's people.
    ours = invite(partners.jp_caller, partners.jp["id"])
    assert partners.in_caller.get(f"/v1/people/{ours['id']}").status_code == 404
    assert (
        partners.in_caller.get(f"/v1/organisations/{partners.jp['id']}/people").status_code == 403
    )


def test_a_persons_edit_and_pages(partners: Partners):
    person = invite(partners.jp_caller, partners.jp["id"])
    read = partners.jp_caller.get(f"/v1/people/{person['id']}")
    patched = partners.jp_caller.client.patch(
        f"/v1/people/{person['id']}",
        json={"language": "hi", "time_zone": "Asia/Kolkata"},
        headers=partners.jp_caller.headers({"If-Match": read.headers["ETag"]}),
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["language"] == "hi" and patched.json["version"] == 2
    stale = partners.jp_caller.client.patch(
        f"/v1/people/{person['id']}",
        json={"name": "x"},
        headers=partners.jp_caller.headers({"If-Match": read.headers["ETag"]}),
    )
    assert stale.status_code == 412
    bad = partners.jp_caller.client.patch(
        f"/v1/people/{person['id']}",
        json={"time_zone": "Mars/Olympus"},
        headers=partners.jp_caller.headers(),
    )
    assert bad.status_code == 422
    page = partners.jp_caller.get(f"/v1/organisations/{partners.jp['id']}/people").json
    assert page["total"] == 1 and page["items"][0]["id"] == person["id"]


def test_pyotp_is_rfc_6238():
    # The RFC's own test vector (SHA-1, T=59 s, 8 digits): the library we trust for codes.
    totp = pyotp.TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", digits=8)
    assert totp.at(59) == "94287082"
