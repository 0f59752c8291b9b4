"""Events sent to the real worker build the read model once, never going back a version."""

from __future__ import annotations

from sqlalchemy import func, select

from reports.store.models import BudgetLine, Organisation, ProcessedEvent, Programme
from setu_contract.events import EventType
from tests.integration.reports import factories as f
from tests.support.infra import wait_until


def _programme(service, programme_id: str):
    with service.sessions() as session:
        return session.get(Programme, programme_id)


def _processed(service) -> int:
    with service.sessions() as session:
        return session.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one()


def test_programme_events_build_the_read_model(reports_service, reports_worker):
    jp, india = f.organisation("JP"), f.organisation("IN")
    created = f.programme(jp, india, status="draft")
    submitted = f.status_changed(created, "submitted", "submit", jp["id"])
    for envelope in (
        f.event(EventType.ORGANISATION_REGISTERED, jp),
        f.event(EventType.ORGANISATION_REGISTERED, india),
        f.event(EventType.PROGRAMME_CREATED, created),
        f.event(EventType.PROGRAMME_STATUS_CHANGED, submitted),
    ):
        reports_service.send_event(envelope)

    wait_until(lambda: _processed(reports_service) == 4, message="four events applied")
    row = _programme(reports_service, created["id"])
    assert (row.status, row.version, row.focus_area) == ("submitted", 2, "ai_research")
    with reports_service.sessions() as session:
        assert session.get(Organisation, jp["id"]).country == "JP"
        lines = session.execute(
            select(BudgetLine.currency, BudgetLine.amount_minor)
            .where(BudgetLine.programme_id == created["id"])
            .order_by(BudgetLine.currency)
        ).all()
    assert lines == [("INR", 25000050), ("JPY", 1000000)]


def test_duplicate_and_older_events_change_nothing(reports_service, reports_worker):
    jp, india = f.organisation("JP"), f.organisation("IN")
    v1 = f.programme(jp, india, jpy="100")
    v2 = f.revised(
        v1,
        title="A newer title for the programme",
        budget=[{"organisation_id": jp["id"], "currency": "JPY", "amount": "200"}],
    )
    newer = f.event(EventType.PROGRAMME_UPDATED, v2)
    reports_service.send_event(newer)
    wait_until(lambda: _programme(reports_service, v1["id"]), message="v2 applied")

    # The same event three more times, then the older snapshot arriving late.
    for _ in range(3):
        reports_service.send_event(newer)
    reports_service.send_event(f.event(EventType.PROGRAMME_CREATED, v1))
    wait_until(lambda: _processed(reports_service) == 2, message="the late v1 processed")

    row = _programme(reports_service, v1["id"])
    assert (row.version, row.title) == (2, "A newer title for the programme")
    with reports_service.sessions() as session:
        lines = (
            session.execute(
                select(BudgetLine.amount_minor).where(BudgetLine.programme_id == v1["id"])
            )
            .scalars()
            .all()
        )
    assert lines == [200]


def test_an_invalid_event_is_dropped_and_the_worker_goes_on(reports_service, reports_worker):
    reports_service.send_event({"id": "not-an-event"})
    jp = f.organisation("JP")
    reports_service.send_event(f.event(EventType.ORGANISATION_REGISTERED, jp))
    wait_until(lambda: _processed(reports_service) == 1, message="the valid event applied")
    wait_until(
        lambda: "invalid event dropped" in reports_worker.output(),
        message="the invalid event logged and dropped",
    )
    assert _processed(reports_service) == 1


def test_participation_answers_are_taken_and_count_in_no_report(reports_service, reports_worker):
    jp, india = f.organisation("JP"), f.organisation("IN")
    created = f.programme(jp, india, status="draft")
    answers = [
        f.revised(
            created,
            organisation_id=india["id"],
            participation=answer,
            created_by_organisation_id=jp["id"],
            actor_organisation_id=india["id"],
        )
        for answer in ("declined", "confirmed")
    ]
    for envelope in (
        f.event(EventType.ORGANISATION_REGISTERED, jp),
        f.event(EventType.ORGANISATION_REGISTERED, india),
        f.event(EventType.PROGRAMME_CREATED, created),
        f.event(EventType.PARTICIPATION_DECLINED, answers[0]),
        f.event(EventType.PARTICIPATION_CONFIRMED, answers[1]),
    ):
        reports_service.send_event(envelope)

    wait_until(lambda: _processed(reports_service) == 5, message="five events applied")
    row = _programme(reports_service, created["id"])
    assert (row.status, row.version) == ("draft", 1)
