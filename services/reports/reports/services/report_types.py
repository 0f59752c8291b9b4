"""Each report type: its title, its definition and the function that computes its tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from reports.domain.catalogue import (
    BUDGET_COMMITMENTS,
    EXCHANGE_FLOWS,
    PARTNER_ACTIVITY,
    PROGRAMME_PORTFOLIO,
)
from reports.queries import budget_commitments, exchange_flows, partner_activity, portfolio

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReportType:
    name: str
    title: str
    definition: str
    compute: Callable[[Session, date, date, dict, Progress], tuple]


REGISTRY: dict[str, ReportType] = {
    kind.name: kind
    for kind in (
        ReportType(
            PROGRAMME_PORTFOLIO, "Programme portfolio", portfolio.DEFINITION, portfolio.compute
        ),
        ReportType(
            EXCHANGE_FLOWS,
            "Talent-exchange flows",
            exchange_flows.DEFINITION,
            exchange_flows.compute,
        ),
        ReportType(
            PARTNER_ACTIVITY,
            "Partner activity",
            partner_activity.DEFINITION,
            partner_activity.compute,
        ),
        ReportType(
            BUDGET_COMMITMENTS,
            "Budget commitments",
            budget_commitments.DEFINITION,
            budget_commitments.compute,
        ),
    )
}
