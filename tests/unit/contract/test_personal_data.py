"""What an erasure takes out of an event, and what it leaves."""

from __future__ import annotations

import copy

from setu_contract.events import EventType, build_event, parse_event
from setu_contract.personal_data import (
    REDACTED,
    carries_personal_data,
    personal_values,
    redact,
    without_personal_data,
)

APPLICATION = {
    "id": "6f1c0c1e-0000-4000-8000-0000000000a1",
    "reference": "TEX-2027-00001",
    "programme_id": "6f1c0c1e-0000-4000-8000-0000000000b1",
    "applicant": {
        "full_name": "田中 愛子",
        "email": "aiko.tanaka@example.jp",
        "nationality": "JP",
        "preferred_language": "ja",
    },
    "career_stage": "phd",
    "home_organisation_id": "6f1c0c1e-0000-4000-8000-0000000000c1",
    "host_organisation_id": "6f1c0c1e-0000-4000-8000-0000000000c2",
    "direction": "JP_TO_IN",
    "start_date": "2027-04-01",
    "end_date": "2027-10-01",
    "statement": "I will study chiplet packaging with the host lab in Chennai for six months.",
    "status": "submitted",
    "personal_data_erased": False,
    "version": 2,
    "created_at": "2027-01-01T00:00:00+00:00",
    "updated_at": "2027-01-02T00:00:00+00:00",
}
CHANGED = {
    **APPLICATION,
    "from": "draft",
    "to": "submitted",
    "action": "submit",
    "comment": "Aiko asked us to hurry",
    "actor_organisation_id": APPLICATION["home_organisation_id"],
}


def _event(event_type: EventType, data: dict) -> dict:
    return build_event(event_type, data, producer="programmes", correlation_id="c1")


def test_an_application_event_loses_its_personal_fields_and_keeps_the_facts():
    event = _event(EventType.APPLICATION_STATUS_CHANGED, CHANGED)
    before = copy.deepcopy(event)
    erased = without_personal_data(event)
    assert event == before  # the original is not changed
    assert erased["data"]["applicant"] is None
    assert erased["data"]["statement"] is None and erased["data"]["comment"] is None
    assert erased["data"]["personal_data_erased"] is True
    kept = ("id", "direction", "career_stage", "start_date", "status", "from", "to", "version")
    assert {k: erased["data"][k] for k in kept} == {k: event["data"][k] for k in kept}
    assert {k: erased[k] for k in ("id", "type", "occurred_at")} == {
        k: event[k] for k in ("id", "type", "occurred_at")
    }
    assert parse_event(erased) is erased  # still a valid event of the contract
    assert not carries_personal_data(erased)


def test_only_the_fields_an_event_has_are_emptied():
    created = without_personal_data(_event(EventType.APPLICATION_CREATED, APPLICATION))
    assert "comment" not in created["data"]


def test_events_without_personal_data_are_left_as_they_are():
    programme_like = {"type": "programme.status_changed", "data": {"comment": "fine"}}
    assert without_personal_data(programme_like) is programme_like
    erasure = {"type": "application.personal_data_erased", "data": {"id": "x", "version": 3}}
    assert without_personal_data(erasure) is erasure
    assert personal_values(programme_like) == set()


def test_the_personal_values_of_an_event():
    event = _event(EventType.APPLICATION_STATUS_CHANGED, CHANGED)
    assert personal_values(event) == {
        "田中 愛子",
        "aiko.tanaka@example.jp",
        CHANGED["statement"],
        "Aiko asked us to hurry",
    }


def test_redact_replaces_every_value_whatever_its_case():
    text = "550 5.1.1 <Aiko.Tanaka@Example.JP>: unknown; 田中 愛子 (aiko.tanaka@example.jp)"
    redacted = redact(text, {"aiko.tanaka@example.jp", "田中 愛子"})
    assert redacted == f"550 5.1.1 <{REDACTED}>: unknown; {REDACTED} ({REDACTED})"
    assert redact(None, {"x"}) is None
    assert redact("nothing here", set()) == "nothing here"


def test_a_persons_erasure_empties_its_name_and_address_wherever_it_is():
    from setu_contract.personal_data import without_person

    person, other = "p-1", "p-2"
    value = {
        "actor": {"kind": "person", "id": person, "name": "田中 裕子", "side": "JP"},
        "approved_by": [
            {"side": "JP", "actor": {"kind": "person", "id": person, "name": "田中 裕子"}},
            {"side": "IN", "actor": {"kind": "person", "id": other, "name": "Priya Nair"}},
        ],
        "data": {"id": person, "name": "田中 裕子", "email": "t@example.jp", "role": "secretariat"},
    }
    erased = without_person(value, person)
    assert "田中 裕子" not in str(erased) and "t@example.jp" not in str(erased)
    assert erased["approved_by"][1] is value["approved_by"][1]  # another person: untouched
    assert erased["data"]["role"] == "secretariat" and erased["actor"]["side"] == "JP"
    assert without_person(value, "nobody") is value


def test_reports_are_sent_decisions_without_the_names_of_who_made_them():
    from setu_contract.messaging import NOTIFICATIONS_QUEUE, REPORTS_QUEUE, sent_to

    actor = {"kind": "person", "id": "p-1", "name": "田中 裕子", "organisation_id": "o"}
    envelope = {
        "type": "programme.status_changed",
        "data": {"id": "x", "actor": actor, "approved_by": [{"side": "JP", "actor": actor}]},
    }
    assert sent_to(NOTIFICATIONS_QUEUE, envelope) is envelope
    to_reports = sent_to(REPORTS_QUEUE, envelope)
    assert "田中 裕子" not in str(to_reports)
    assert to_reports["data"]["actor"]["id"] == "p-1"
