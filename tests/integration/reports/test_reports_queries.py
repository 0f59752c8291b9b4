"""The report queries on the cases a seeded volume never has, on SQLite and PostgreSQL.

Partners whose event left their country out (the organisation's country counts), lead
organisations the read model has not heard of (their id stands for the name), a draft with two
Japanese leads, programmes without budget lines or with lines in one currency only, several
lines in one currency, programmes created before the period but approved within it, and the
filters. Every expected figure is counted by hand from the history below.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from reports.queries import budget_commitments, partner_activity, portfolio
from reports.services import read_model
from reports.store.db import make_engine, make_sessionmaker, transaction
from setu_contract.events import EventType
from tests.integration.reports import factories as f

START, END = date(2026, 3, 1), date(2026, 4, 30)
IN_PERIOD = datetime(2026, 3, 2, tzinfo=UTC)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


def _budget(*lines: tuple[dict, str, str]) -> list[dict]:
    return [{"organisation_id": o["id"], "currency": c, "amount": a} for o, c, a in lines]


def _lead(org: dict | str, country: str | None) -> dict:
    org_id = org if isinstance(org, str) else org["id"]
    return {"organisation_id": org_id, "role": "lead", "country": country}


@pytest.fixture
def world(database_url: str):
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    alpha, beta = f.organisation("JP", "Alpha"), f.organisation("JP", "Beta")
    chennai, delhi = f.organisation("IN", "Chennai"), f.organisation("IN", "Delhi")
    unknown_jp, unknown = str(uuid.uuid4()), str(uuid.uuid4())  # never registered

    def programme(partners, budget, focus="ai_research", created=IN_PERIOD):
        data = f.programme(alpha, chennai, focus_area=focus, created_at=created)
        return {**data, "partners": partners, "budget": budget}

    # p1: leads with their countries, a member; a JPY and an INR line; approved in March.
    p1 = programme(
        [_lead(alpha, "JP"), _lead(chennai, "IN"), {**_lead(delhi, "IN"), "role": "member"}],
        _budget((alpha, "JPY", "1000"), (chennai, "INR", "10.00")),
    )
    # p2: the event left the leads' countries out; two JPY lines; approved in April.
    p2 = programme(
        [_lead(alpha, None), _lead(chennai, None)],
        _budget((alpha, "JPY", "500"), (beta, "JPY", "250")),
    )
    # p3: a Japanese lead the read model does not know; no budget lines.
    p3 = programme([_lead(unknown_jp, "JP"), _lead(delhi, "IN")], [], "semiconductor_design")
    # p4: a draft with two Japanese leads; an INR line only.
    p4 = programme(
        [_lead(alpha, "JP"), _lead(beta, "JP"), _lead(chennai, "IN")],
        _budget((chennai, "INR", "5.00")),
        "ai_healthcare",
    )
    # p5: created before the period, approved within it.
    p5 = programme(
        [_lead(alpha, "JP"), _lead(chennai, "IN")],
        _budget((alpha, "JPY", "999")),
        created=at(2, 1),
    )
    # p6: a lead of no known country: in no pair.
    p6 = programme([_lead(unknown, None), _lead(delhi, "IN")], [], "semiconductor_design")
    # Applications: one submitted and accepted in the period, one submitted before it.
    app1 = f.application(p1, alpha, chennai, direction="JP_TO_IN", career_stage="phd", days=9)
    app2 = f.application(p1, chennai, alpha, direction="IN_TO_JP", career_stage="phd", days=9)
    events = [(EventType.ORGANISATION_REGISTERED, o) for o in (alpha, beta, chennai, delhi)]
    events += [(EventType.PROGRAMME_CREATED, p) for p in (p1, p2, p3, p4, p5, p6)]
    events += [
        (EventType.PROGRAMME_STATUS_CHANGED, f.moved(p1, "approved", at(3, 10))),
        (EventType.PROGRAMME_STATUS_CHANGED, f.moved(p2, "approved", at(4, 2))),
        (EventType.PROGRAMME_STATUS_CHANGED, f.moved(p5, "approved", at(3, 5))),
    ]
    for app, steps in ((app1, [(3, 3), (3, 20)]), (app2, [(2, 3), (4, 20)])):
        events.append((EventType.APPLICATION_CREATED, app))
        for to, (month, day) in zip(("submitted", "accepted"), steps, strict=True):
            app = f.moved(app, to, at(month, day))
            events.append((EventType.APPLICATION_STATUS_CHANGED, app))
    with transaction(sessions) as session:
        for kind, data in events:
            read_model.apply_event(session, f.event(kind, data))
    yield sessions, {"delhi": delhi["id"], "unknown_jp": unknown_jp, "unknown": unknown}
    engine.dispose()


def _compute(sessions, module, filters: dict | None = None) -> dict[str, list[tuple]]:
    session: Session
    with transaction(sessions) as session:
        tables, _ = module.compute(session, START, END, filters or {}, lambda _: None)
    return {table.name: table.rows for table in tables}


def test_portfolio_counts_programmes_budgets_and_lead_pairs(world):
    sessions, ids = world
    tables = _compute(sessions, portfolio)
    assert tables["by_focus_area_and_status"] == [
        ("ai_healthcare", "draft", 1, "0", "5.00"),
        ("ai_research", "approved", 2, "1750", "10.00"),
        ("semiconductor_design", "draft", 2, "0", "0.00"),
    ]
    pairs = tables["lead_pairs"]
    assert pairs[0] == ("Alpha", "Chennai", 3)
    assert sorted(pairs[1:]) == sorted([("Beta", "Chennai", 1), (ids["unknown_jp"], "Delhi", 1)])


def test_portfolio_filters_by_member_organisation_and_status(world):
    sessions, ids = world
    tables = _compute(sessions, portfolio, {"organisation_id": ids["delhi"]})
    assert tables["by_focus_area_and_status"] == [
        ("ai_research", "approved", 1, "1000", "10.00"),
        ("semiconductor_design", "draft", 2, "0", "0.00"),
    ]
    assert sorted(tables["lead_pairs"]) == sorted(
        [("Alpha", "Chennai", 1), (ids["unknown_jp"], "Delhi", 1)]
    )
    tables = _compute(sessions, portfolio, {"status": ["draft"], "focus_area": ["ai_healthcare"]})
    assert tables["by_focus_area_and_status"] == [("ai_healthcare", "draft", 1, "0", "5.00")]
    assert sorted(tables["lead_pairs"]) == [("Alpha", "Chennai", 1), ("Beta", "Chennai", 1)]


def test_budget_commitments_by_month_of_approval(world):
    sessions, ids = world
    assert _compute(sessions, budget_commitments)["by_month_and_focus_area"] == [
        ("2026-03", "ai_research", 2, "1999", "10.00"),
        ("2026-04", "ai_research", 1, "750", "0.00"),
    ]
    assert _compute(sessions, budget_commitments, {"organisation_id": ids["delhi"]})[
        "by_month_and_focus_area"
    ] == [("2026-03", "ai_research", 1, "1000", "10.00")]


def test_partner_activity_per_organisation(world):
    sessions, ids = world
    rows = {row[0]: row[1:] for row in _compute(sessions, partner_activity)["organisations"]}
    by_name = {name: figures for name, _, *figures in rows.values() if name}
    # led, joined, sent, hosted, accepted
    assert by_name == {
        "Alpha": [3, 0, 1, 0, 2],
        "Beta": [1, 0, 0, 0, 0],
        "Chennai": [3, 0, 0, 1, 2],
        "Delhi": [2, 1, 0, 0, 0],
    }
    assert rows[ids["unknown_jp"]] == ("", "", 1, 0, 0, 0, 0)
    assert rows[ids["unknown"]] == ("", "", 1, 0, 0, 0, 0)
    assert len(rows) == 6
