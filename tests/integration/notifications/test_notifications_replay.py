"""Replaying the event log into notifications rebuilds its state and sends no email; it
records no event as processed unless asked to, so no email still due is lost."""

from __future__ import annotations

from celery import Celery

from setu_contract.messaging import NOTIFICATIONS_QUEUE
from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
    programme_status_changed,
)


def _replay(producer: Celery, log: list[dict], **options: bool) -> None:
    for envelope in log:
        producer.send_task(
            "notifications.replay_event", args=[envelope], kwargs=options, queue=NOTIFICATIONS_QUEUE
        )


def test_a_replay_rebuilds_the_read_model_and_leaves_the_emails_to_send(
    notifications_worker: Process, smtp_server: SmtpServer, publish, producer: Celery
) -> None:
    home, host = organisation_data("IN"), organisation_data("JP")
    submitted = programme_status_changed(to="submitted")
    _replay(producer, [event("organisation.registered", home), submitted])
    _replay(producer, [event("organisation.registered", host)])
    decision = application_status_changed(home["id"], host["id"], "accepted", "endorsed", "a")
    publish(decision)  # new: its recipients come from the rebuilt organisations
    publish(submitted)  # a replayed event's live copy: not applied by the replay, so emailed

    messages = smtp_server.wait_for(4, timeout=30)
    by_event = {(m["X-Setu-Event-Id"], str(m["To"])) for m in messages}
    assert by_event == {
        (decision["id"], decision["data"]["applicant"]["email"]),
        (decision["id"], home["contact_email"]),
        (decision["id"], host["contact_email"]),
        (submitted["id"], "secretariat@setu.test"),
    }


def test_a_replay_asked_to_mark_the_events_processed_sends_their_emails_never(
    notifications_worker: Process, smtp_server: SmtpServer, publish, producer: Celery
) -> None:
    submitted = programme_status_changed(to="submitted")
    _replay(producer, [submitted], mark_processed=True)
    later = programme_status_changed(to="submitted")
    publish(submitted)  # dropped as a duplicate
    publish(later)

    [message] = smtp_server.wait_for(1, timeout=30)
    assert message["X-Setu-Event-Id"] == later["id"]
    wait_until(
        lambda: f"handle_event[{submitted['id']}] succeeded" in notifications_worker.output(),
        message="the replayed event's live copy to be handled",
    )
    assert len(smtp_server.messages) == 1
