"""A real SMTP server that the test controls: temporary refusals, permanent ones, an outage."""

from __future__ import annotations

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notifications.store.models import DeadLetter, Delivery
from tests.support.infra import wait_until
from tests.support.personal_data import distinctive_person, found_in_text
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
    programme_status_changed,
)


def _delivery(engine: Engine, event_id: str, template: str | None = None) -> Delivery | None:
    query = select(Delivery).where(Delivery.event_id == event_id)
    if template:
        query = query.where(Delivery.template == template)
    with Session(engine) as session:
        return session.scalar(query)


def _refused(engine: Engine, event_id: str, count: int) -> bool:
    """The delivery's ``count``-th attempt was refused and recorded (not still in flight)."""
    delivery = _delivery(engine, event_id)
    return delivery is not None and delivery.attempts == count and delivery.status == "retrying"


def test_temporary_refusals_are_retried_until_one_email_arrives(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    smtp_server.handler.reply = "451 4.3.0 mailbox busy, try later"
    envelope = programme_status_changed()
    publish(envelope)
    wait_until(
        lambda: _refused(notifications_db, envelope["id"], 1),
        20,
        message="a first, refused attempt",
    )
    smtp_server.handler.reply = "421 4.7.0 too many connections"
    wait_until(
        lambda: _refused(notifications_db, envelope["id"], 2),
        20,
        message="a second, refused attempt",
    )
    assert "421" in _delivery(notifications_db, envelope["id"]).last_error
    smtp_server.handler.reply = None

    [message] = smtp_server.wait_for(1, timeout=30)
    assert message["X-Setu-Event-Id"] == envelope["id"]
    wait_until(
        lambda: _delivery(notifications_db, envelope["id"]).status == "sent",
        message="the delivery to be sent",
    )
    assert _delivery(notifications_db, envelope["id"]).attempts == 3
    assert len(smtp_server.messages) == 1


def test_a_permanent_refusal_fails_at_once_and_is_dead_lettered(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    smtp_server.handler.reply = "550 5.1.1 no such mailbox"
    envelope = programme_status_changed()
    publish(envelope)

    wait_until(
        lambda: _delivery(notifications_db, envelope["id"]).status == "failed",
        20,
        message="the delivery to fail",
    )
    failed = _delivery(notifications_db, envelope["id"])
    assert failed.attempts == 1 and "550" in failed.last_error
    with Session(notifications_db) as session:
        [letter] = session.scalars(select(DeadLetter).where(DeadLetter.delivery_id == failed.id))
    assert letter.source == "delivery" and "550" in letter.error
    assert smtp_server.messages == []


def test_an_smtp_outage_is_waited_out(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    smtp_server.stop()
    envelope = programme_status_changed()
    publish(envelope)
    wait_until(
        lambda: _refused(notifications_db, envelope["id"], 2),
        30,
        message="two attempts against a server that is down",
    )
    assert "Connection" in (_delivery(notifications_db, envelope["id"]).last_error or "")
    # The same server comes back on the same port (an aiosmtpd controller starts only once).
    smtp_server.controller = Controller(
        smtp_server.handler, hostname="127.0.0.1", port=smtp_server.port
    )
    smtp_server.start()

    [message] = smtp_server.wait_for(1, timeout=40)
    assert message["X-Setu-Event-Id"] == envelope["id"]
    wait_until(
        lambda: _delivery(notifications_db, envelope["id"]).status == "sent",
        message="the delivery to be sent",
    )


def test_a_connection_dropped_between_two_emails_is_reopened_without_a_retry(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    first = programme_status_changed()
    publish(first)
    smtp_server.wait_for(1)
    # The server goes away and comes back between two emails: the worker's open connection
    # is dead, which it finds out when it sends the next message.
    smtp_server.stop()
    smtp_server.controller = Controller(
        smtp_server.handler, hostname="127.0.0.1", port=smtp_server.port
    )
    smtp_server.start()
    second = programme_status_changed()
    publish(second)

    [_, message] = smtp_server.wait_for(2)
    assert message["X-Setu-Event-Id"] == second["id"]
    wait_until(
        lambda: _delivery(notifications_db, second["id"]).status == "sent",
        message="the second delivery to be sent",
    )
    delivery = _delivery(notifications_db, second["id"])
    assert delivery.attempts == 1 and delivery.last_error is None
    assert len(smtp_server.messages) == 2


def test_a_refusal_quoting_the_address_is_logged_and_kept_without_it(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    """Logs are never erased: a mail server's reply that quotes the recipient's address (an
    applicant's, here) reaches neither the worker's log nor the delivery or its dead letter."""
    person = distinctive_person()
    home, host = organisation_data("IN"), organisation_data("JP")
    submitted = application_status_changed(home["id"], host["id"], "submitted", "draft", "submit")
    submitted["data"]["applicant"] = person.applicant()
    reply = f"550 5.1.1 <{person.email.upper()}>: Recipient address rejected: User unknown"
    smtp_server.handler.refusals[person.email] = reply
    for organisation in (home, host):
        publish(event("organisation.registered", organisation))
    publish(submitted)

    wait_until(
        lambda: (
            _delivery(notifications_db, submitted["id"], "application_received").status == "failed"
        ),
        20,
        message="the applicant's email to fail",
    )
    smtp_server.wait_for(1)  # the host's, accepted
    failed = _delivery(notifications_db, submitted["id"], "application_received")
    assert failed.last_error == "550 5.1.1 <[erased]>: Recipient address rejected: User unknown"
    with Session(notifications_db) as session:
        [letter] = session.scalars(select(DeadLetter).where(DeadLetter.delivery_id == failed.id))
    assert letter.error == failed.last_error
    notifications_worker.wait_for_output("email failed")
    assert found_in_text(notifications_worker.output(), {person.email}) == set()
