"""Export-control screening on both databases: who records which side's screening, the
holds on approval (missing, needs_information, expired licence, denied for good), the person
of an exchange screened by the host side before accept, the licence clock's notices once
with two beats, the hold on the day, and an accept in flight as the licence expires."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import sessionmaker

from programmes import clock as call_clock
from programmes.services import screening_view
from programmes.store.models import outbox
from tests.integration.programmes.conftest import Caller, Partners, new_auditor, propose
from tests.integration.programmes.test_programmes_applications import file, move

TODAY = datetime.now(UTC).date()


def screening(side: str, outcome: str = "cleared", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jurisdiction": side,
        "regime": {"JP": "FEFTA", "IN": "SCOMET"}[side],
        "classification": "not_listed" if outcome == "cleared" else "3E001",
        "basis": "list",
        "outcome": outcome,
    }
    if outcome == "licence_required":
        body["licence"] = {
            "number": f"{side}-LIC-1",
            "authority": {"JP": "METI", "IN": "DGFT"}[side],
            "valid_until": (TODAY + timedelta(days=90)).isoformat(),
        }
    return body | overrides


def record(caller: Caller, programme_id: str, body: dict[str, Any], status: int = 201):
    answer = caller.post(f"/v1/programmes/{programme_id}/screenings", body)
    assert answer.status_code == status, answer.json
    return answer.json


def under_review(partners: Partners, jp_sec: Caller, **overrides: Any) -> dict[str, Any]:
    programme = propose(partners, **overrides)
    path = f"/v1/programmes/{programme['id']}"
    assert move(partners.jp_caller, path, "submit").status_code == 200
    assert move(jp_sec, path, "start_review").status_code == 200
    return programme


def events_of(engine: Engine, kind: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload).where(outbox.c.type == kind).order_by(outbox.c.position)
        )
        return [row.payload for row in rows]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """The day the licence rules are read on, movable."""
    now = {"day": TODAY}
    monkeypatch.setattr(screening_view, "today", lambda: now["day"])
    return now


def test_a_semiconductor_programme_is_approved_only_once_both_sides_have_screened(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, engine: Engine
):
    programme = under_review(partners, secretariat)
    pid = programme["id"]
    assert programme["screening"] == "pending" and programme["holds"] == []
    path = f"/v1/programmes/{pid}"
    # The first side may approve; the second is held, naming both missing screenings.
    assert move(secretariat, path, "approve").status_code == 200
    held = move(secretariat_in, path, "approve")
    assert held.status_code == 409, held.json
    missing = held.json["errors"]["missing_screenings"]
    assert {m["jurisdiction"] for m in missing} == {"JP", "IN"}
    assert "FEFTA" in held.json["message"] and "SCOMET" in held.json["message"]
    # A JP officer cannot record the IN screening; a partner records none.
    record(secretariat, pid, screening("IN"), status=403)
    record(partners.jp_caller, pid, screening("JP"), status=403)
    record(secretariat, pid, screening("JP"))
    held = move(secretariat_in, path, "approve")
    assert held.status_code == 409
    assert [m["jurisdiction"] for m in held.json["errors"]["missing_screenings"]] == ["IN"]
    # needs_information is not a decision: still held.
    record(secretariat_in, pid, screening("IN", "needs_information"))
    held = move(secretariat_in, path, "approve")
    assert held.json["errors"]["missing_screenings"][0]["reason"] == "needs_information"
    # A licence_required screening with a valid licence supersedes it and lets it through.
    record(secretariat_in, pid, screening("IN", "licence_required"))
    # The other side is told its approval is no longer held.
    recorded = events_of(engine, "screening.recorded")
    assert recorded[-1]["data"]["approval_awaited_from"] == ["IN"]
    approved = move(secretariat_in, path, "approve")
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved"
    assert approved.json["screening"] == "complete"
    history = secretariat.get(f"{path}/screenings").json["items"]
    assert [(s["jurisdiction"], s["outcome"], s["current"]) for s in history] == [
        ("IN", "licence_required", True),
        ("IN", "needs_information", False),
        ("JP", "cleared", True),
    ]
    assert history[1]["superseded_by_id"] == history[0]["id"]


def test_a_denied_screening_blocks_approval_for_good(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    pid = under_review(partners, secretariat)["id"]
    path = f"/v1/programmes/{pid}"
    record(secretariat, pid, screening("JP", "denied", classification="3E001"))
    record(secretariat_in, pid, screening("IN"))
    assert move(secretariat_in, path, "approve").status_code == 200
    held = move(secretariat, path, "approve")
    assert held.status_code == 409
    assert "denied" in held.json["message"] and held.json["errors"]["denied_screenings"] == ["JP"]
    # Not superseded, not even by the side that denied it.
    record(secretariat, pid, screening("JP"), status=409)
    assert move(secretariat, path, "approve").status_code == 409


def test_programmes_outside_controlled_areas_need_no_screening_unless_declared(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    plain = under_review(partners, secretariat, focus_area="ai_research")
    assert plain["screening"] == "not_required"
    path = f"/v1/programmes/{plain['id']}"
    assert move(secretariat, path, "approve").status_code == 200
    assert move(secretariat_in, path, "approve").status_code == 200
    declared = under_review(
        partners,
        secretariat,
        focus_area="ai_research",
        technology_transfer={"controlled_items_expected": True, "description": "EUV masks"},
    )
    assert declared["screening"] == "pending"
    assert declared["technology_transfer"]["description"] == "EUV masks"
    path = f"/v1/programmes/{declared['id']}"
    assert move(secretariat, path, "approve").status_code == 200
    assert move(secretariat_in, path, "approve").status_code == 409
    chain = under_review(partners, secretariat, focus_area="supply_chain_resilience")
    assert chain["screening"] == "pending"


@pytest.mark.parametrize(
    "body, field",
    [
        (screening("JP", regime="SCOMET"), "regime"),
        (screening("JP", "licence_required") | {"licence": None}, "licence"),
        (
            screening("JP", "licence_required")
            | {"licence": {"number": "X", "authority": "DGFT", "valid_until": "2030-01-01"}},
            "licence.authority",
        ),
        (
            screening("JP") | {"licence": {"number": "X", "authority": "METI", "valid_until": "x"}},
            "licence",
        ),
        (screening("JP", outcome="maybe"), "outcome"),
        (screening("JP", basis="whim"), "basis"),
        (screening("JP") | {"colour": "red"}, "colour"),
    ],
)
def test_bad_screenings_are_refused_and_nothing_is_written(
    partners: Partners, secretariat: Caller, body: dict[str, Any], field: str
):
    pid = propose(partners)["id"]
    answer = secretariat.post(f"/v1/programmes/{pid}/screenings", body)
    assert answer.status_code == 422, answer.json
    assert any(name.startswith(field) for name in answer.json["errors"]), answer.json
    assert secretariat.get(f"/v1/programmes/{pid}/screenings").json["items"] == []
    assert secretariat.get(f"/v1/programmes/{pid}").json["screening"] == "pending"


def test_partners_see_pending_or_complete_never_the_details(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    pid = propose(partners)["id"]
    record(secretariat, pid, screening("JP", notes="deemed export: check affiliations"))
    for partner in (partners.jp_caller, partners.in_caller):
        answer = partner.get(f"/v1/programmes/{pid}/screenings")
        assert answer.status_code == 403
        seen = partner.get(f"/v1/programmes/{pid}").json
        assert seen["screening"] == "pending"
        assert "deemed" not in str(seen)
    record(secretariat_in, pid, screening("IN"))
    assert partners.jp_caller.get(f"/v1/programmes/{pid}").json["screening"] == "complete"
    auditor = new_auditor(secretariat)
    items = auditor.get(f"/v1/programmes/{pid}/screenings").json["items"]
    assert {s["jurisdiction"] for s in items} == {"JP", "IN"}
    # Auditors write nothing.
    record(auditor, pid, screening("JP"), status=403)
    assert secretariat.get("/v1/programmes/nope/screenings").status_code == 404


def approved_screened(
    partners: Partners, jp_sec: Caller, in_sec: Caller, jp: str = "cleared", india: str = "cleared"
) -> dict[str, Any]:
    programme = under_review(partners, jp_sec, exchange_slots=3)
    pid = programme["id"]
    record(jp_sec, pid, screening("JP", jp))
    record(in_sec, pid, screening("IN", india))
    path = f"/v1/programmes/{pid}"
    assert move(jp_sec, path, "approve").status_code == 200
    assert move(in_sec, path, "approve").status_code == 200
    return programme


def endorsed(partners: Partners, programme: dict[str, Any]) -> str:
    application = file(partners, programme)
    path = f"/v1/applications/{application['id']}"
    assert move(partners.jp_caller, path, "submit").status_code == 200
    assert move(partners.in_caller, path, "endorse").status_code == 200
    return path


def test_the_person_is_screened_by_the_host_side_before_accept(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    programme = approved_screened(partners, secretariat, secretariat_in)
    path = endorsed(partners, programme)  # JP -> IN: India hosts
    held = move(secretariat, path, "accept")
    assert held.status_code == 409, held.json
    assert held.json["errors"]["missing_screenings"][0]["jurisdiction"] == "IN"
    assert "SCOMET" in held.json["message"]
    # The host side screens the person; the home side may not, nor under its own regime.
    assert secretariat.post(f"{path}/screenings", screening("JP")).status_code == 422
    assert secretariat.post(f"{path}/screenings", screening("IN")).status_code == 403
    assert partners.in_caller.post(f"{path}/screenings", screening("IN")).status_code == 403
    made = secretariat_in.post(f"{path}/screenings", screening("IN"))
    assert made.status_code == 201, made.json
    assert made.json["subject"] == "person"
    assert partners.in_caller.get(f"{path}/screenings").status_code == 403
    assert len(secretariat.get(f"{path}/screenings").json["items"]) == 1
    accepted = move(secretariat, path, "accept")
    assert accepted.status_code == 200, accepted.json
    # A denied person is not accepted, ever.
    other = endorsed(partners, programme)
    assert secretariat_in.post(f"{other}/screenings", screening("IN", "denied")).status_code == 201
    held = move(secretariat, other, "accept")
    assert held.status_code == 409 and "denied" in held.json["message"]


def test_a_programme_outside_controlled_areas_accepts_without_screening(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    programme = under_review(partners, secretariat, focus_area="ai_research")
    path = f"/v1/programmes/{programme['id']}"
    assert move(secretariat, path, "approve").status_code == 200
    assert move(secretariat_in, path, "approve").status_code == 200
    assert move(secretariat, endorsed(partners, programme), "accept").status_code == 200


def tick(engine: Engine, day: date) -> dict[str, int]:
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return call_clock.tick(sessionmaker(engine), moment)


def test_an_expiring_licence_warns_30_days_before_and_holds_the_programme_on_the_day(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, engine: Engine, clock
):
    programme = approved_screened(partners, secretariat, secretariat_in, india="licence_required")
    pid = programme["id"]
    valid_until = TODAY + timedelta(days=90)
    expires = valid_until + timedelta(days=1)
    path = endorsed(partners, programme)
    assert secretariat_in.post(f"{path}/screenings", screening("IN")).status_code == 201
    assert tick(engine, expires - timedelta(days=31))["licence_notices"] == 0
    # Two beats on the warning's day: one notice.
    beats = [tick(engine, expires - timedelta(days=30)) for _ in range(2)]
    assert [b["licence_notices"] for b in beats] == [1, 0]
    warned = events_of(engine, "screening.licence_expiring")
    assert len(warned) == 1 and warned[0]["data"]["kind"] == "30d"
    assert warned[0]["data"]["jurisdiction"] == "IN"
    clock["day"] = valid_until  # still valid on its last day
    assert secretariat.get(f"/v1/programmes/{pid}").json["holds"] == []
    clock["day"] = expires
    assert tick(engine, expires)["licence_notices"] == 1
    assert tick(engine, expires + timedelta(days=1))["licence_notices"] == 0
    expired = events_of(engine, "screening.licence_expired")
    assert len(expired) == 1
    assert expired[0]["data"]["holds"] == ["export_licence_expired"]
    seen = partners.jp_caller.get(f"/v1/programmes/{pid}").json
    assert seen["holds"] == ["export_licence_expired"]
    held = move(secretariat, path, "accept")
    assert held.status_code == 409
    assert held.json["errors"]["holds"] == ["export_licence_expired"]
    # A renewed licence lifts the hold.
    renewed = screening("IN", "licence_required")
    renewed["licence"]["valid_until"] = (expires + timedelta(days=365)).isoformat()
    record(secretariat_in, pid, renewed)
    assert secretariat.get(f"/v1/programmes/{pid}").json["holds"] == []
    assert move(secretariat, path, "accept").status_code == 200


def _hold_programme_lock(engine: Engine, programme_id: str, held: threading.Event, go):
    """Hold the programme's lock as a transaction does (SQLite: the engine begins every
    transaction IMMEDIATE, the one write lock; PostgreSQL: the row lock) until ``go``."""
    with engine.connect() as conn:
        conn.begin()
        lock = (
            "UPDATE programmes SET version = version WHERE id = :id"
            if engine.dialect.name == "sqlite"
            else "SELECT id FROM programmes WHERE id = :id FOR UPDATE"
        )
        conn.execute(text(lock), {"id": programme_id})
        held.set()
        go.wait(10)
        conn.rollback()


def test_an_accept_in_flight_as_the_licence_expires_is_refused(
    partners: Partners,
    secretariat: Caller,
    secretariat_in: Caller,
    engine: Engine,
    clock,
    app,
):
    """The accept waits for the programme's lock while the day turns and the licence
    expires: it reads the day after the lock is held, and refuses."""
    programme = approved_screened(partners, secretariat, secretariat_in, jp="licence_required")
    path = endorsed(partners, programme)
    assert secretariat_in.post(f"{path}/screenings", screening("IN")).status_code == 201
    clock["day"] = TODAY + timedelta(days=90)  # the licence's last valid day
    held, go = threading.Event(), threading.Event()
    locker = threading.Thread(target=_hold_programme_lock, args=(engine, programme["id"], held, go))
    locker.start()
    assert held.wait(10)
    answers: list[Any] = []
    other = app.test_client()
    accepting = threading.Thread(
        target=lambda: answers.append(
            other.post(
                f"{path}/transitions", json={"action": "accept"}, headers=secretariat.headers()
            )
        )
    )
    accepting.start()
    time.sleep(0.5)  # the accept is in flight, waiting for the lock
    assert not answers
    clock["day"] = TODAY + timedelta(days=91)  # midnight: the licence has expired
    go.set()
    locker.join(10)
    accepting.join(20)
    assert len(answers) == 1
    assert answers[0].status_code == 409, answers[0].json
    assert answers[0].json["errors"]["holds"] == ["export_licence_expired"]
    assert secretariat.get(path).json["status"] == "endorsed"


def test_each_side_sees_the_screenings_it_owes_and_its_licences_expiring(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, clock
):
    pid = under_review(partners, secretariat)["id"]
    plain = under_review(partners, secretariat, focus_area="ai_research")["id"]
    due = secretariat.get("/v1/screenings/work").json["due"]
    assert pid in [d["programme_id"] for d in due] and plain not in [d["programme_id"] for d in due]
    record(secretariat, pid, screening("JP"))
    licensed = screening("IN", "licence_required")
    licensed["licence"]["valid_until"] = (TODAY + timedelta(days=10)).isoformat()
    record(secretariat_in, pid, licensed)
    jp_work = secretariat.get("/v1/screenings/work").json
    in_work = secretariat_in.get("/v1/screenings/work").json
    assert pid not in [d["programme_id"] for d in jp_work["due"]]
    assert pid not in [d["programme_id"] for d in in_work["due"]]
    assert jp_work["licences"] == []
    [expiring] = in_work["licences"]
    assert expiring["programme_id"] == pid and expiring["expired"] is False
    assert expiring["expires_on"] == (TODAY + timedelta(days=11)).isoformat()
    clock["day"] = TODAY + timedelta(days=11)
    assert secretariat_in.get("/v1/screenings/work").json["licences"][0]["expired"] is True
    auditor = new_auditor(secretariat)
    assert len(auditor.get("/v1/screenings/work").json["licences"]) == 1
    assert partners.jp_caller.get("/v1/screenings/work").status_code == 403
