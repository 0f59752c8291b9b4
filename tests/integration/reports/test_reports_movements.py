"""exchange_flows' planned against actual arrivals and departures, from mobility.item_updated
events applied to the read model (in any order), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from reports.queries import exchange_flows
from reports.services import read_model
from reports.store.db import make_engine, make_sessionmaker, transaction
from setu_contract.events import EventType
from tests.integration.reports import factories as f

START, END = date(2027, 4, 1), date(2027, 4, 30)


def item_updated(app: dict, set_at: datetime, arrival: str | None, departure: str | None):
    return f.event(
        EventType.MOBILITY_ITEM_UPDATED, f.mobility_item_updated(app, set_at, arrival, departure)
    )


def test_planned_and_actual_movements_by_direction(database_url: str):
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    jp, india = f.organisation("JP", "Alpha"), f.organisation("IN", "Chennai")
    programme = f.programme(jp, india)
    # Both start on 1 April 2027 (in the period); one stays 9 days (leaves within it too).
    short = f.application(programme, jp, india, direction="JP_TO_IN", career_stage="phd", days=9)
    long = f.application(programme, india, jp, direction="IN_TO_JP", career_stage="phd", days=90)
    events = [f.event(EventType.ORGANISATION_REGISTERED, o) for o in (jp, india)]
    events.append(f.event(EventType.PROGRAMME_CREATED, programme))
    for app in (short, long):
        events.append(f.event(EventType.APPLICATION_CREATED, app))
        accepted = f.moved(app, "accepted", datetime(2027, 1, 5, tzinfo=UTC))
        events.append(f.event(EventType.APPLICATION_STATUS_CHANGED, accepted))
    now = datetime(2027, 4, 20, tzinfo=UTC)
    newest = item_updated(short, now, "2027-04-02", "2027-04-10")
    older = item_updated(short, now - timedelta(days=5), "2027-04-02", None)
    events += [newest, older]  # the older one arrives last: it changes nothing
    events.append(item_updated(long, now, "2027-03-30", None))  # arrived before the period
    with transaction(sessions) as session:
        outcomes = [read_model.apply_event(session, e) for e in events]
    assert outcomes[-2] == read_model.STALE
    with transaction(sessions) as session:
        tables, _ = exchange_flows.compute(session, START, END, {}, lambda _: None)
    movements = {t.name: t for t in tables}["movements"]
    assert movements.columns == (
        "direction",
        "planned_arrivals",
        "actual_arrivals",
        "planned_departures",
        "actual_departures",
    )
    assert movements.rows == [("IN_TO_JP", 1, 0, 0, 0), ("JP_TO_IN", 1, 1, 1, 1)]
    engine.dispose()
