"""Each report type: its title, its definition, its headline figures and the function that
computes its tables. Titles and definitions are English messages of the catalogues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from reports.domain.catalogue import (
    BUDGET_COMMITMENTS,
    CALL_OUTCOMES,
    COMPLIANCE,
    EXCHANGE_FLOWS,
    PARTNER_ACTIVITY,
    PROGRAMME_PORTFOLIO,
)
from reports.domain.summary import Headline
from reports.queries import (
    budget_commitments,
    call_outcomes,
    compliance,
    exchange_flows,
    partner_activity,
    portfolio,
)
from reports.translations import N_

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReportType:
    name: str
    title: str
    definition: str
    compute: Callable[[Session, date, date, dict, Progress], tuple]
    headlines: tuple[Headline, ...] = ()


REGISTRY: dict[str, ReportType] = {
    kind.name: kind
    for kind in (
        ReportType(
            PROGRAMME_PORTFOLIO,
            N_("Programme portfolio"),
            portfolio.DEFINITION,
            portfolio.compute,
            portfolio.HEADLINES,
        ),
        ReportType(
            EXCHANGE_FLOWS,
            N_("Talent-exchange flows"),
            exchange_flows.DEFINITION,
            exchange_flows.compute,
            exchange_flows.HEADLINES,
        ),
        ReportType(
            PARTNER_ACTIVITY,
            N_("Partner activity"),
            partner_activity.DEFINITION,
            partner_activity.compute,
            partner_activity.HEADLINES,
        ),
        ReportType(
            BUDGET_COMMITMENTS,
            N_("Budget commitments"),
            budget_commitments.DEFINITION,
            budget_commitments.compute,
            budget_commitments.HEADLINES,
        ),
        ReportType(
            CALL_OUTCOMES,
            N_("Call outcomes"),
            call_outcomes.DEFINITION,
            call_outcomes.compute,
            call_outcomes.HEADLINES,
        ),
        ReportType(
            COMPLIANCE,
            N_("Export-control compliance"),
            compliance.DEFINITION,
            compliance.compute,
            compliance.HEADLINES,
        ),
    )
}
