"""However often an event arrives, each recipient gets its email once; report emails carry
a working one-click unsubscribe; dead letters can be listed and re-queued."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notifications.app import create_app
from notifications.cli import cli
from notifications.config import Config
from notifications.store.models import DeadLetter, Delivery
from tests.support.identity import signing_client
from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
    report_generated,
)


def test_the_same_event_five_times_sends_one_email_per_recipient(
    notifications_worker: Process, notifications_db: Engine, smtp_server: SmtpServer, publish
) -> None:
    home, host = organisation_data("IN"), organisation_data("JP")
    publish(event("organisation.registered", home))
    publish(event("organisation.registered", host))
    decision = application_status_changed(home["id"], host["id"], "rejected", "endorsed", "r")
    for _ in range(5):
        publish(decision)
    marker = application_status_changed(home["id"], host["id"], "endorsed", "submitted", "e")
    publish(marker)  # queued last: when its email is in, the five copies were handled

    wait_until(
        lambda: any(m["X-Setu-Event-Id"] == marker["id"] for m in smtp_server.messages),
        30,
        message="the marker's email",
    )
    wait_until(
        lambda: notifications_worker.output().count("succeeded") >= 8,
        30,
        message="every task to finish",
    )
    per_recipient = Counter(
        str(m["To"]) for m in smtp_server.messages if m["X-Setu-Event-Id"] == decision["id"]
    )
    assert per_recipient == {
        decision["data"]["applicant"]["email"]: 1,
        home["contact_email"]: 1,
        host["contact_email"]: 1,
    }
    with Session(notifications_db) as session:
        rows = session.scalars(select(Delivery).where(Delivery.event_id == decision["id"])).all()
    assert sorted(r.attempts for r in rows) == [1, 1, 1]


def test_a_report_email_can_be_left_with_one_click(
    notifications_worker: Process, smtp_server: SmtpServer, publish, worker_env, redis_url
) -> None:
    publish(report_generated(["reader@setu.test"]))
    [message] = smtp_server.wait_for(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://setu.test/v1/unsubscribe/")
    assert link in message.get_body(("plain",)).get_content()

    config = Config.from_env(worker_env)
    client = signing_client(create_app(config))
    path = link.removeprefix("https://setu.test")
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})  # no API key
    assert response.status_code == 200

    publish(report_generated(["reader@setu.test", "other@setu.test"]))
    [_, second] = smtp_server.wait_for(2)
    assert second["To"] == "other@setu.test"


def test_a_decision_email_cannot_be_unsubscribed_from(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    host = organisation_data("JP")
    publish(event("organisation.registered", host))
    publish(
        application_status_changed(
            organisation_data("IN")["id"], host["id"], "withdrawn", "submitted", "withdraw"
        )
    )
    [message] = smtp_server.wait_for(1, timeout=30)
    assert "List-Unsubscribe" not in message


def test_a_dead_letter_is_listed_and_requeued_once_the_fault_is_fixed(
    notifications_worker: Process,
    notifications_db: Engine,
    smtp_server: SmtpServer,
    publish,
    worker_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in worker_env.items():
        monkeypatch.setenv(name, value)
    smtp_server.handler.reply = "554 5.7.1 relay denied"
    envelope = application_status_changed(
        organisation_data("IN")["id"],
        organisation_data("JP")["id"],
        "endorsed",
        "submitted",
        "endorse",
    )
    publish(envelope)

    def dead_letter() -> DeadLetter | None:
        with Session(notifications_db) as session:
            return session.scalar(select(DeadLetter).where(DeadLetter.event_id == envelope["id"]))

    letter = wait_until(dead_letter, 20, message="a dead letter")
    runner = CliRunner()
    listing = runner.invoke(cli, ["dead-letters"])
    assert listing.exit_code == 0 and letter.id in listing.output and "554" in listing.output

    smtp_server.handler.reply = None
    requeued = runner.invoke(cli, ["requeue", letter.id])
    assert requeued.exit_code == 0, requeued.output
    [message] = smtp_server.wait_for(1)
    assert message["X-Setu-Event-Id"] == envelope["id"]
    again = runner.invoke(cli, ["requeue", letter.id])
    assert again.exit_code != 0 and "already" in again.output
    assert letter.id not in runner.invoke(cli, ["dead-letters"]).output
