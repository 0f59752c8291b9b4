"""Export-control licence notices through Redis and a real worker: the secretariat is told
30 days before a licence expires and on the day (the hold), each once, with the licence."""

from __future__ import annotations

from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import screening_event


def test_the_secretariat_is_told_of_an_expiring_and_an_expired_licence_once(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    expiring = screening_event("screening.licence_expiring")
    expired = screening_event("screening.licence_expired")
    for envelope in (expiring, expiring, expired):
        publish(envelope)

    messages = smtp_server.wait_for(2)
    by_event = {m["X-Setu-Event-Id"]: m for m in messages}
    warned = by_event[expiring["id"]]
    assert warned["To"] == "secretariat@setu.test"
    assert "JIP-2027-0007" in warned["Subject"] and "30 days" in warned["Subject"]
    text = warned.get_body(("plain",)).get_content()
    assert "DGFT-2027-118" in text and "30 September 2027" in text
    held = by_event[expired["id"]]
    assert "on hold" in held["Subject"]
    assert "no exchange is accepted" in held.get_body(("plain",)).get_content()
    wait_until(
        lambda: notifications_worker.output().count("succeeded") >= 3,
        message="all three tasks to finish",
    )
    assert len(smtp_server.messages) == 2
