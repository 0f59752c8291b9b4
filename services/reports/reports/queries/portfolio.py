"""programme_portfolio: programmes created in the period, by focus area and current status."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from reports.domain.catalogue import period_bounds
from reports.domain.money import from_minor
from reports.domain.summary import COUNT, INR, JPY, SUM, Headline
from reports.domain.tables import Chart, Table
from reports.store.models import BudgetLine, Organisation, Programme, ProgrammePartner
from reports.translations import N_

DEFINITION = N_(
    "Programmes created within the period (UTC dates), counted by focus area and by their "
    "status today, with the sum of their budget lines in yen and in rupees as they now stand; "
    "and how many of them each pair of lead organisations (one in Japan, one in India) leads."
)
HEADLINES = (
    Headline(N_("Programmes created"), COUNT, "by_focus_area_and_status", SUM, ("programmes",)),
    Headline(N_("Budget in yen"), JPY, "by_focus_area_and_status", SUM, ("budget_jpy",)),
    Headline(N_("Budget in rupees"), INR, "by_focus_area_and_status", SUM, ("budget_inr",)),
)


def programme_filter(query: Select, filters: dict[str, Any]) -> Select:
    if filters.get("focus_area"):
        query = query.where(Programme.focus_area.in_(filters["focus_area"]))
    if filters.get("status"):
        query = query.where(Programme.status.in_(filters["status"]))
    if filters.get("organisation_id"):
        member = select(ProgrammePartner.programme_id).where(
            ProgrammePartner.organisation_id == filters["organisation_id"]
        )
        query = query.where(Programme.id.in_(member))
    return query


def counts_and_budgets(key: tuple, in_period, filters: dict[str, Any]) -> Select:
    """Per ``key`` (Programme columns): the programmes matching ``in_period`` and the filters,
    and the sums (minor units) of their JPY and INR budget lines.

    Two aggregates, as one writes them by hand -- the programmes counted from their own
    table; their budget lines joined to the programmes of the period and summed with
    FILTER -- not every programme's lines summed first and the period applied afterwards.
    One statement, so both come from the same snapshot of the read model.
    """
    counts = programme_filter(
        select(*key, func.count().label("programmes")).where(in_period).group_by(*key), filters
    ).subquery("counts")
    sums = programme_filter(
        select(
            *key,
            *(
                func.sum(BudgetLine.amount_minor)
                .filter(BudgetLine.currency == currency)
                .label(currency.lower())
                for currency in ("JPY", "INR")
            ),
        )
        .join(BudgetLine, BudgetLine.programme_id == Programme.id)
        .where(in_period)
        .group_by(*key),
        filters,
    ).subquery("sums")
    names = [column.key for column in key]
    group = [counts.c[name] for name in names]
    return (
        select(
            *group,
            counts.c.programmes,
            func.coalesce(sums.c.jpy, 0),
            func.coalesce(sums.c.inr, 0),
        )
        .outerjoin(sums, and_(*(counts.c[name] == sums.c[name] for name in names)))
        .order_by(*group)
    )


def by_focus_and_status(session: Session, start: date, end: date, filters: dict) -> Table:
    lower, upper = period_bounds(start, end)
    created = (Programme.created_at >= lower) & (Programme.created_at < upper)
    query = counts_and_budgets((Programme.focus_area, Programme.status), created, filters)
    rows = session.execute(query).all()
    return Table(
        "by_focus_area_and_status",
        N_("Programmes by focus area and status"),
        ("focus_area", "status", "programmes", "budget_jpy", "budget_inr"),
        [
            (area, status, int(n), from_minor("JPY", jpy), from_minor("INR", inr))
            for area, status, n, jpy, inr in rows
        ],
    )


def lead_of(partner, country: str):
    """``partner`` is a lead from ``country``: its own country as the event gave it or, when
    the event left it out, its organisation's. Written as an OR on the partner row (not
    ``COALESCE(partner.country, organisation.country)`` over a join) so that the planner
    sees how selective it is."""
    of_country = select(Organisation.id).where(Organisation.country == country)
    return and_(
        partner.role == "lead",
        or_(
            partner.country == country,
            and_(partner.country.is_(None), partner.organisation_id.in_(of_country)),
        ),
    )


def lead_pairs(session: Session, start: date, end: date, filters: dict) -> Table:
    lower, upper = period_bounds(start, end)
    jp, in_ = aliased(ProgrammePartner), aliased(ProgrammePartner)
    # Group by the two lead organisations' ids, then join the (few) names. One row per
    # (programme, Japanese lead, Indian lead), since a programme lists an organisation once:
    # count(*) counts programmes, with no DISTINCT to sort.
    pairs = programme_filter(
        select(
            jp.organisation_id.label("jp_id"),
            in_.organisation_id.label("in_id"),
            func.count().label("programmes"),
        )
        .select_from(jp)
        .join(in_, in_.programme_id == jp.programme_id)
        .join(Programme, Programme.id == jp.programme_id)
        .where(lead_of(jp, "JP"), lead_of(in_, "IN"))
        .where(Programme.created_at >= lower, Programme.created_at < upper)
        .group_by(jp.organisation_id, in_.organisation_id),
        filters,
    ).subquery("pairs")
    jp_org, in_org = aliased(Organisation), aliased(Organisation)
    japan = func.coalesce(jp_org.name, pairs.c.jp_id)
    india = func.coalesce(in_org.name, pairs.c.in_id)
    query = (
        select(japan, india, pairs.c.programmes)
        .outerjoin(jp_org, jp_org.id == pairs.c.jp_id)
        .outerjoin(in_org, in_org.id == pairs.c.in_id)
        .order_by(pairs.c.programmes.desc(), japan, india, pairs.c.jp_id, pairs.c.in_id)
    )
    rows = session.execute(query).all()
    return Table(
        "lead_pairs",
        N_("Programmes per pair of lead organisations"),
        ("japan_lead", "india_lead", "programmes"),
        [(a, b, int(n)) for a, b, n in rows],
    )


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    main = by_focus_and_status(session, start, end, filters)
    progress(50)
    pairs = lead_pairs(session, start, end, filters)
    charts = [
        Chart(
            N_("Programmes by focus area and status"),
            main.name,
            "focus_area",
            "programmes",
            "status",
            horizontal=True,
        ),
    ]
    return [main, pairs], charts
