"""Erasing an applicant's personal data removes it from deliveries and webhook payloads."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from notifications.domain.planning import Settings
from notifications.services.events import record_event
from notifications.store.db import make_sessionmaker
from notifications.store.models import Delivery, WebhookDelivery, WebhookEndpoint
from tests.unit.notifications.factories import application_status_changed, event, organisation_data

SETTINGS = Settings("office@setu.test", "https://setu.test")


def test_erasure_forgets_the_applicant_everywhere(notifications_db: Engine) -> None:
    sessions = make_sessionmaker(notifications_db)
    home, host = organisation_data("IN"), organisation_data("JP")
    submitted = application_status_changed(home["id"], host["id"], "submitted", "draft", "s")
    applicant = submitted["data"]["applicant"]
    with sessions() as session, session.begin():
        session.add(
            WebhookEndpoint(
                organisation_id=host["id"],
                url="https://h.example/x",
                event_types=["application.status_changed"],
                secret="s",
            )
        )
    with sessions() as session:
        for envelope in (
            event("organisation.registered", home),
            event("organisation.registered", host),
            submitted,
        ):
            record_event(session, envelope, SETTINGS)
        erased = event(
            "application.personal_data_erased", {"id": submitted["data"]["id"], "version": 5}
        )
        assert record_event(session, erased, SETTINGS) == []

    with sessions() as session, session.begin():
        deliveries = session.scalars(select(Delivery)).all()
        webhooks = session.scalars(select(WebhookDelivery)).all()
        stored = json.dumps([d.context for d in deliveries] + [w.payload for w in webhooks])
        assert len(deliveries) == 2 and len(webhooks) == 1
        assert applicant["email"] not in {d.recipient for d in deliveries}
        assert applicant["full_name"] not in stored and applicant["email"] not in stored
        receipt = next(d for d in deliveries if d.template == "application_received")
        assert receipt.status == "failed"  # never sent now: there is nobody to send it to
        endorsement = next(d for d in deliveries if d.template != "application_received")
        assert endorsement.status == "queued" and endorsement.recipient == host["contact_email"]
