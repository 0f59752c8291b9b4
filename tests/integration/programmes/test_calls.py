"""Calls for proposals on both databases: create and edit while draft, who reads them, the
clock that opens and closes them once (two ticks at once), submission only while open and
only if eligible, reminders to partners with drafts."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from programmes import clock as call_clock
from programmes.store.models import outbox
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_auditor,
    programme_body,
    propose,
)


def call_body(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "title": "Semiconductor packaging 2027",
        "description": "Joint research in advanced packaging.",
        "focus_areas": ["semiconductor_packaging", "semiconductor_design"],
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "timezone": "Asia/Tokyo",
        "budget_envelope": {"JPY": "80000000", "INR": "1000"},
        "max_budget_per_programme": {"JPY": "60000000"},
        "eligibility": {"min_partners": 2, "max_partners": 4},
        "review": {
            "reviewers_per_proposal": 3,
            "criteria": [
                {"key": "merit", "label": "Scientific merit", "weight": 3},
                {"key": "impact", "label": "Impact", "weight": 1},
            ],
            "due_days": 14,
        },
    }
    body.update(overrides)
    return body


def new_call(secretariat: Caller, **overrides: Any) -> dict[str, Any]:
    made = secretariat.post("/v1/calls", call_body(**overrides))
    assert made.status_code == 201, made.json
    return made.json


def tick(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    return call_clock.tick(sessionmaker(engine), now or datetime.now(UTC))


def events_of(engine: Engine, kind: str, aggregate_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.type == kind, outbox.c.aggregate_id == aggregate_id)
            .order_by(outbox.c.position)
        )
        return [row.payload for row in rows]


def open_call(secretariat: Caller, engine: Engine, **overrides: Any) -> dict[str, Any]:
    call = new_call(secretariat, **overrides)
    tick(engine)
    return secretariat.get(f"/v1/calls/{call['id']}").json


def submit(caller: Caller, programme_id: str):
    return caller.post(f"/v1/programmes/{programme_id}/transitions", {"action": "submit"})


def test_a_call_is_created_in_its_time_zone_and_edited_only_while_draft(
    secretariat: Caller, partners: Partners, engine: Engine
):
    call = new_call(
        secretariat,
        opens_at="2099-04-01T09:00:00",
        closes_at="2099-06-30T17:00:00",
        timezone="Asia/Kolkata",
    )
    assert call["status"] == "draft"
    assert call["opens_at"] == "2099-04-01T09:00:00+05:30"
    assert call["closes_at"] == "2099-06-30T17:00:00+05:30"
    assert "edit" in call["allowed_actions"]
    # Partners do not know a draft call; the secretariat and auditors do.
    assert partners.jp_caller.get(f"/v1/calls/{call['id']}").status_code == 404
    assert new_auditor(secretariat).get(f"/v1/calls/{call['id']}").status_code == 200
    listed = partners.jp_caller.get("/v1/calls").json["items"]
    assert call["id"] not in [c["id"] for c in listed]
    # A partner may not create or edit one.
    assert partners.jp_caller.post("/v1/calls", call_body()).status_code == 403
    edited = secretariat.client.patch(
        f"/v1/calls/{call['id']}",
        json={"title": "Semiconductor packaging 2099", "timezone": "Asia/Tokyo"},
        headers=secretariat.headers(),
    )
    assert edited.status_code == 200, edited.json
    # The same local times, now read in Tokyo.
    assert edited.json["opens_at"] == "2099-04-01T09:00:00+09:00"
    opened = secretariat.post(f"/v1/calls/{call['id']}/transitions", {"action": "open"})
    assert opened.status_code == 200 and opened.json["status"] == "open"
    refused = secretariat.client.patch(
        f"/v1/calls/{call['id']}", json={"title": "Too late now"}, headers=secretariat.headers()
    )
    assert refused.status_code == 409
    assert partners.jp_caller.get(f"/v1/calls/{call['id']}").status_code == 200


def test_bad_calls_are_refused_with_their_fields_named(secretariat: Caller):
    answer = secretariat.post(
        "/v1/calls",
        call_body(
            timezone="Mars/Olympus",
            focus_areas=[],
            review={"reviewers_per_proposal": 0, "criteria": [], "due_days": 1},
        ),
    )
    assert answer.status_code == 422
    assert {"focus_areas", "review"} <= set(answer.json["errors"])
    backwards = secretariat.post(
        "/v1/calls",
        call_body(opens_at="2099-05-01T00:00:00", closes_at="2099-04-01T00:00:00"),
    )
    assert backwards.status_code == 422 and "closes_at" in backwards.json["errors"]
    zone = secretariat.post("/v1/calls", call_body(timezone="Mars/Olympus"))
    assert zone.status_code == 422 and "timezone" in zone.json["errors"]


def test_the_clock_opens_and_closes_a_call_once_even_with_two_ticks_at_once(
    secretariat: Caller, engine: Engine
):
    now = datetime.now(UTC)
    call = new_call(
        secretariat,
        opens_at=(now + timedelta(hours=1)).isoformat(),
        closes_at=(now + timedelta(hours=2)).isoformat(),
    )
    assert tick(engine, now)["moved"] == 0

    def two_ticks(at: datetime) -> None:
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                barrier.wait()
                tick(engine, at)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []

    two_ticks(now + timedelta(hours=1, minutes=1))
    assert secretariat.get(f"/v1/calls/{call['id']}").json["status"] == "open"
    two_ticks(now + timedelta(hours=3))
    assert secretariat.get(f"/v1/calls/{call['id']}").json["status"] == "closed"
    moves = [e["data"]["action"] for e in events_of(engine, "call.status_changed", call["id"])]
    assert moves == ["open", "close"]


def test_a_programme_answering_a_call_is_submitted_only_while_it_is_open(
    secretariat: Caller, partners: Partners, engine: Engine
):
    now = datetime.now(UTC)
    call = open_call(secretariat, engine, closes_at=(now + timedelta(hours=1)).isoformat())
    programme = propose(partners, call_id=call["id"])
    assert programme["call_id"] == call["id"]
    # The call closes by its clock: a submission after its time is refused at once, even
    # before the beat has moved it.
    late = datetime.now(UTC) + timedelta(hours=2)
    with _clock_at(late):
        refused = submit(partners.jp_caller, programme["id"])
    assert refused.status_code == 409, refused.json
    assert call["closes_at"] in refused.json["message"]
    assert refused.json["errors"]["closes_at"] == call["closes_at"]
    assert submit(partners.jp_caller, programme["id"]).status_code == 200
    tick(engine, late)
    again = propose(partners)
    answer = partners.jp_caller.client.patch(
        f"/v1/programmes/{again['id']}",
        json={"call_id": call["id"]},
        headers=partners.jp_caller.headers(),
    )
    assert answer.status_code == 409  # a closed call takes no more proposals


def test_a_programme_that_breaks_the_call_s_rules_is_refused_naming_each(
    secretariat: Caller, partners: Partners, engine: Engine
):
    call = open_call(
        secretariat,
        engine,
        eligibility={"min_partners": 2, "organisation_kinds": ["company"]},
        max_budget_per_programme={"JPY": "1000000"},
    )
    programme = propose(partners, call_id=call["id"], focus_area="ai_research")
    refused = submit(partners.jp_caller, programme["id"])
    assert refused.status_code == 422, refused.json
    assert set(refused.json["errors"]) == {
        "focus_areas",
        "organisation_kinds",
        "max_budget_per_programme.JPY",
    }
    assert partners.jp_caller.get(f"/v1/programmes/{programme['id']}").json["status"] == "draft"


def test_an_unknown_or_draft_call_cannot_be_answered(secretariat: Caller, partners: Partners):
    draft = new_call(secretariat, opens_at="2099-01-01T00:00:00", closes_at="2099-02-01T00:00:00")
    for call_id in ("no-such-call", draft["id"]):
        answer = partners.jp_caller.post(
            "/v1/programmes", programme_body(partners, call_id=call_id)
        )
        assert answer.status_code == 422 and "call_id" in answer.json["errors"]


def test_partners_with_drafts_are_reminded_once_7_days_and_1_day_before_closing(
    secretariat: Caller, partners: Partners, engine: Engine
):
    now = datetime.now(UTC)
    closes = now + timedelta(days=10)
    call = open_call(secretariat, engine, closes_at=closes.isoformat())
    draft = propose(partners, call_id=call["id"])
    assert tick(engine, now)["reminded"] == 0
    for _ in range(2):
        tick(engine, closes - timedelta(days=6))
    for _ in range(2):
        tick(engine, closes - timedelta(hours=20))
    reminders = events_of(engine, "call.closing_reminder", call["id"])
    assert [r["data"]["kind"] for r in reminders] == ["7d", "1d"]
    assert reminders[0]["data"]["drafts"][0]["programme_id"] == draft["id"]
    assert set(reminders[0]["data"]["drafts"][0]["organisation_ids"]) == {
        partners.jp["id"],
        partners.india["id"],
    }


class _clock_at:
    """The programmes service's clock set to ``moment`` for a block."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __enter__(self) -> None:
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr("programmes.services.calls.now", lambda: self.moment)

    def __exit__(self, *_: Any) -> None:
        self.patch.undo()


def test_the_tick_calls_command_opens_a_call_that_is_due(
    secretariat: Caller, engine: Engine, programmes_env: dict[str, str]
):
    from click.testing import CliRunner

    from programmes.cli import cli

    call = new_call(secretariat)
    result = CliRunner().invoke(cli, ["tick-calls"], env=programmes_env)
    assert result.exit_code == 0, result.output
    assert "moved: 1" in result.output
    assert secretariat.get(f"/v1/calls/{call['id']}").json["status"] == "open"


def test_the_programmes_answering_a_call_are_listed_by_call_id(
    secretariat: Caller, partners: Partners, engine: Engine
):
    call = open_call(secretariat, engine)
    answering = propose(partners, call_id=call["id"])
    propose(partners)  # answering no call
    for caller in (secretariat, partners.jp_caller):
        listed = caller.get(f"/v1/programmes?call_id={call['id']}").json
        assert [p["id"] for p in listed["items"]] == [answering["id"]], caller
        assert listed["total"] == 1
    assert secretariat.get("/v1/programmes?call_id=nothing").json["total"] == 0
