"""A person, end to end over `setu up` (issue 29): invited by the JP side, the invitation read
from a real SMTP server, signed in through the gateway with the link and a TOTP code from the
enrolled secret; it approves a programme, and its name is in the history, the event log and
the approval email."""

from __future__ import annotations

import re
import uuid

import pyotp
import pytest

from tests.e2e.topology import confirm_participation, running_setu, setup_partners
from tests.support.infra import wait_until

pytestmark = pytest.mark.e2e

NAME = "田中 裕子"
SIGN_IN = re.compile(r"https?://\S+/console/sign-in/(setul_[0-9a-f-]{36}\.[0-9a-f]{64})")


def _programme(system, partners) -> str:
    created = system.api(
        "POST",
        "/v1/programmes",
        partners.key,
        json={
            "title": "Chiplet packaging for edge AI accelerators",
            "focus_area": "ai_research",  # no export-control screening holds it
            "partners": [
                {"organisation_id": partners.jp, "role": "lead"},
                {"organisation_id": partners.india, "role": "lead"},
            ],
            "start_date": "2027-04-01",
            "end_date": "2029-03-31",
            "budget": [{"organisation_id": partners.jp, "currency": "JPY", "amount": "1000000"}],
            "exchange_slots": 2,
        },
    )
    assert created.status_code == 201, created.text
    programme_id = created.json()["id"]
    confirm_participation(system, partners.india_key, programme_id)
    submitted = system.api(
        "POST",
        f"/v1/programmes/{programme_id}/transitions",
        partners.key,
        json={"action": "submit"},
    )
    assert submitted.status_code == 200, submitted.text
    return programme_id


def test_a_person_signs_in_with_a_link_and_totp_and_approves(tmp_path, redis_url, smtp_server):
    with running_setu(tmp_path, redis_url, smtp_server.port) as system:
        partners = setup_partners(system)
        jp_key, in_key = system.bootstrap_key("JP"), system.bootstrap_key("IN")
        jp_side = system.api("GET", "/v1/me", jp_key).json()["organisation"]["id"]
        email = f"tanaka-{uuid.uuid4().hex[:6]}@mext.example.jp"
        invited = system.api(
            "POST",
            f"/v1/organisations/{jp_side}/people",
            jp_key,
            json={"name": NAME, "email": email, "role": "secretariat", "language": "ja"},
        )
        assert invited.status_code == 201, invited.text

        def invitation():
            return next((m for m in smtp_server.messages if m["To"] == email), None)

        wait_until(lambda: invitation() is not None, timeout=30, message="the invitation")
        text = invitation().get_body(("plain",)).get_content()
        assert f"{NAME} 様" in text and "ご担当者" not in text
        token = SIGN_IN.search(text)[1]
        # No usable link anywhere Setu keeps things: the event log and the databases.
        mac = token.rsplit(".", 1)[1]
        for database, table in (("programmes", "outbox"), ("notifications", "deliveries")):
            rows = system.rows(database, f"SELECT * FROM {table}")
            assert mac not in str([tuple(r) for r in rows])

        opened = system.api("POST", "/v1/sessions", json={"token": token})
        assert opened.status_code == 201, opened.text
        assert opened.json()["state"] == "totp_enrolment_required"
        session = opened.json()["session"]
        enrolment = system.api("POST", "/v1/sessions/current/totp-enrolment", session, json={})
        assert enrolment.status_code == 201, enrolment.text
        code = pyotp.TOTP(enrolment.json()["secret"]).now()
        confirmed = system.api(
            "POST", "/v1/sessions/current/totp-enrolment/confirm", session, json={"code": code}
        )
        assert confirmed.status_code == 200, confirmed.text
        assert system.api("POST", "/v1/sessions", json={"token": token}).status_code == 401

        programme_id = _programme(system, partners)
        path = f"/v1/programmes/{programme_id}/transitions"
        for caller, body in (
            (session, {"action": "start_review"}),
            (session, {"action": "approve", "comment": "日本側として承認します。"}),
            (in_key, {"action": "approve", "comment": "Approved for India."}),
        ):
            answer = system.api("POST", path, caller, json=body)
            assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "approved"

        history = system.api("GET", f"/v1/programmes/{programme_id}/history", partners.key)
        approvals = [e["actor"] for e in history.json() if e["action"] == "approve"]
        assert approvals[0]["name"] == NAME and approvals[0]["side"] == "JP"
        events = system.api(
            "GET", "/v1/events", jp_key, params={"aggregate_id": programme_id, "page_size": 100}
        ).json()["items"]
        assert any((e["data"].get("actor") or {}).get("name") == NAME for e in events)

        def approval_email():
            return next(
                (
                    m
                    for m in smtp_server.messages
                    if m["To"] == "lab@jp.example.org" and "approved" in str(m["Subject"])
                ),
                None,
            )

        wait_until(lambda: approval_email() is not None, timeout=30, message="the approval")
        body = approval_email().get_body(("plain",)).get_content()
        # The JP partner reads English: "approved by <name>, JP side", both comments quoted.
        assert f"Approved by {NAME}, JP side" in body and "日本側として承認します。" in body
        assert "Approved for India." in body
        assert f"/console/programmes/{programme_id}" in body
