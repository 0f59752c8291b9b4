"""exchange_flows: applications by direction and career stage, by milestone reached."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from reports.domain.catalogue import period_bounds
from reports.domain.summary import COUNT, RATE, SHARE, SUM, Headline
from reports.domain.tables import GROUPED, Chart, Table
from reports.store.models import Application, Programme
from reports.translations import N_

DEFINITION = N_(
    "Talent-exchange applications by direction and career stage. Each milestone counts the "
    "applications that first reached it within the period (UTC dates): submitted, endorsed by "
    "the host, accepted, rejected (by the secretariat or by the host) and withdrawn. The "
    "acceptance rate is accepted / (accepted + rejected) within the period; the mean stay is "
    "the mean length in days of the exchanges accepted within the period. Planned against "
    "actual movements: the exchanges accepted now whose planned start (arrival) or end "
    "(departure) falls within the period, against the actual arrivals and departures their "
    "home and host organisations recorded within it."
)
MOVEMENTS = ("planned_arrivals", "actual_arrivals", "planned_departures", "actual_departures")
MILESTONES = ("submitted", "endorsed", "accepted", "rejected", "withdrawn")
CHARTS = [
    Chart(
        N_("Applications submitted, by career stage and direction"),
        "flows",
        "career_stage",
        "submitted",
        "direction",
        style=GROUPED,
    ),
    Chart(
        N_("Exchanges accepted, by career stage and direction"),
        "flows",
        "career_stage",
        "accepted",
        "direction",
        style=GROUPED,
    ),
]
HEADLINES = (
    Headline(N_("Applications submitted"), COUNT, "flows", SUM, ("submitted",)),
    Headline(N_("Exchanges accepted"), COUNT, "flows", SUM, ("accepted",)),
    Headline(N_("Acceptance rate"), RATE, "flows", SHARE, ("accepted", "rejected")),
)


def application_filter(query: Select, filters: dict) -> Select:
    if filters.get("organisation_id"):
        org = filters["organisation_id"]
        query = query.where(
            (Application.home_organisation_id == org) | (Application.host_organisation_id == org)
        )
    if filters.get("focus_area"):
        in_focus = select(Programme.id).where(Programme.focus_area.in_(filters["focus_area"]))
        query = query.where(Application.programme_id.in_(in_focus))
    return query


def _in_period(column, lower, upper):
    return (column >= lower) & (column < upper)


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    lower, upper = period_bounds(start, end)
    counts = [
        func.coalesce(
            func.sum(case((_in_period(getattr(Application, f"{m}_at"), lower, upper), 1), else_=0)),
            0,
        )
        for m in MILESTONES
    ]
    accepted_now = _in_period(Application.accepted_at, lower, upper)
    mean_duration = func.avg(case((accepted_now, Application.duration_days), else_=None))
    touched = [_in_period(getattr(Application, f"{m}_at"), lower, upper) for m in MILESTONES]
    query = (
        select(Application.direction, Application.career_stage, *counts, mean_duration)
        .where(touched[0] | touched[1] | touched[2] | touched[3] | touched[4])
        .group_by(Application.direction, Application.career_stage)
        .order_by(Application.direction, Application.career_stage)
    )
    rows = session.execute(application_filter(query, filters)).all()
    progress(60)
    table = Table(
        "flows",
        N_("Applications by direction and career stage"),
        ("direction", "career_stage", *MILESTONES, "acceptance_rate", "mean_duration_days"),
        [_row(row) for row in rows],
    )
    return [table, _totals(table), _movements(session, start, end, filters)], list(CHARTS)


def _row(row) -> tuple:
    direction, stage, *numbers, mean = row
    submitted, endorsed, accepted, rejected, withdrawn = (int(n) for n in numbers)
    decided = accepted + rejected
    rate = f"{accepted / decided:.4f}" if decided else ""
    mean_days = f"{float(mean):.1f}" if mean is not None else ""
    return (direction, stage, submitted, endorsed, accepted, rejected, withdrawn, rate, mean_days)


def _totals(table: Table) -> Table:
    """The same figures per direction (sums of the main table; rates recomputed)."""
    by_direction: dict[str, list[int]] = {}
    for row in table.rows:
        sums = by_direction.setdefault(row[0], [0] * len(MILESTONES))
        for i, value in enumerate(row[2 : 2 + len(MILESTONES)]):
            sums[i] += value
    rows = []
    for direction, sums in sorted(by_direction.items()):
        decided = sums[2] + sums[3]
        rows.append((direction, *sums, f"{sums[2] / decided:.4f}" if decided else ""))
    return Table(
        "by_direction",
        N_("Totals by direction"),
        ("direction", *MILESTONES, "acceptance_rate"),
        rows,
    )


def _movements(session: Session, start: date, end: date, filters: dict) -> Table:
    """Planned against actual arrivals and departures, by direction."""

    def within(column, accepted_only: bool = False):
        inside = (column >= start) & (column <= end)
        if accepted_only:
            inside = inside & (Application.status == "accepted")
        return func.coalesce(func.sum(case((inside, 1), else_=0)), 0)

    query = (
        select(
            Application.direction,
            within(Application.start_date, accepted_only=True),
            within(Application.actual_arrival),
            within(Application.end_date, accepted_only=True),
            within(Application.actual_departure),
        )
        .where(
            (Application.status == "accepted")
            | Application.actual_arrival.is_not(None)
            | Application.actual_departure.is_not(None)
        )
        .group_by(Application.direction)
        .order_by(Application.direction)
    )
    rows = [
        (direction, *(int(n) for n in numbers))
        for direction, *numbers in session.execute(application_filter(query, filters)).all()
        if any(numbers)
    ]
    return Table(
        "movements",
        N_("Planned against actual arrivals and departures"),
        ("direction", *MOVEMENTS),
        rows,
    )
