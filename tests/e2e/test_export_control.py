"""Export control end to end over `setu up` (gunicorn, the relay, real workers, a real SMTP
server): a semiconductor programme is approved only once both sides have screened it; the
licence clock, ticked at chosen times (`setu programmes tick-calls --now`), warns the
secretariat 30 days before the licence expires and on the day, once each; a licence that has
run out holds the programme (no exchange accepted) until a renewed one is recorded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.topology import RunningSetu, confirm_participation, running_setu
from tests.support.infra import wait_until
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def _post(system: RunningSetu, key: str, path: str, body: dict, status: int = 201) -> dict:
    answer = system.api("POST", path, key, json=body)
    assert answer.status_code == status, answer.text
    return answer.json()


def _screening(side: str, valid_until: str | None = None) -> dict:
    body = {
        "jurisdiction": side,
        "regime": {"JP": "FEFTA", "IN": "SCOMET"}[side],
        "classification": "3E001" if valid_until else "not_listed",
        "basis": "list",
        "outcome": "licence_required" if valid_until else "cleared",
    }
    if valid_until:
        authority = {"JP": "METI", "IN": "DGFT"}[side]
        body["licence"] = {"number": "L-1", "authority": authority, "valid_until": valid_until}
    return body


def _licence_emails(smtp: SmtpServer, words: str) -> list:
    return [m for m in smtp.messages if words in str(m["Subject"])]


def _told(smtp: SmtpServer, words: str) -> list:
    wait_until(lambda: _licence_emails(smtp, words), 60, message=f"an email: {words}")
    return _licence_emails(smtp, words)


def test_screenings_hold_approval_and_an_expiring_licence_is_told_and_holds(
    tmp_path, redis_url, smtp
):
    today = datetime.now(UTC).date()
    valid_until = today + timedelta(days=3)
    with running_setu(tmp_path / "data", redis_url, smtp.port) as system:
        jp_side, in_side = system.bootstrap_key("JP"), system.bootstrap_key("IN")
        orgs, keys = {}, {}
        for country in ("JP", "IN"):
            org = {
                "name": f"{country} lab {uuid.uuid4().hex[:6]}",
                "country": country,
                "kind": "university",
                "contact_email": f"lab@{country.lower()}.example.org",
            }
            orgs[country] = _post(system, jp_side, "/v1/organisations", org)["id"]
            path = f"/v1/organisations/{orgs[country]}/api-keys"
            keys[country] = _post(system, jp_side, path, {"name": "p", "role": "partner"})["key"]
        body = {
            "title": "Chiplet packaging for edge AI accelerators",
            "focus_area": "semiconductor_packaging",
            "partners": [
                {"organisation_id": orgs["JP"], "role": "lead"},
                {"organisation_id": orgs["IN"], "role": "lead"},
            ],
            "start_date": "2027-04-01",
            "end_date": "2029-03-31",
            "exchange_slots": 2,
        }
        programme = _post(system, keys["JP"], "/v1/programmes", body)
        assert programme["screening"] == "pending"
        path = f"/v1/programmes/{programme['id']}"
        confirm_participation(system, keys["IN"], programme["id"])
        for key, action in (
            (keys["JP"], "submit"),
            (jp_side, "start_review"),
            (jp_side, "approve"),
        ):
            _post(system, key, f"{path}/transitions", {"action": action}, 200)
        held = _post(system, in_side, f"{path}/transitions", {"action": "approve"}, 409)
        assert {m["jurisdiction"] for m in held["errors"]["missing_screenings"]} == {"JP", "IN"}
        _post(system, jp_side, f"{path}/screenings", _screening("JP"))
        _post(system, in_side, f"{path}/screenings", _screening("IN", valid_until.isoformat()))
        approved = _post(system, in_side, f"{path}/transitions", {"action": "approve"}, 200)
        assert approved["status"] == "approved" and approved["screening"] == "complete"

        # The warning's day, twice (two beats): one email; the day before the warning: none.
        expires = valid_until + timedelta(days=1)
        for day in (expires - timedelta(days=31), expires - timedelta(days=30)):
            for _ in range(2):
                system.setu(
                    "programmes", "tick-calls", "--now", f"{day.isoformat()}T09:00:00+00:00"
                )
        warned = _told(smtp, "expires in 30 days")
        assert [m["To"] for m in warned] == [system.env["SECRETARIAT_EMAIL"]]
        assert programme["reference"] in warned[0]["Subject"]

        # Today the licence is still valid: an exchange's acceptance waits only for its person.
        application = {
            "programme_id": programme["id"],
            "applicant": {
                "full_name": "Sato Hana",
                "email": "hana@example.jp",
                "nationality": "JP",
                "preferred_language": "ja",
            },
            "career_stage": "phd",
            "host_organisation_id": orgs["IN"],
            "start_date": (today + timedelta(days=40)).isoformat(),
            "end_date": (today + timedelta(days=200)).isoformat(),
            "statement": "Six months at the partner lab on chiplet thermal models. " * 2,
        }
        filed = _post(system, keys["JP"], "/v1/applications", application)
        exchange = f"/v1/applications/{filed['id']}"
        _post(system, keys["JP"], f"{exchange}/transitions", {"action": "submit"}, 200)
        _post(system, keys["IN"], f"{exchange}/transitions", {"action": "endorse"}, 200)
        refused = _post(system, jp_side, f"{exchange}/transitions", {"action": "accept"}, 409)
        assert refused["errors"]["missing_screenings"][0]["jurisdiction"] == "IN"
        _post(system, in_side, f"{exchange}/screenings", _screening("IN"))

        # The day it expires: the email, once; the programme held, read from its date.
        system.setu("programmes", "tick-calls", "--now", f"{expires.isoformat()}T00:05:00+00:00")
        system.setu("programmes", "tick-calls", "--now", f"{expires.isoformat()}T00:06:00+00:00")
        assert len(_told(smtp, "programme on hold")) == 1
        assert len(_licence_emails(smtp, "expires in 30 days")) == 1
        # The API reads today's date, and the licence is valid until three days from now: no
        # hold yet.
        assert system.api("GET", path, keys["JP"]).json()["holds"] == []

        # India's side learns its licence ran out yesterday and records it so: from this
        # moment the programme is held (read from the date, on every process) and the exchange
        # is not accepted; the clock's next tick, at the real time, tells the secretariat once.
        yesterday = (today - timedelta(days=1)).isoformat()
        _post(system, in_side, f"{path}/screenings", _screening("IN", yesterday))
        assert system.api("GET", path, keys["JP"]).json()["holds"] == ["export_licence_expired"]
        held = _post(system, jp_side, f"{exchange}/transitions", {"action": "accept"}, 409)
        assert "export_licence_expired" in str(held)
        for _ in range(2):
            system.setu("programmes", "tick-calls")
        wait_until(lambda: len(_licence_emails(smtp, "programme on hold")) == 2, 60)
        assert len(_licence_emails(smtp, "programme on hold")) == 2

        # A renewed licence lifts the hold; the exchange is accepted.
        renewed = (today + timedelta(days=365)).isoformat()
        _post(system, in_side, f"{path}/screenings", _screening("IN", renewed))
        assert system.api("GET", path, keys["JP"]).json()["holds"] == []
        accepted = _post(system, jp_side, f"{exchange}/transitions", {"action": "accept"}, 200)
        assert accepted["status"] == "accepted"
