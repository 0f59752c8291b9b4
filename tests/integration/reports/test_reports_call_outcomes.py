"""call_outcomes on SQLite and PostgreSQL: per call closing in the period, proposals
received, eligible, reviewed and approved, and the budget committed against the envelope;
every figure counted by hand from the history below."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from reports.queries import call_outcomes
from reports.services import read_model
from reports.store.db import make_engine, make_sessionmaker, transaction
from reports.store.migrate import upgrade
from setu_contract.events import EventType
from setu_contract.messaging import REPORTS_QUEUE, sent_to
from tests.integration.reports import factories as f

START, END = date(2027, 6, 1), date(2027, 6, 30)


def at(month: int, day: int) -> datetime:
    return datetime(2027, month, day, 12, 0, tzinfo=UTC)


def call(title: str, closes: datetime, status: str = "open", version: int = 1) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "title": title,
        "focus_areas": ["ai_research"],
        "opens_at": at(4, 1).isoformat(),
        "closes_at": closes.isoformat(),
        "timezone": "Asia/Tokyo",
        "budget_envelope": {"JPY": "3000000", "INR": "500000.00"},
        "status": status,
        "version": version,
    }


def review(programme: dict, call_id: str) -> dict:
    """A review.submitted envelope as the reports queue is sent it (no reviewer)."""
    data = {
        "id": str(uuid.uuid4()),
        "programme_id": programme["id"],
        "programme_reference": programme["reference"],
        "programme_title": programme["title"],
        "call_id": call_id,
        "call_title": "t",
        "status": "submitted",
        "due_at": at(7, 1).isoformat(),
        "reviewer": {
            "id": "r",
            "name": "Dr Secret",
            "email": "secret@panel.example",
            "language": "en",
            "time_zone": "UTC",
        },
        "version": 3,
    }
    envelope = sent_to(REPORTS_QUEUE, f.event(EventType.REVIEW_SUBMITTED, data))
    assert envelope["data"]["reviewer"] is None
    return envelope


def test_call_outcomes_counts_each_call_closing_in_the_period(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    alpha, chennai = f.organisation("JP", "Alpha"), f.organisation("IN", "Chennai")
    june = call("Chiplets 2027", at(6, 15))
    july = call("Outside the period", at(7, 15))

    def answering(c: dict, **kwargs) -> dict:
        return {**f.programme(alpha, chennai, **kwargs), "call_id": c["id"]}

    # a: submitted, reviewed twice, approved; b: submitted, reviewed once; c: a draft never
    # submitted; d: another call's, submitted and approved.
    a = answering(june, jpy="1000000", inr="100.50")
    b = answering(june, jpy="2500000", inr="0")
    c = answering(june)
    d = answering(july)
    events = [(EventType.ORGANISATION_REGISTERED, o) for o in (alpha, chennai)]
    events += [(EventType.CALL_CREATED, x) for x in (june, july)]
    events += [(EventType.PROGRAMME_CREATED, p) for p in (a, b, c, d)]
    for p in (a, b, d):
        events.append((EventType.PROGRAMME_STATUS_CHANGED, f.moved(p, "submitted", at(5, 2))))
    for p in (a, d):
        submitted = f.moved(p, "submitted", at(5, 2))
        events.append(
            (EventType.PROGRAMME_STATUS_CHANGED, f.moved(submitted, "approved", at(6, 20)))
        )
    events.append(
        (
            EventType.CALL_STATUS_CHANGED,
            {
                **june,
                "status": "closed",
                "version": 2,
                "from": "open",
                "to": "closed",
                "action": "close",
                "actor_organisation_id": None,
            },
        )
    )
    try:
        with transaction(sessions) as session:
            for kind, data in events:
                read_model.apply_event(session, f.event(kind, data))
            for envelope in (review(a, june["id"]), review(a, june["id"]), review(b, june["id"])):
                read_model.apply_event(session, envelope)
        with transaction(sessions) as session:
            [proposals, budget], charts = call_outcomes.compute(
                session, START, END, {}, lambda _: None
            )
    finally:
        engine.dispose()
    assert charts == []
    assert proposals.rows == [
        (
            june["id"],
            "Chiplets 2027",
            "closed",
            2,  # received: a and b (c was never submitted)
            2,  # eligible: every proposal received
            2,  # reviewed: a and b
            1,  # approved: a
        )
    ]
    # Committed: a's budget; against the June call's envelope.
    assert budget.rows == [
        (june["id"], "Chiplets 2027", "1000000", "3000000", "100.50", "500000.00")
    ]
