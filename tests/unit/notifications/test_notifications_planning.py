"""Who is told of what: the planner on a fake organisation directory."""

from __future__ import annotations

from notifications.domain.planning import Settings, plan
from tests.unit.notifications.factories import event, organisation_data, programme_status_changed
from tests.unit.notifications.fakes import FakeDirectory

SETTINGS = Settings(secretariat_email="office@setu.test", public_url="https://setu.test")


def test_a_submitted_programme_is_sent_to_the_secretariat_only() -> None:
    envelope = programme_status_changed(to="submitted")
    [email] = plan(envelope, FakeDirectory(), SETTINGS)
    assert email.recipient.email == "office@setu.test"
    assert email.template == "programme_submitted"
    assert email.recipient.timezones == ("Asia/Tokyo", "Asia/Kolkata")
    assert email.context["reference"] == envelope["data"]["reference"]
    assert email.context["link"] == f"https://setu.test/v1/programmes/{envelope['data']['id']}"
    assert not email.unsubscribable


def test_an_organisation_event_sends_nothing() -> None:
    assert (
        plan(event("organisation.registered", organisation_data()), FakeDirectory(), SETTINGS) == []
    )
