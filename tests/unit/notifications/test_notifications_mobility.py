"""Who is told of mobility clearance: a freed slot offered (the secretariat and the home
organisation), documents not applied for (the home organisation); webhooks of the parties."""

from __future__ import annotations

from notifications.domain.planning import Settings, plan
from notifications.domain.recipients import Contact
from notifications.domain.webhooks import organisations_concerned
from tests.unit.notifications.factories import application_status_changed, mobility_reminder
from tests.unit.notifications.fakes import FakeDirectory

SETTINGS = Settings("office@setu.test", "https://setu.test")
JP = Contact("jp", "東京大学", "JP", "jp@u-tokyo.example", "ja")
INDIA = Contact("in", "IIT Madras", "IN", "in@iitm.example", "hi")


def test_a_slot_offered_tells_the_secretariat_and_the_home_organisation():
    event = application_status_changed("in", "jp", "offered", "waitlisted", "offer_slot")
    event["data"]["freed_by"] = {"id": "x", "reference": "TEX-2027-00009", "to": "withdrawn"}
    emails = plan(event, FakeDirectory(JP, INDIA), SETTINGS).emails
    assert sorted((e.recipient.email, e.template) for e in emails) == [
        ("in@iitm.example", "slot_offered"),
        ("office@setu.test", "slot_offered"),
    ]
    assert {e.context["freed_reference"] for e in emails} == {"TEX-2027-00009"}


def test_documents_not_applied_for_remind_the_home_organisation_in_its_language():
    event = mobility_reminder("in", "jp", ["certificate_of_eligibility", "visa"])
    [email] = plan(event, FakeDirectory(JP, INDIA), SETTINGS).emails
    assert (email.recipient.email, email.recipient.language) == ("in@iitm.example", "hi")
    assert email.template == "mobility_reminder"
    assert email.context["items"] == ["certificate_of_eligibility", "visa"]
    assert organisations_concerned(event) == {"in", "jp"}
