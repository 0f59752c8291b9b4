"""Mobility clearance on SQLite and PostgreSQL: slots by direction at accept, a freed slot
offered to the waitlist, the checklist (which items, who sets which, FRRO only past 180 days,
actual dates), the pipeline by stage and the 120-day reminder sent once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_auditor,
    new_key,
    new_organisation,
    programme_body,
    propose,
)
from tests.integration.programmes.test_calls import events_of, tick
from tests.integration.programmes.test_programmes_applications import (
    START,
    application_body,
    approved_programme,
    move,
)

SPLIT = {"JP_TO_IN": 1, "IN_TO_JP": 1}


def approved(partners: Partners, jp_sec: Caller, in_sec: Caller, **overrides: Any) -> dict:
    return approved_programme(
        partners, jp_sec, in_sec, overrides.pop("exchange_slots", 10), **overrides
    )


def endorsed_from(partners: Partners, programme: dict, home: str = "JP", **overrides) -> str:
    """An endorsed application sent by the ``home`` partner; its path."""
    sender, host = (
        (partners.jp_caller, partners.in_caller)
        if home == "JP"
        else (partners.in_caller, partners.jp_caller)
    )
    host_id = partners.india["id"] if home == "JP" else partners.jp["id"]
    filed = sender.post("/v1/applications", application_body(programme, host_id, **overrides))
    assert filed.status_code == 201, filed.json
    path = f"/v1/applications/{filed.json['id']}"
    assert move(sender, path, "submit").status_code == 200
    assert move(host, path, "endorse").status_code == 200
    return path


def accepted_from(partners: Partners, programme: dict, secretariat: Caller, **kwargs) -> str:
    path = endorsed_from(partners, programme, **kwargs)
    answer = move(secretariat, path, "accept")
    assert answer.status_code == 200, answer.json
    return path


@pytest.fixture
def split_programme(partners: Partners, secretariat: Caller, secretariat_in: Caller) -> dict:
    return approved(
        partners,
        secretariat,
        secretariat_in,
        exchange_slots=2,
        exchange_slots_by_direction=SPLIT,
    )


def test_a_split_names_both_directions_and_adds_up_to_the_total(partners: Partners):
    for split, slots in (
        ({"JP_TO_IN": 1, "IN_TO_JP": 1}, 3),
        ({"JP_TO_IN": 2}, 2),
        ({"JP_TO_IN": 1, "IN_TO_JP": 1, "XX": 0}, 2),
        ({"JP_TO_IN": -1, "IN_TO_JP": 3}, 2),
        ({"JP_TO_IN": "1", "IN_TO_JP": 1}, 2),
    ):
        answer = partners.jp_caller.post(
            "/v1/programmes",
            {
                **programme_body(partners),
                "exchange_slots": slots,
                "exchange_slots_by_direction": split,
            },
        )
        assert answer.status_code == 422, (split, answer.json)
        assert "exchange_slots_by_direction" in answer.json["errors"], answer.json
    good = propose(
        partners, exchange_slots=5, exchange_slots_by_direction={"JP_TO_IN": 2, "IN_TO_JP": 3}
    )
    assert good["exchange_slots_by_direction"] == {"JP_TO_IN": 2, "IN_TO_JP": 3}
    path = f"/v1/programmes/{good['id']}"
    # Changing the total alone breaks the split: the whole programme is re-checked.
    changed = partners.jp_caller.client.patch(
        path, json={"exchange_slots": 6}, headers=partners.jp_caller.headers()
    )
    assert changed.status_code == 422 and "exchange_slots_by_direction" in changed.json["errors"]
    cleared = partners.jp_caller.client.patch(
        path,
        json={"exchange_slots": 6, "exchange_slots_by_direction": None},
        headers=partners.jp_caller.headers(),
    )
    assert cleared.status_code == 200 and cleared.json["exchange_slots_by_direction"] is None


def test_accept_keeps_to_each_direction_s_slots(
    partners: Partners, secretariat: Caller, split_programme: dict
):
    accepted_from(partners, split_programme, secretariat)
    second = endorsed_from(partners, split_programme)
    refused = move(secretariat, second, "accept")
    assert refused.status_code == 409
    assert refused.json["errors"]["direction"] == "JP_TO_IN", refused.json
    assert "JP_TO_IN" in refused.json["message"]
    accepted_from(partners, split_programme, secretariat, home="IN")


def test_a_withdrawn_exchange_s_slot_is_offered_to_the_first_waitlisted_of_its_direction(
    partners: Partners, secretariat: Caller, split_programme: dict, engine: Engine
):
    first = accepted_from(partners, split_programme, secretariat)
    other_way = endorsed_from(partners, split_programme, home="IN")
    waiting = [endorsed_from(partners, split_programme) for _ in range(2)]
    for path in (*waiting, other_way):
        assert move(secretariat, path, "waitlist").status_code == 200
    late = endorsed_from(partners, split_programme)

    assert move(partners.jp_caller, first, "withdraw").status_code == 200

    statuses = [secretariat.get(p).json["status"] for p in (*waiting, other_way)]
    assert statuses == ["offered", "waitlisted", "waitlisted"]
    offered_id = waiting[0].rsplit("/", 1)[1]
    offer = events_of(engine, "application.status_changed", offered_id)[-1]["data"]
    assert (offer["action"], offer["from"], offer["to"]) == ("offer_slot", "waitlisted", "offered")
    assert offer["freed_by"]["id"] == first.rsplit("/", 1)[1]
    # The slot is kept for the offered application: no one else takes it.
    assert move(secretariat, late, "accept").status_code == 409
    assert secretariat.get(waiting[0]).json["allowed_actions"] == ["accept", "reject"]
    assert move(secretariat, waiting[0], "accept").status_code == 200
    # Nobody may offer a slot by hand.
    assert move(secretariat, waiting[1], "offer_slot").status_code == 403


def test_a_declined_offer_passes_the_slot_on(
    partners: Partners, secretariat: Caller, split_programme: dict
):
    first = accepted_from(partners, split_programme, secretariat)
    waiting = [endorsed_from(partners, split_programme) for _ in range(2)]
    for path in waiting:
        assert move(secretariat, path, "waitlist").status_code == 200
    assert move(partners.jp_caller, first, "withdraw").status_code == 200
    assert move(partners.jp_caller, waiting[0], "withdraw").status_code == 200
    assert secretariat.get(waiting[1]).json["status"] == "offered"


def test_only_a_slot_holder_leaving_offers_its_slot(
    partners: Partners, secretariat: Caller, split_programme: dict, engine: Engine
):
    """Withdrawing or rejecting an application that held no slot frees none: the waitlist
    stays as it is, though a slot is free (the secretariat accepts from it by hand)."""
    waiting = [endorsed_from(partners, split_programme) for _ in range(3)]
    for path in waiting:
        assert move(secretariat, path, "waitlist").status_code == 200
    assert move(partners.jp_caller, waiting[0], "withdraw").status_code == 200
    rejected = move(secretariat, waiting[1], "reject", comment="not this round")
    assert rejected.status_code == 200, rejected.json
    assert secretariat.get(waiting[2]).json["status"] == "waitlisted"
    offers = [
        event
        for path in waiting
        for event in events_of(engine, "application.status_changed", path.rsplit("/", 1)[1])
        if event["data"]["action"] == "offer_slot"
    ]
    assert offers == []


def test_no_offer_when_the_programme_is_still_full(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    """Without a split the slot freed still goes to the waitlist of its direction only."""
    programme = approved(partners, secretariat, secretariat_in, exchange_slots=1)
    first = accepted_from(partners, programme, secretariat)
    other_way = endorsed_from(partners, programme, home="IN")
    assert move(secretariat, other_way, "waitlist").status_code == 200
    assert move(partners.jp_caller, first, "withdraw").status_code == 200
    assert secretariat.get(other_way).json["status"] == "waitlisted"


def _end(days: int) -> str:
    return (START + timedelta(days=days)).isoformat()


def put(caller: Caller, path: str, item: str, body: dict) -> Any:
    return caller.client.put(f"{path}/mobility/{item}", json=body, headers=caller.headers())


def test_the_checklist_by_direction_and_frro_only_past_180_days(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    programme = approved(partners, secretariat, secretariat_in, exchange_slots=5)
    short = accepted_from(partners, programme, secretariat, end_date=_end(180))
    long = accepted_from(partners, programme, secretariat, end_date=_end(181))
    into_japan = accepted_from(partners, programme, secretariat, home="IN")

    def items(path: str) -> list[str]:
        answer = secretariat.get(f"{path}/mobility")
        assert answer.status_code == 200, answer.json
        return [i["item"] for i in answer.json["items"]]

    assert items(short) == ["research_visa", "insurance", "housing", "arrival", "departure"]
    assert "frro_registration" in items(long)
    assert items(into_japan) == [
        "certificate_of_eligibility",
        "visa",
        "insurance",
        "housing",
        "arrival",
        "residence_card",
        "departure",
    ]
    frro = put(partners.in_caller, short, "frro_registration", {"status": "registered"})
    assert frro.status_code == 409 and frro.json["errors"]["stay_days"] == 180
    assert (
        put(partners.in_caller, long, "frro_registration", {"status": "registered"}).status_code
        == 200
    )
    # An item of the other direction's checklist is no item of this one.
    assert put(partners.in_caller, short, "residence_card", {"status": "issued"}).status_code == 404
    assert put(partners.in_caller, short, "passport", {"status": "issued"}).status_code == 404


def test_who_may_set_which_item(partners: Partners, secretariat: Caller, secretariat_in: Caller):
    programme = approved(partners, secretariat, secretariat_in, exchange_slots=5)
    path = accepted_from(partners, programme, secretariat)
    outsider_org = new_organisation(secretariat, "JP")
    outsider = Caller(secretariat.client, new_key(secretariat, outsider_org["id"]))
    auditor = new_auditor(secretariat)
    home, host = partners.jp_caller, partners.in_caller
    assert put(home, path, "research_visa", {"status": "applied"}).status_code == 200
    assert put(host, path, "research_visa", {"status": "issued"}).status_code == 403
    assert put(host, path, "housing", {"status": "arranged"}).status_code == 200
    assert put(home, path, "housing", {"status": "pending"}).status_code == 403
    assert put(secretariat, path, "insurance", {"status": "arranged"}).status_code == 403
    assert put(auditor, path, "insurance", {"status": "arranged"}).status_code == 403
    assert put(outsider, path, "insurance", {"status": "arranged"}).status_code == 404
    assert outsider.get(f"{path}/mobility").status_code == 404
    for reader in (secretariat, auditor, home, host):
        assert reader.get(f"{path}/mobility").status_code == 200
    seen = {i["item"]: i for i in home.get(f"{path}/mobility").json["items"]}
    assert seen["research_visa"]["may_set"] and not seen["housing"]["may_set"]
    assert seen["housing"]["set_by"]["organisation_id"] == partners.india["id"]
    assert seen["housing"]["set_at"] and seen["housing"]["date"] == date.today().isoformat()
    assert not any(i["may_set"] for i in auditor.get(f"{path}/mobility").json["items"])


def test_no_checklist_before_acceptance(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    programme = approved(partners, secretariat, secretariat_in, exchange_slots=5)
    path = endorsed_from(partners, programme)
    assert secretariat.get(f"{path}/mobility").status_code == 409
    assert put(partners.jp_caller, path, "insurance", {"status": "arranged"}).status_code == 409


def test_an_exchange_moves_through_its_stages_to_an_actual_arrival(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, engine: Engine
):
    programme = approved(partners, secretariat, secretariat_in, exchange_slots=5)
    path = accepted_from(partners, programme, secretariat, home="IN")
    home, host = partners.in_caller, partners.jp_caller
    today = date.today()

    def stage() -> str:
        return secretariat.get(f"{path}/mobility").json["stage"]

    assert stage() == "awaiting_documents"
    assert put(host, path, "certificate_of_eligibility", {"status": "applied"}).status_code == 200
    assert put(host, path, "certificate_of_eligibility", {"status": "issued"}).status_code == 200
    assert stage() == "visa"
    assert put(home, path, "visa", {"status": "issued"}).status_code == 200
    assert stage() == "travelling"
    no_date = put(host, path, "arrival", {"status": "arrived"})
    assert no_date.status_code == 422 and "date" in no_date.json["errors"]
    future = put(
        host,
        path,
        "arrival",
        {"status": "arrived", "date": (today + timedelta(days=2)).isoformat()},
    )
    assert future.status_code == 422 and "date" in future.json["errors"]
    early = put(host, path, "departure", {"status": "departed", "date": today.isoformat()})
    assert early.status_code == 422
    arrived = put(host, path, "arrival", {"status": "arrived", "date": today.isoformat()})
    assert arrived.status_code == 200
    assert (
        arrived.json["stage"] == "arrived" and arrived.json["actual_arrival"] == today.isoformat()
    )
    assert arrived.json["planned_arrival"] == START.isoformat()
    before = put(
        host,
        path,
        "departure",
        {"status": "departed", "date": (today - timedelta(days=1)).isoformat()},
    )
    assert before.status_code == 422
    bad = put(home, path, "visa", {"status": "arrived"})
    assert bad.status_code == 422 and "status" in bad.json["errors"]
    events = events_of(engine, "mobility.item_updated", path.rsplit("/", 1)[1])
    assert [(e["data"]["item"], e["data"]["status"]) for e in events] == [
        ("certificate_of_eligibility", "applied"),
        ("certificate_of_eligibility", "issued"),
        ("visa", "issued"),
        ("arrival", "arrived"),
    ]
    assert events[-1]["data"]["stage"] == "arrived"
    assert events[-1]["data"]["actor_organisation_id"] == partners.jp["id"]
    refused = put(home, path, "visa", {"status": "refused"})
    assert refused.json["stage"] == "blocked"


def test_the_pipeline_shows_every_accepted_exchange_by_stage(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    programme = approved(partners, secretariat, secretariat_in, exchange_slots=5)
    waiting = accepted_from(partners, programme, secretariat)
    going = accepted_from(partners, programme, secretariat)
    assert put(partners.jp_caller, going, "research_visa", {"status": "issued"}).status_code == 200
    endorsed_from(partners, programme)  # not accepted: not in the pipeline
    query = {"programme_id": programme["id"]}
    answer = secretariat.get("/v1/mobility/pipeline", query_string=query)
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == 2
    assert answer.json["stages"]["awaiting_documents"] == 1
    assert answer.json["stages"]["travelling"] == 1
    travelling = secretariat.get(
        "/v1/mobility/pipeline", query_string={**query, "stage": "travelling"}
    ).json["items"]
    assert [e["application_id"] for e in travelling] == [going.rsplit("/", 1)[1]]
    assert waiting.rsplit("/", 1)[1] not in [e["application_id"] for e in travelling]
    assert new_auditor(secretariat).get("/v1/mobility/pipeline").status_code == 200
    assert partners.jp_caller.get("/v1/mobility/pipeline").status_code == 403
    assert (
        secretariat.get("/v1/mobility/pipeline", query_string={"stage": "nope"}).status_code == 422
    )


def test_the_reminder_goes_once_even_with_two_ticks_at_once(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, engine: Engine
):
    programme = approved(partners, secretariat, secretariat_in, exchange_slots=5)
    late = accepted_from(partners, programme, secretariat, home="IN")
    in_time = accepted_from(partners, programme, secretariat, home="IN")
    host = partners.jp_caller
    assert (
        put(host, in_time, "certificate_of_eligibility", {"status": "applied"}).status_code == 200
    )
    assert put(partners.in_caller, in_time, "visa", {"status": "applied"}).status_code == 200
    now = datetime.now(UTC)
    # 121 days before the start: not yet.
    assert (
        tick(engine, datetime.combine(START - timedelta(days=121), now.time(), UTC))[
            "exchanges_reminded"
        ]
        == 0
    )
    barrier = threading.Barrier(2)
    done: list[int] = []

    def run() -> None:
        barrier.wait()
        done.append(tick(engine, now)["exchanges_reminded"])

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(done) == 1
    assert tick(engine, now)["exchanges_reminded"] == 0
    reminders = events_of(engine, "mobility.reminder", late.rsplit("/", 1)[1])
    assert len(reminders) == 1
    assert reminders[0]["data"]["items"] == ["certificate_of_eligibility", "visa"]
    assert events_of(engine, "mobility.reminder", in_time.rsplit("/", 1)[1]) == []


def test_concurrent_accepts_fill_each_direction_exactly(
    app, partners: Partners, secretariat: Caller, secretariat_in: Caller, engine: Engine
):
    """Accepts raced from threads, each with its own connection: the split is kept under the
    programme's lock on PostgreSQL and the one write lock on SQLite, as the total is."""
    programme = approved(
        partners,
        secretariat,
        secretariat_in,
        exchange_slots=3,
        exchange_slots_by_direction={"JP_TO_IN": 1, "IN_TO_JP": 2},
    )
    paths = [endorsed_from(partners, programme, home) for home in ["JP"] * 4 + ["IN"] * 4]
    barrier = threading.Barrier(len(paths))
    statuses: dict[str, int] = {}

    def accept(path: str) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        answer = client.post(
            f"{path}/transitions", json={"action": "accept"}, headers=secretariat.headers()
        )
        statuses[path] = answer.status_code

    threads = [threading.Thread(target=accept, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses[p] for p in paths[:4]) == [200, 409, 409, 409]
    assert sorted(statuses[p] for p in paths[4:]) == [200, 200, 409, 409]
