"""The database goes away just after a message left: the SMTP server accepted the email, or
the webhook endpoint took the call, and the worker has not recorded it yet. The record waits
for the database, and nothing is sent twice, however often the sweeper looks.

On PostgreSQL the test terminates every connection to the database at that moment (from the
SMTP server's handler, or the endpoint's, before it answers); on SQLite it holds the write
lock until the worker's record has waited past its busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import pytest
from celery import Celery
from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import Session

from notifications.services.webhooks import NewEndpoint, create_endpoint
from notifications.store.models import Delivery, WebhookDelivery
from setu_contract.http import Principal
from setu_contract.messaging import NOTIFICATIONS_QUEUE
from tests.integration.notifications.conftest import WorkerStarter
from tests.integration.notifications.webhook_receiver import Receiver
from tests.support.infra import terminate_connections, wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import event, organisation_data, programme_status_changed

# The sweeper's deadlines are minutes; the test has it take 2 s as stuck.
SWEEP_NOW = {"stuck_after_seconds": 2}


class Blip:
    """Takes the database away (``cut``, called at the moment under test) and brings it back
    (``restore``, once the worker has met the cut)."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.url = make_url(database_url)
        self.cuts = 0
        # Set once the first cut is done: the test sees the message arrive (the SMTP server
        # records it) before the server's thread has cut the database.
        self.done = threading.Event()
        self._holder: sqlite3.Connection | None = None

    def cut(self) -> None:
        """The first time only: the worker's connections are cut (PostgreSQL) or its next
        write waits on a lock past its busy timeout (SQLite)."""
        self.cuts += 1
        if self.cuts > 1:
            return
        if self.url.get_backend_name() == "postgresql":
            terminate_connections(self.database_url)
        else:
            self._holder = sqlite3.connect(
                self.url.database, isolation_level=None, check_same_thread=False
            )
            self._holder.execute("BEGIN IMMEDIATE")
        self.done.set()

    def restore(self, worker: Process) -> None:
        assert self.done.wait(30), "the database was never cut"
        if self._holder is None:
            return  # PostgreSQL takes new connections at once
        wait_until(
            lambda: "database is locked" in worker.output(),
            30,
            message="the worker's record to wait past its busy timeout",
        )
        self.close()

    def close(self) -> None:
        if self._holder is not None:
            self._holder.close()  # rolls back: the write lock is free
            self._holder = None


@pytest.fixture
def blip(database_url: str) -> Iterator[Blip]:
    cutting = Blip(database_url)
    yield cutting
    cutting.close()


def _cut_when_accepted(smtp_server: SmtpServer, blip: Blip) -> None:
    """The SMTP server records each message, then cuts the database, then answers 250."""
    accept = smtp_server.handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        reply = await accept(server, session, envelope)
        blip.cut()
        return reply

    smtp_server.handler.handle_DATA = handle_DATA


def _status(engine: Engine, model: type[Delivery] | type[WebhookDelivery], event_id: str):
    with Session(engine) as session:
        return session.scalar(select(model.status).where(model.event_id == event_id))


def _sweep_until(producer: Celery, worker: Process, done, what: str) -> None:
    """Ask the sweeper, once a second, until ``done()``; then three more times, and wait for
    them to have run (each sweep logs "received" and "succeeded")."""

    def swept() -> bool:
        producer.send_task(
            "notifications.sweep_deliveries", kwargs=SWEEP_NOW, queue=NOTIFICATIONS_QUEUE
        )
        return done()

    wait_until(swept, 30, interval=1.0, message=what)
    before = worker.output().count("sweep_deliveries")
    for _ in range(3):
        producer.send_task(
            "notifications.sweep_deliveries", kwargs=SWEEP_NOW, queue=NOTIFICATIONS_QUEUE
        )
    wait_until(
        lambda: worker.output().count("sweep_deliveries") >= before + 6,
        message="the extra sweeps to run",
    )


def test_an_email_accepted_as_the_database_goes_away_is_sent_once(
    notifications_worker: Process,
    notifications_db: Engine,
    smtp_server: SmtpServer,
    blip: Blip,
    publish,
    producer: Celery,
) -> None:
    _cut_when_accepted(smtp_server, blip)
    envelope = programme_status_changed()
    publish(envelope)
    smtp_server.wait_for(1)
    blip.restore(notifications_worker)

    _sweep_until(
        producer,
        notifications_worker,
        lambda: _status(notifications_db, Delivery, envelope["id"]) == "sent",
        "the delivery to be recorded sent",
    )
    assert blip.cuts == len(smtp_server.messages) == 1


@pytest.fixture
def worker_env(worker_env: dict[str, str]) -> dict[str, str]:
    return {**worker_env, "WEBHOOK_ALLOW_PRIVATE": "1"}


def test_a_webhook_taken_as_the_database_goes_away_is_posted_once(
    start_notifications_worker: WorkerStarter,
    notifications_db: Engine,
    blip: Blip,
    publish,
    producer: Celery,
) -> None:
    worker = start_notifications_worker()
    ours, theirs = organisation_data("JP"), organisation_data("IN")
    for organisation in (ours, theirs):
        publish(event("organisation.registered", organisation))
    with Receiver() as receiver:
        with Session(notifications_db) as session, session.begin():
            create_endpoint(
                session,
                Principal(ours["id"], "partner", "key"),
                NewEndpoint(receiver.url, ["programme.status_changed"]),
                allow_private=True,
            )
        receiver.before_answer = blip.cut
        envelope = programme_status_changed(
            to="approved",
            source="under_review",
            action="approve",
            partners=[(ours["id"], "lead"), (theirs["id"], "lead")],
        )
        publish(envelope)
        wait_until(lambda: receiver.received(), 30, message="the webhook call")
        blip.restore(worker)
        _sweep_until(
            producer,
            worker,
            lambda: _status(notifications_db, WebhookDelivery, envelope["id"]) == "sent",
            "the webhook delivery to be recorded sent",
        )
        assert blip.cuts == len(receiver.received()) == 1
