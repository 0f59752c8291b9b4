"""programme_portfolio: programmes created in the period, by focus area and current status."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from reports.domain.catalogue import period_bounds
from reports.domain.money import from_minor
from reports.domain.tables import Chart, Table
from reports.store.models import BudgetLine, Organisation, Programme, ProgrammePartner

DEFINITION = (
    "Programmes whose created_at (UTC) falls within the period, counted by focus area and "
    "current status, with the sum of their JPY and INR budget lines; and the number of those "
    "programmes per pair of lead organisations (the Japanese lead and the Indian lead)."
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


def _budget_sum(currency: str):
    return func.coalesce(
        func.sum(case((BudgetLine.currency == currency, BudgetLine.amount_minor), else_=0)), 0
    )


def by_focus_and_status(session: Session, start: date, end: date, filters: dict) -> Table:
    lower, upper = period_bounds(start, end)
    budgets = (
        select(
            BudgetLine.programme_id.label("programme_id"),
            _budget_sum("JPY").label("jpy"),
            _budget_sum("INR").label("inr"),
        )
        .group_by(BudgetLine.programme_id)
        .subquery()
    )
    query = (
        select(
            Programme.focus_area,
            Programme.status,
            func.count(Programme.id),
            func.coalesce(func.sum(budgets.c.jpy), 0),
            func.coalesce(func.sum(budgets.c.inr), 0),
        )
        .outerjoin(budgets, budgets.c.programme_id == Programme.id)
        .where(Programme.created_at >= lower, Programme.created_at < upper)
        .group_by(Programme.focus_area, Programme.status)
        .order_by(Programme.focus_area, Programme.status)
    )
    rows = session.execute(programme_filter(query, filters)).all()
    return Table(
        "by_focus_area_and_status",
        "Programmes by focus area and status",
        ("focus_area", "status", "programmes", "budget_jpy", "budget_inr"),
        [
            (area, status, int(n), from_minor("JPY", jpy), from_minor("INR", inr))
            for area, status, n, jpy, inr in rows
        ],
    )


def lead_pairs(session: Session, start: date, end: date, filters: dict) -> Table:
    lower, upper = period_bounds(start, end)
    jp, in_ = aliased(ProgrammePartner), aliased(ProgrammePartner)
    jp_org, in_org = aliased(Organisation), aliased(Organisation)

    def lead_in(partner, org, country: str):
        return and_(
            partner.programme_id == Programme.id,
            partner.role == "lead",
            func.coalesce(partner.country, org.country) == country,
        )

    query = (
        select(
            func.coalesce(jp_org.name, jp.organisation_id),
            func.coalesce(in_org.name, in_.organisation_id),
            func.count(func.distinct(Programme.id)),
        )
        .select_from(Programme)
        .join(jp, jp.programme_id == Programme.id)
        .outerjoin(jp_org, jp_org.id == jp.organisation_id)
        .join(in_, in_.programme_id == Programme.id)
        .outerjoin(in_org, in_org.id == in_.organisation_id)
        .where(lead_in(jp, jp_org, "JP"), lead_in(in_, in_org, "IN"))
        .where(Programme.created_at >= lower, Programme.created_at < upper)
        .group_by(jp_org.name, jp.organisation_id, in_org.name, in_.organisation_id)
        .order_by(func.count(func.distinct(Programme.id)).desc())
    )
    rows = session.execute(programme_filter(query, filters)).all()
    return Table(
        "lead_pairs",
        "Programmes per pair of lead organisations",
        ("japan_lead", "india_lead", "programmes"),
        [(a, b, int(n)) for a, b, n in rows],
    )


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    main = by_focus_and_status(session, start, end, filters)
    progress(50)
    pairs = lead_pairs(session, start, end, filters)
    charts = [
        Chart("Programmes by focus area", main.name, "focus_area", "programmes", "status"),
    ]
    return [main, pairs], charts
