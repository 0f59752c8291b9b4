"""budget_commitments: per month and focus area, the JPY and INR of approved programmes."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from reports.domain.catalogue import period_bounds
from reports.domain.money import from_minor
from reports.domain.summary import COUNT, INR, JPY, SUM, Headline
from reports.domain.tables import Chart, Table
from reports.queries.portfolio import counts_and_budgets
from reports.store.models import Programme
from reports.translations import N_

DEFINITION = N_(
    "Programmes that became approved within the period (when the second secretariat side "
    "approved them), by the UTC month of that approval and by focus area: how many, and the "
    "sum of their budget lines in yen and in rupees as they now stand. A programme counts in "
    "the month it was approved even if it was later cancelled."
)
HEADLINES = (
    Headline(N_("Programmes approved"), COUNT, "by_month_and_focus_area", SUM, ("programmes",)),
    Headline(N_("Yen committed"), JPY, "by_month_and_focus_area", SUM, ("committed_jpy",)),
    Headline(N_("Rupees committed"), INR, "by_month_and_focus_area", SUM, ("committed_inr",)),
)


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    lower, upper = period_bounds(start, end)
    approved = (Programme.approved_at >= lower) & (Programme.approved_at < upper)
    key = (Programme.approved_month, Programme.focus_area)
    rows = session.execute(counts_and_budgets(key, approved, filters)).all()
    progress(60)
    table = Table(
        "by_month_and_focus_area",
        N_("Budget committed by month and focus area"),
        ("month", "focus_area", "programmes", "committed_jpy", "committed_inr"),
        [
            (month, area, int(n), from_minor("JPY", jpy), from_minor("INR", inr))
            for month, area, n, jpy, inr in rows
        ],
    )
    charts = [
        Chart(N_("Yen committed by month"), table.name, "month", "committed_jpy", "focus_area"),
        Chart(N_("Rupees committed by month"), table.name, "month", "committed_inr", "focus_area"),
    ]
    return [table], charts
