"""Who is told of what (PRODUCT.md's matrix): the planner on a fake organisation directory."""

from __future__ import annotations

import pytest

from notifications.domain.planning import Settings, plan
from notifications.domain.recipients import Contact
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
    participation_answered,
    programme_status_changed,
    report_generated,
)
from tests.unit.notifications.fakes import FakeDirectory

SETTINGS = Settings(secretariat_email="office@setu.test", public_url="https://setu.test")
KYOTO = Contact("org-jp", "Kyoto University", "JP", "intl@kyoto.example", "ja")
IISC = Contact("org-in", "IISc Bengaluru", "IN", "exchange@iisc.example", "en")
SILENT = Contact("org-silent", "No Contact Ltd", "IN", None, "en")
DIRECTORY = FakeDirectory(KYOTO, IISC, SILENT)


def _who(envelope: dict) -> set[tuple[str, str]]:
    return {(e.recipient.email, e.template) for e in plan(envelope, DIRECTORY, SETTINGS).emails}


def _programme(to: str, source: str = "under_review") -> dict:
    partners = [(KYOTO.id, "lead"), (IISC.id, "lead"), (SILENT.id, "member")]
    return programme_status_changed(to=to, source=source, action="x", partners=partners)


def _application(to: str, source: str) -> dict:
    return application_status_changed(IISC.id, KYOTO.id, to=to, source=source, action="x")


def test_a_submitted_programme_is_sent_to_the_secretariat_only() -> None:
    envelope = programme_status_changed(to="submitted")
    [email] = plan(envelope, FakeDirectory(), SETTINGS).emails
    assert email.recipient.email == "office@setu.test"
    assert email.template == "programme_submitted"
    assert email.recipient.timezones == ("Asia/Tokyo", "Asia/Kolkata")
    assert email.context["reference"] == envelope["data"]["reference"]
    assert email.context["link"] == f"https://setu.test/console/programmes/{envelope['data']['id']}"
    assert not email.unsubscribable


@pytest.mark.parametrize(
    "to", ["changes_requested", "approved", "rejected", "active", "completed", "cancelled"]
)
def test_programme_decisions_go_to_every_partner_with_a_contact(to: str) -> None:
    assert _who(_programme(to)) == {
        ("intl@kyoto.example", "programme_status_update"),
        ("exchange@iisc.example", "programme_status_update"),
    }


@pytest.mark.parametrize("to", ["under_review", "withdrawn", "draft"])
def test_other_programme_moves_send_nothing(to: str) -> None:
    assert _who(_programme(to, source="submitted")) == set()


def test_each_partner_reads_in_its_language_and_time_zone() -> None:
    emails = {
        e.recipient.email: e.recipient
        for e in plan(_programme("approved"), DIRECTORY, SETTINGS).emails
    }
    assert emails["intl@kyoto.example"].language == "ja"
    assert emails["intl@kyoto.example"].timezones == ("Asia/Tokyo",)
    assert emails["exchange@iisc.example"].timezones == ("Asia/Kolkata",)


def test_a_submitted_application_tells_the_applicant_and_asks_the_host() -> None:
    envelope = _application("submitted", "draft")
    applicant = envelope["data"]["applicant"]["email"]
    assert _who(envelope) == {
        (applicant, "application_received"),
        ("intl@kyoto.example", "application_endorsement_requested"),
    }
    [receipt] = [
        e
        for e in plan(envelope, DIRECTORY, SETTINGS).emails
        if e.template == "application_received"
    ]
    assert receipt.recipient.language == "hi"
    assert receipt.recipient.timezones == ("Asia/Kolkata",)  # the home organisation's country


def test_an_endorsed_application_goes_to_the_secretariat() -> None:
    assert _who(_application("endorsed", "submitted")) == {
        ("office@setu.test", "application_endorsed")
    }


@pytest.mark.parametrize("to", ["accepted", "rejected", "waitlisted"])
def test_decisions_reach_applicant_home_and_host(to: str) -> None:
    envelope = _application(to, "endorsed")
    assert _who(envelope) == {
        (envelope["data"]["applicant"]["email"], "application_decision"),
        ("exchange@iisc.example", "application_decision"),
        ("intl@kyoto.example", "application_decision"),
    }


def test_withdrawal_after_submission_tells_the_host_but_a_draft_tells_nobody() -> None:
    assert _who(_application("withdrawn", "endorsed")) == {
        ("intl@kyoto.example", "application_withdrawn")
    }
    assert _who(_application("withdrawn", "draft")) == set()


def test_an_erased_applicant_gets_no_email_but_the_organisations_do() -> None:
    envelope = application_status_changed(
        IISC.id, KYOTO.id, "accepted", "endorsed", "accept", applicant=None
    )
    assert _who(envelope) == {
        ("exchange@iisc.example", "application_decision"),
        ("intl@kyoto.example", "application_decision"),
    }


def test_report_recipients_get_an_unsubscribable_email_each() -> None:
    emails = plan(report_generated(["a@x.example", "b@y.example"]), DIRECTORY, SETTINGS).emails
    assert {e.recipient.email for e in emails} == {"a@x.example", "b@y.example"}
    assert all(e.unsubscribable and e.template == "report_ready" for e in emails)


def test_unknown_organisations_are_reported_missing() -> None:
    envelope = application_status_changed("org-unknown", KYOTO.id, "accepted", "endorsed", "a")
    result = plan(envelope, DIRECTORY, SETTINGS)
    assert result.missing == {"org-unknown"}
    assert ("intl@kyoto.example", "application_decision") in {
        (e.recipient.email, e.template) for e in result.emails
    }


def test_one_recipient_gets_one_email_per_template_even_if_named_twice() -> None:
    twin = Contact("org-twin", "Kyoto twin", "JP", "INTL@kyoto.example", "ja")
    directory = FakeDirectory(KYOTO, IISC, twin)
    envelope = programme_status_changed(
        to="approved",
        source="under_review",
        action="approve",
        partners=[(KYOTO.id, "lead"), (IISC.id, "lead"), (twin.id, "member")],
    )
    assert len(plan(envelope, directory, SETTINGS).emails) == 2


def test_an_organisation_event_sends_nothing() -> None:
    assert (
        plan(event("organisation.registered", organisation_data()), DIRECTORY, SETTINGS).emails
        == []
    )


def test_a_declined_participation_is_told_to_the_creator_in_its_language() -> None:
    [email] = plan(participation_answered(KYOTO.id, IISC.id), DIRECTORY, SETTINGS).emails
    assert (email.recipient.email, email.template) == (
        KYOTO.contact_email,
        "participation_declined",
    )
    assert email.recipient.language == "ja" and email.recipient.timezones == ("Asia/Tokyo",)
    assert email.context["declined_name"] == f"Org {IISC.id[:6]}"
    assert email.context["role"] == "lead"


def test_a_confirmed_participation_sends_nothing() -> None:
    confirmed = participation_answered(KYOTO.id, IISC.id, "confirmed")
    assert plan(confirmed, DIRECTORY, SETTINGS).emails == []
