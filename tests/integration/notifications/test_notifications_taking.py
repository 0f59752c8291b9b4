"""An event is applied and its emails claimed in one transaction (on PostgreSQL in one
statement); an email is finished in one statement. However often the event arrives, each
email is claimed once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from notifications.domain.planning import Settings
from notifications.handling import send_claimed, take_event
from notifications.mail.compose import Sender
from notifications.mail.smtp import SmtpSettings, SmtpTransport
from notifications.store.db import AUTOCOMMIT_ENGINE, make_sessionmaker, make_worker_sessionmaker
from notifications.store.models import (
    RETRYING,
    Delivery,
    ProcessedEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import programme_status_changed

SETTINGS = Settings("office@setu.test", "https://setu.test")
SENDER = Sender("no-reply@setu.test")


@pytest.fixture
def sessions(notifications_db: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(notifications_db)


@pytest.fixture
def transport(smtp_server: SmtpServer) -> Iterator[SmtpTransport]:
    opened = SmtpTransport(SmtpSettings("127.0.0.1", smtp_server.port))
    yield opened
    opened.close()


class Statements:
    """The statements sent to the database, transaction control included."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        word = statement.split(None, 1)[0].upper()
        if word != "BEGIN":  # SQLite's BEGIN IMMEDIATE: seen as the transaction's begin
            self.seen.append(word)

    def _begin(self, conn) -> None:
        self.seen.append("AUTOCOMMIT" if self._autocommit(conn) else "BEGIN")

    def _commit(self, conn) -> None:
        if not self._autocommit(conn):
            self.seen.append("COMMIT")

    @staticmethod
    def _autocommit(conn) -> bool:
        # Asked for one use (an execution option), or for every connection of the engine
        # (then only the driver knows: psycopg's autocommit).
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return True
        return getattr(conn.connection.dbapi_connection, "autocommit", False) is True


def test_a_new_event_is_taken_at_once_and_its_email_finished_in_one_statement(
    notifications_db: Engine,
    sessions: sessionmaker[Session],
    transport: SmtpTransport,
    smtp_server: SmtpServer,
) -> None:
    envelope = programme_status_changed()
    with sessions() as session, Statements(notifications_db) as statements:
        taken = take_event(session, envelope, SETTINGS)
        [email] = taken.emails
        assert (email.status, email.attempts, email.recipient) == ("sending", 1, "office@setu.test")
        if notifications_db.dialect.name == "postgresql":
            # Its record, its email and its webhooks: one statement (store.new_events).
            assert statements.seen == ["AUTOCOMMIT", "WITH"]
        else:
            # Planned first (the endpoints it may go to), then written with its record.
            assert statements.seen == [
                *("AUTOCOMMIT", "SELECT"),
                *("BEGIN", "INSERT", "INSERT", "COMMIT"),
            ]

        del statements.seen[:]
        outcome = send_claimed(session, email, transport.send, SENDER, lambda d: None)
        assert outcome.status == "sent"
        assert statements.seen == ["AUTOCOMMIT", "UPDATE"]
    [message] = smtp_server.messages
    assert message["X-Setu-Notification-Id"] == email.id
    with Session(notifications_db) as session:
        stored = session.get(Delivery, email.id)
        assert (stored.status, stored.attempts, stored.message_id) == (
            "sent",
            1,
            message["Message-ID"],
        )


def test_an_event_taken_again_claims_nothing_more(
    notifications_db: Engine, sessions: sessionmaker[Session]
) -> None:
    envelope = programme_status_changed()
    with sessions() as session:
        first = take_event(session, envelope, SETTINGS)
        again = [take_event(session, envelope, SETTINGS) for _ in range(4)]
    assert len(first.emails) == 1
    assert all(t.emails == [] and t.webhooks == [] for t in again)
    with Session(notifications_db) as session:
        assert session.scalar(select(Delivery.attempts)) == 1
        processed = session.scalars(select(ProcessedEvent.event_id)).all()
    assert processed == [envelope["id"]]


def test_a_redelivered_event_claims_its_email_waiting_for_a_retry(
    notifications_db: Engine, sessions: sessionmaker[Session]
) -> None:
    envelope = programme_status_changed()
    with sessions() as session:
        [email] = take_event(session, envelope, SETTINGS).emails
        with session.begin():
            session.execute(update(Delivery).values(status=RETRYING))
        [again] = take_event(session, envelope, SETTINGS).emails
        assert take_event(session, envelope, SETTINGS).emails == []
    assert again.id == email.id
    assert (again.status, again.attempts) == ("sending", 2)


def test_an_event_that_causes_nothing_is_recorded_without_a_transaction(
    notifications_db: Engine, sessions: sessionmaker[Session]
) -> None:
    envelope = programme_status_changed(to="in_review", source="submitted", action="review")
    with sessions() as session, Statements(notifications_db) as statements:
        taken = take_event(session, envelope, SETTINGS)
        assert taken.emails == [] and taken.webhooks == []
        if notifications_db.dialect.name == "postgresql":
            assert statements.seen == ["AUTOCOMMIT", "WITH"]
        else:
            assert statements.seen == ["AUTOCOMMIT", "SELECT", "INSERT"]
        assert take_event(session, envelope, SETTINGS) == taken
    with Session(notifications_db) as session:
        assert session.get(ProcessedEvent, envelope["id"]) is not None


def test_a_redelivered_event_still_lists_its_unsent_webhook_when_it_would_plan_none_now(
    notifications_db: Engine, sessions: sessionmaker[Session]
) -> None:
    envelope = programme_status_changed(to="in_review", source="submitted", action="review")
    owner = envelope["data"]["partners"][0]["organisation_id"]
    with sessions() as session:
        with session.begin():
            endpoint = WebhookEndpoint(
                organisation_id=owner,
                url="https://partner.example/hooks",
                event_types=["programme.status_changed"],
                secret="s",
            )
            session.add(endpoint)
        [webhook_id] = take_event(session, envelope, SETTINGS).webhooks
        with session.begin():
            session.execute(update(WebhookEndpoint).values(enabled=False))
        again = take_event(session, envelope, SETTINGS)
    assert again.webhooks == [webhook_id] and again.emails == []


def test_a_new_event_goes_to_each_enabled_endpoint_of_its_organisations_that_takes_its_type(
    notifications_db: Engine, sessions: sessionmaker[Session]
) -> None:
    envelope = programme_status_changed()
    owner = envelope["data"]["partners"][0]["organisation_id"]
    wanted = "programme.status_changed"

    def endpoint(organisation_id: str, types: list[str], enabled: bool = True):
        return WebhookEndpoint(
            organisation_id=organisation_id,
            url="https://partner.example/hooks",
            event_types=types,
            secret="s",
            enabled=enabled,
        )

    with sessions() as session:
        with session.begin():
            taking = endpoint(owner, ["programme.created", wanted])
            session.add_all(
                [
                    taking,
                    endpoint(owner, ["programme.created"]),
                    endpoint(owner, [wanted], enabled=False),
                    endpoint("someone-else", [wanted]),
                ]
            )
        taken = take_event(session, envelope, SETTINGS)
        [email] = taken.emails
    with Session(notifications_db) as session:
        [webhook] = session.scalars(select(WebhookDelivery)).all()
        stored = session.get(Delivery, email.id)
    assert taken.webhooks == [webhook.id]
    assert (webhook.endpoint_id, webhook.event_id, webhook.event_type) == (
        taking.id,
        envelope["id"],
        wanted,
    )
    assert (webhook.subject_id, webhook.payload) == (envelope["data"]["id"], envelope)
    assert (webhook.status, webhook.attempts) == ("queued", 0)
    assert webhook.created_at is not None and webhook.updated_at is not None
    for name in ("event_id", "recipient", "template", "language", "timezone", "context"):
        assert getattr(stored, name) == getattr(email, name), name
    assert (stored.status, stored.attempts, stored.correlation_id) == (
        "sending",
        1,
        envelope["correlation_id"],
    )
    assert stored.subject_id == envelope["data"]["id"] and stored.created_at is not None


def test_the_worker_sessions_run_the_standalone_statements_on_their_autocommit_engine(
    database_url: str, notifications_db: Engine, transport: SmtpTransport
) -> None:
    if notifications_db.dialect.name != "postgresql":
        assert AUTOCOMMIT_ENGINE not in make_worker_sessionmaker(database_url).kw.get("info", {})
        return
    worker_sessions = make_worker_sessionmaker(database_url)
    statements_engine = worker_sessions.kw["info"][AUTOCOMMIT_ENGINE]
    envelope = programme_status_changed()
    try:
        with (
            worker_sessions() as session,
            Statements(worker_sessions.kw["bind"]) as on_sessions,
            Statements(statements_engine) as statements,
        ):
            [email] = take_event(session, envelope, SETTINGS).emails
            outcome = send_claimed(session, email, transport.send, SENDER, lambda d: None)
            assert on_sessions.seen == []
            assert take_event(session, envelope, SETTINGS).emails == []  # redelivered
    finally:
        worker_sessions.kw["bind"].dispose()
        statements_engine.dispose()
    assert outcome.status == "sent"
    # No BEGIN, no COMMIT, no switching of a pooled connection; the redelivered copy is
    # claimed on the session as before.
    assert statements.seen == [
        *("AUTOCOMMIT", "WITH"),  # the event taken
        *("AUTOCOMMIT", "UPDATE"),  # its email sent
        *("AUTOCOMMIT", "WITH"),  # a second copy: recorded already, nothing written
    ]
    assert on_sessions.seen == ["AUTOCOMMIT", "UPDATE", "SELECT"]
    with Session(notifications_db) as session:
        stored = session.get(Delivery, email.id)
        assert (stored.status, stored.attempts) == ("sent", 1)
        assert session.get(ProcessedEvent, envelope["id"]) is not None
