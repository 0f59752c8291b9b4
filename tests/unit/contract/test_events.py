"""The event contract: envelopes are validated when built and when received."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setu_contract.events import EventType, InvalidEvent, aggregate_of, build_event, parse_event
from setu_contract.messaging import (
    MAX_COUNTDOWN,
    TASK_TIME_LIMIT,
    celery_settings,
    destinations,
)

ORGANISATION = {
    "id": "6f1c0c1e-0000-4000-8000-000000000001",
    "name": "Tohoku University",
    "country": "JP",
    "kind": "university",
    "contact_email": "intl@tohoku.example.jp",
    "preferred_language": "ja",
    "version": 1,
}


def test_a_built_event_parses_and_names_its_aggregate():
    event = build_event(
        EventType.ORGANISATION_REGISTERED, ORGANISATION, producer="programmes", correlation_id="c1"
    )
    assert parse_event(event) is event
    assert event["version"] == 1 and event["producer"] == "programmes"
    assert aggregate_of(event) == ("organisation", ORGANISATION["id"], 1)


def test_data_that_breaks_the_schema_is_refused_when_produced():
    with pytest.raises(InvalidEvent) as caught:
        build_event(
            "organisation.registered",
            {**ORGANISATION, "country": "FR"},
            producer="programmes",
            correlation_id="c1",
        )
    assert "country" in caught.value.errors["data"]


def test_unknown_fields_pass_so_producers_can_add_fields():
    event = build_event(
        "organisation.updated",
        {**ORGANISATION, "website": "https://x.jp"},
        producer="programmes",
        correlation_id="c",
    )
    assert parse_event(event)["data"]["website"] == "https://x.jp"


@given(
    st.one_of(
        st.none(),
        st.integers(),
        st.text(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.text()),
    )
)
def test_anything_that_is_not_an_envelope_is_refused_on_receipt(value):
    with pytest.raises(InvalidEvent):
        parse_event(value)


def test_envelope_fields_are_checked_on_receipt():
    event = build_event("organisation.registered", ORGANISATION, producer="p", correlation_id="c")
    for broken in (
        {**event, "version": 2},
        {**event, "type": "nope"},
        {**event, "id": "x"},
        {**event, "occurred_at": "2026-01-01T00:00:00"},
    ):
        with pytest.raises(InvalidEvent):
            parse_event(broken)


def test_report_events_go_to_notifications_only():
    assert destinations("report.generated") == [("notifications", "notifications.handle_event")]
    assert {q for q, _ in destinations("programme.created")} == {"notifications", "reports"}


def test_broker_settings_never_let_a_task_run_twice_by_timeout():
    settings = celery_settings("redis://127.0.0.1:6379/0")
    visibility = settings["broker_transport_options"]["visibility_timeout"]
    # A held task may wait behind one time-limited task a process, then run to the limit.
    held = settings["worker_prefetch_multiplier"]
    assert visibility > held * TASK_TIME_LIMIT + MAX_COUNTDOWN
    assert settings["task_acks_late"] and settings["task_reject_on_worker_lost"]
    assert settings["task_ignore_result"]
