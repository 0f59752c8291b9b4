"""Erasing an applicant's personal data leaves it nowhere in the notifications service:
deliveries, webhook payloads, dead letters, unsubscriptions, the database's free space; and
events of the application that arrive late, or at the same moment, bring none of it back."""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import Engine, event, select, update

from notifications.domain.planning import Settings
from notifications.handling import record_event, take_event
from notifications.mail.unsubscribe import REPORTS_LIST
from notifications.services.dead_letters import record_failed_task
from notifications.services.unsubscribing import unsubscribe
from notifications.store.db import make_engine, make_sessionmaker
from notifications.store.models import (
    DeadLetter,
    Delivery,
    Unsubscription,
    WebhookDelivery,
    WebhookEndpoint,
    reclaims_due,
)
from tests.support.personal_data import Person, database_holding, distinctive_person
from tests.unit.notifications.factories import application_status_changed, organisation_data
from tests.unit.notifications.factories import event as envelope_of

SETTINGS = Settings("office@setu.test", "https://setu.test")


def _submitted(person: Person, home: dict, host: dict, version: int = 2) -> dict[str, Any]:
    """The application.status_changed of ``person``'s submission, a comment naming them."""
    submitted = application_status_changed(
        home["id"], host["id"], "submitted", "draft", "submit", version=version
    )
    data = submitted["data"]
    data["applicant"] = person.applicant(nationality="IN", language="hi")
    data["statement"], data["comment"] = person.statement, person.comment
    return submitted


def _erasure(submitted: dict[str, Any], version: int = 5) -> dict[str, Any]:
    data = submitted["data"]
    return envelope_of(
        "application.personal_data_erased",
        {
            "id": data["id"],
            "version": version,
            "reference": data["reference"],
            "home_organisation_id": data["home_organisation_id"],
            "host_organisation_id": data["host_organisation_id"],
            "erased_at": "2027-01-05T00:00:00+00:00",
            "actor_organisation_id": "secretariat-jp",
        },
    )


def _organisations(sessions, *, webhook_types: list[str]) -> tuple[dict, dict]:
    """A home (IN) and a host (JP) organisation known to the service; the host has a webhook."""
    home, host = organisation_data("IN"), organisation_data("JP")
    with sessions() as session, session.begin():
        session.add(
            WebhookEndpoint(
                organisation_id=host["id"],
                url="https://h.example/x",
                event_types=webhook_types,
                secret="s",
            )
        )
    with sessions() as session:
        for organisation in (home, host):
            record_event(session, envelope_of("organisation.registered", organisation), SETTINGS)
    return home, host


def test_erasure_forgets_the_applicant_everywhere(
    notifications_db: Engine, database_url: str
) -> None:
    sessions = make_sessionmaker(notifications_db)
    home, host = _organisations(
        sessions,
        webhook_types=["application.status_changed", "application.personal_data_erased"],
    )
    person = distinctive_person("devanagari")
    submitted = _submitted(person, home, host)
    with sessions() as session:
        record_event(session, submitted, SETTINGS)
        later = _submitted(person, home, host, version=3)
        later["data"]["id"] = submitted["data"]["id"]
        with session.begin():
            record_failed_task(
                session, "notifications.handle_event", [later], f"KeyError({person.email!r})", 9
            )
        with session.begin():
            unsubscribe(session, person.email.upper(), REPORTS_LIST)
        with session.begin():
            unsubscribe(session, host["contact_email"], REPORTS_LIST)
    with sessions() as session, session.begin():
        session.execute(
            update(Delivery)
            .where(Delivery.template == "application_received")
            .values(last_error=f"451 4.2.2 <{person.email}>: mailbox full", status="retrying")
        )
    before = database_holding(database_url, person.values)
    assert set().union(*before.values()) == person.values

    with sessions() as session:
        assert record_event(session, _erasure(submitted), SETTINGS) == []

    assert database_holding(database_url, person.values) == {}
    with sessions() as session, session.begin():
        # The erasure's reclaim was done as it was applied: none is left due.
        assert session.scalars(select(reclaims_due.c.id)).all() == []
        deliveries = session.scalars(select(Delivery)).all()
        webhooks = session.scalars(select(WebhookDelivery)).all()
        letter = session.scalars(select(DeadLetter)).one()
        unsubscribed = set(session.scalars(select(Unsubscription.email)))
    assert len(deliveries) == 2 and len(webhooks) == 2
    receipt = next(d for d in deliveries if d.template == "application_received")
    # Never sent now, not even by the sweeper: there is nobody to send it to.
    assert receipt.status == "failed" and receipt.recipient.endswith("@erased.invalid")
    endorsement = next(d for d in deliveries if d.template != "application_received")
    assert endorsement.status == "queued" and endorsement.recipient == host["contact_email"]
    assert endorsement.context["comment"] is None and endorsement.context["applicant_name"] is None
    assert endorsement.context["direction"] == "IN_TO_JP"
    assert letter.payload["args"][0]["data"]["applicant"] is None
    assert letter.error == "KeyError('[erased]')"
    assert unsubscribed == {host["contact_email"].lower()}
    told = next(w for w in webhooks if w.event_type == "application.personal_data_erased")
    assert told.payload["data"]["id"] == submitted["data"]["id"]


def test_an_event_written_before_the_erasure_and_arriving_after_it_names_nobody(
    notifications_db: Engine, database_url: str
) -> None:
    """Delivery is unordered: the submission arrives after the erasure. An event written
    after the erasure (a newer version) keeps its comment: it is a new one."""
    sessions = make_sessionmaker(notifications_db)
    home, host = _organisations(sessions, webhook_types=["application.status_changed"])
    person = distinctive_person("japanese")
    submitted = _submitted(person, home, host, version=2)
    with sessions() as session:
        record_event(session, _erasure(submitted, version=5), SETTINGS)
        record_event(session, submitted, SETTINGS)
        declined = application_status_changed(
            home["id"], host["id"], "rejected", "submitted", "decline_hosting", version=6
        )
        declined["data"].update(
            id=submitted["data"]["id"], applicant=None, comment="No bench space in May"
        )
        record_event(session, declined, SETTINGS)

    assert database_holding(database_url, person.values) == {}
    with sessions() as session, session.begin():
        # The erasure's reclaim was done as it was applied: none is left due.
        assert session.scalars(select(reclaims_due.c.id)).all() == []
        deliveries = session.scalars(select(Delivery)).all()
        payloads = [w.payload for w in session.scalars(select(WebhookDelivery))]
    assert "application_received" not in {d.template for d in deliveries}
    assert [p["data"]["applicant"] for p in payloads] == [None, None]
    decisions = [d for d in deliveries if d.template == "application_decision"]
    assert {d.context["comment"] for d in decisions} == {"No bench space in May"}


def test_an_event_taken_as_the_erasure_commits_is_erased_once_written(
    notifications_db: Engine, database_url: str
) -> None:
    """The erasure arrives while the submission is being taken. On PostgreSQL the erasure
    commits between the submission's plan and its write (finding nothing of it to erase):
    the submission is erased as soon as it is written. On SQLite the submission's
    transaction holds the write lock from its first statement, so the erasure waits for it
    and then finds it. Either way its applicant's email is not sent."""
    sessions = make_sessionmaker(notifications_db)
    home, host = _organisations(sessions, webhook_types=["application.status_changed"])
    person = distinctive_person()
    submitted = _submitted(person, home, host)
    erasing = make_sessionmaker(make_engine(database_url))
    erasures: list[threading.Thread] = []

    def erase() -> None:
        with erasing() as other:
            record_event(other, _erasure(submitted), SETTINGS)

    def erase_before_the_write(_conn, _cursor, statement: str, *_args) -> None:
        if not erasures and "INSERT INTO processed_events" in statement:
            erasures.append(threading.Thread(target=erase))
            erasures[0].start()
            if notifications_db.dialect.name != "sqlite":
                erasures[0].join(30)

    event.listen(notifications_db, "before_cursor_execute", erase_before_the_write)
    try:
        with sessions() as session:
            taken = take_event(session, submitted, SETTINGS)
    finally:
        event.remove(notifications_db, "before_cursor_execute", erase_before_the_write)
        for thread in erasures:
            thread.join(30)
        erasing.kw["bind"].dispose()
    assert erasures and not erasures[0].is_alive()
    planned = [d.template for d in taken.emails]
    if notifications_db.dialect.name == "sqlite":
        # Planned before the erasure could begin; the erasure then fails the receipt, so the
        # send's claim (queued or retrying only) never takes it.
        assert planned == ["application_received", "application_endorsement_requested"]
    else:
        assert planned == ["application_endorsement_requested"]
    assert database_holding(database_url, person.values) == {}
    with sessions() as session, session.begin():
        receipt = session.scalars(
            select(Delivery).where(Delivery.template == "application_received")
        ).one()
        stored = json.dumps([w.payload for w in session.scalars(select(WebhookDelivery))])
    assert receipt.status == "failed"
    assert '"applicant": null' in stored.replace('"applicant":null', '"applicant": null')
