"""Replaying the event log into notifications rebuilds its state and sends no email."""

from __future__ import annotations

from celery import Celery

from setu_contract.messaging import NOTIFICATIONS_QUEUE
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
    programme_status_changed,
)


def test_a_replay_rebuilds_the_read_model_without_sending(
    notifications_worker: Process, smtp_server: SmtpServer, publish, producer: Celery
) -> None:
    home, host = organisation_data("IN"), organisation_data("JP")
    log = [
        event("organisation.registered", home),
        event("organisation.registered", host),
        programme_status_changed(to="submitted"),
    ]
    for envelope in log:
        producer.send_task("notifications.replay_event", args=[envelope], queue=NOTIFICATIONS_QUEUE)
    publish(log[2])  # the live copy of a replayed event: already applied, no email
    decision = application_status_changed(home["id"], host["id"], "accepted", "endorsed", "a")
    publish(decision)  # new: its recipients come from the rebuilt organisations

    messages = smtp_server.wait_for(3, timeout=30)
    assert {m["X-Setu-Event-Id"] for m in messages} == {decision["id"]}
    assert {str(m["To"]) for m in messages} == {
        decision["data"]["applicant"]["email"],
        home["contact_email"],
        host["contact_email"],
    }
