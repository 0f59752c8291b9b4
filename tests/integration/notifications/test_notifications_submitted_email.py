"""programme.status_changed(submitted) through Redis and a real worker to a real SMTP server."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notifications.store.models import Delivery
from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import programme_status_changed


def _deliveries(engine: Engine, event_id: str) -> list[Delivery]:
    with Session(engine) as session:
        return list(session.scalars(select(Delivery).where(Delivery.event_id == event_id)))


def test_submitted_programme_emails_the_secretariat_once(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    envelope = programme_status_changed()
    publish(envelope)

    [message] = smtp_server.wait_for(1)
    [delivery] = _deliveries(notifications_db, envelope["id"])
    reference = envelope["data"]["reference"]
    assert message["To"] == "secretariat@setu.test"
    assert message["X-Setu-Event-Id"] == envelope["id"]
    assert message["X-Setu-Notification-Id"] == delivery.id
    assert reference in message["Subject"]
    assert message["Message-ID"] and message["Date"] and message["From"]
    assert message["X-Correlation-Id"] == envelope["correlation_id"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert reference in text and envelope["data"]["title"] in text
    assert f"https://setu.test/console/programmes/{envelope['data']['id']}" in html
    wait_until(
        lambda: _deliveries(notifications_db, envelope["id"])[0].status == "sent",
        message="the delivery to be marked sent",
    )
    # The request's correlation id follows the event into the worker's JSON log lines.
    sent_lines = [
        line for line in notifications_worker.output().splitlines() if '"email sent"' in line
    ]
    assert sent_lines and json.loads(sent_lines[0])["correlation_id"] == envelope["correlation_id"]


def test_the_same_event_three_times_sends_one_email(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    envelope = programme_status_changed()
    for _ in range(3):
        publish(envelope)
    marker = programme_status_changed()  # sent last: once it arrives, the copies were handled
    publish(marker)

    wait_until(lambda: len(smtp_server.messages) >= 2, message="two emails")
    wait_until(
        lambda: notifications_worker.output().count("succeeded") >= 4,
        message="all four tasks to finish",
    )
    event_ids = [m["X-Setu-Event-Id"] for m in smtp_server.messages]
    assert sorted(event_ids) == sorted([envelope["id"], marker["id"]])
    [delivery] = _deliveries(notifications_db, envelope["id"])
    assert delivery.status == "sent" and delivery.attempts == 1
