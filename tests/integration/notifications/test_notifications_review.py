"""Expert review's and calls' emails through Redis and a real worker: the reviewer in its own
language and time zone, the secretariat of a conflict, each organisation with drafts of a
closing call; each once."""

from __future__ import annotations

from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    call_closing_reminder,
    event,
    organisation_data,
    review_event,
)


def test_reviewers_secretariat_and_partners_are_told_once_in_their_language(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    jp = organisation_data("JP", name="東北大学", preferred_language="ja")
    india = organisation_data("IN", name="IIT Bombay", preferred_language="hi")
    for organisation in (jp, india):
        publish(event("organisation.registered", organisation))
    assigned = review_event("review.assigned", language="hi")
    conflict = review_event("conflict.declared", reason="Co-author of the lead")
    closing = call_closing_reminder([("JIP-2027-0007", [jp["id"], india["id"]])])
    for envelope in (assigned, assigned, conflict, closing):
        publish(envelope)

    messages = smtp_server.wait_for(4)
    by_event = {(m["X-Setu-Event-Id"], m["To"]): m for m in messages}
    reviewer = by_event[(assigned["id"], assigned["data"]["reviewer"]["email"])]
    assert reviewer["Content-Language"] == "hi"
    text = reviewer.get_body(("plain",)).get_content()
    assert assigned["data"]["programme_reference"] in reviewer["Subject"]
    assert "भारतीय समय" in text and "/console/reviews/" in text
    told = by_event[(conflict["id"], "secretariat@setu.test")]
    assert "Co-author of the lead" in told.get_body(("plain",)).get_content()
    assert {to for (event_id, to) in by_event if event_id == closing["id"]} == {
        jp["contact_email"],
        india["contact_email"],
    }
    ja = by_event[(closing["id"], jp["contact_email"])]
    assert ja["Subject"].startswith("【Setu】下書き JIP-2027-0007")
    wait_until(
        lambda: notifications_worker.output().count("succeeded") >= 6,
        message="all six tasks to finish",
    )
    assert len(smtp_server.messages) == 4
