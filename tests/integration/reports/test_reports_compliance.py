"""compliance on SQLite and PostgreSQL: screenings recorded in the period by side, subject
and outcome; the current licences at the period's end and their state; the programmes on
hold; events applied out of order give the same report; every figure counted by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from reports.queries import compliance
from reports.services import read_model
from reports.services.report_types import REGISTRY
from reports.store.db import make_engine, make_sessionmaker, transaction
from reports.store.migrate import upgrade
from setu_contract.events import EventType
from setu_contract.messaging import REPORTS_QUEUE, sent_to
from tests.integration.reports import factories as f

START, END = date(2027, 6, 1), date(2027, 6, 30)


def at(month: int, day: int) -> datetime:
    return datetime(2027, month, day, 12, 0, tzinfo=UTC)


def screening(
    programme: dict,
    side: str,
    outcome: str,
    recorded: datetime,
    valid_until: str | None = None,
    application_id: str | None = None,
) -> dict:
    """A screening.recorded envelope as the reports queue is sent it (no notes, no names)."""
    day = date.fromisoformat(valid_until) if valid_until else None
    data = f.screening(
        programme,
        side,
        outcome,
        recorded,
        day,
        application_id,
        notes="affiliation checked with the lab head",
        recorded_by={"kind": "person", "name": "Officer Secret"},
    )
    envelope = sent_to(REPORTS_QUEUE, f.event(EventType.SCREENING_RECORDED, data))
    assert envelope["data"]["notes"] is None and envelope["data"]["recorded_by"] is None
    return envelope


def test_compliance_counts_screenings_licences_and_holds(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    alpha, chennai = f.organisation("JP", "Alpha"), f.organisation("IN", "Chennai")
    a = f.programme(alpha, chennai)
    b = f.programme(alpha, chennai)
    person = str(uuid.uuid4())
    screenings = [
        # a: JP cleared in May (before the period), IN licensed until 20 June (expires in it).
        screening(a, "JP", "cleared", at(5, 10)),
        screening(a, "IN", "needs_information", at(6, 2)),
        screening(a, "IN", "licence_required", at(6, 3), "2027-06-20"),
        # b: JP licensed until 15 July (expiring within 30 days of 30 June), IN denied.
        screening(b, "JP", "licence_required", at(6, 5), "2027-07-15"),
        screening(b, "IN", "denied", at(6, 6)),
        # The person of an exchange into a, screened by India with a licence to 2028.
        screening(a, "IN", "licence_required", at(6, 7), "2028-01-31", application_id=person),
        # After the period: not counted, not current at its end.
        screening(b, "JP", "cleared", at(7, 2)),
    ]
    try:
        with transaction(sessions) as session:
            for kind, data in [(EventType.ORGANISATION_REGISTERED, o) for o in (alpha, chennai)]:
                read_model.apply_event(session, f.event(kind, data))
            for p in (a, b):
                read_model.apply_event(session, f.event(EventType.PROGRAMME_CREATED, p))
            # Out of order: the current screening is the latest recorded, whatever arrived last.
            for envelope in reversed(screenings):
                read_model.apply_event(session, envelope)
            read_model.apply_event(session, screenings[0])  # a redelivery changes nothing
        with transaction(sessions) as session:
            (by_outcome, licences, holds), charts = compliance.compute(
                session, START, END, {}, lambda _: None
            )
    finally:
        engine.dispose()
    assert charts == []
    assert by_outcome.rows == [
        ("IN", "person", "licence_required", 1),
        ("IN", "programme", "denied", 1),
        ("IN", "programme", "licence_required", 1),
        ("IN", "programme", "needs_information", 1),
        ("JP", "programme", "licence_required", 1),
    ]
    refs = {a["id"]: a["reference"], b["id"]: b["reference"]}
    assert sorted(licences.rows) == sorted(
        [
            (a["id"], refs[a["id"]], "programme", "IN", "DGFT", "DGFT-1", "2027-06-20", "expired"),
            (a["id"], refs[a["id"]], "person", "IN", "DGFT", "DGFT-1", "2028-01-31", "valid"),
            (b["id"], refs[b["id"]], "programme", "JP", "METI", "METI-1", "2027-07-15", "expiring"),
        ]
    )
    assert holds.rows == [(a["id"], a["reference"], a["title"], "IN", "2027-06-20")]
    assert "compliance" in REGISTRY
