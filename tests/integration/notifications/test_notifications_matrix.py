"""The matrix end to end: organisation events build the read model, decisions reach people."""

from __future__ import annotations

from email.message import EmailMessage

from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
)


def _by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {str(m["To"]): m for m in messages}


def test_a_decision_reaches_applicant_home_and_host_each_in_their_language(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    home = organisation_data("IN", name="IIT Bombay", preferred_language="hi")
    host = organisation_data("JP", name="東北大学", preferred_language="ja")
    publish(event("organisation.registered", home))
    publish(event("organisation.registered", host))
    decision = application_status_changed(home["id"], host["id"], "accepted", "endorsed", "accept")
    decision["data"]["applicant"]["preferred_language"] = "en"
    publish(event("application.status_changed", decision["data"]))

    messages = _by_recipient(smtp_server.wait_for(3))
    applicant = decision["data"]["applicant"]["email"]
    assert set(messages) == {applicant, home["contact_email"], host["contact_email"]}
    reference = decision["data"]["reference"]
    japanese = messages[host["contact_email"]]
    assert japanese["Subject"] == f"【Setu】応募 {reference} の選考結果：採用"  # noqa: RUF001
    body = japanese.get_body(("plain",)).get_content()
    assert "東北大学 ご担当者様" in body and "採用となりました" in body
    assert "日本時間" in body
    hindi = messages[home["contact_email"]].get_body(("plain",)).get_content()
    assert "स्वीकार कर लिया गया है" in hindi and "भारतीय समय" in hindi
    english = messages[applicant].get_body(("plain",)).get_content()
    assert "Dear Aarav Sharma" in english and "has been accepted" in english


def test_an_event_that_arrives_before_its_organisations_waits_for_them(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    home = organisation_data("IN")
    host = organisation_data("JP")
    submitted = application_status_changed(home["id"], host["id"], "submitted", "draft", "submit")
    publish(submitted)  # before the organisation.registered events: out of order
    publish(event("organisation.registered", home))
    publish(event("organisation.registered", host))

    messages = _by_recipient(smtp_server.wait_for(2, timeout=30))
    assert set(messages) == {submitted["data"]["applicant"]["email"], host["contact_email"]}


def test_an_older_organisation_snapshot_does_not_undo_a_newer_one(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    host = organisation_data("JP", version=3, contact_email="new@host.example")
    stale = {**host, "version": 2, "contact_email": "old@host.example"}
    home = organisation_data("IN")
    publish(event("organisation.registered", home))
    publish(event("organisation.updated", host))
    publish(event("organisation.updated", stale))
    withdrawn = application_status_changed(home["id"], host["id"], "withdrawn", "endorsed", "w")
    publish(withdrawn)

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "new@host.example"
