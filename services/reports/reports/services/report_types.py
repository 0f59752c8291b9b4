"""Each report type: its title (setu_contract.words, as the console and the emails name it),
its definition, its headline figures and the function that computes its tables. Titles and
definitions are English messages of the catalogues."""

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
from setu_contract.words import REPORT_TYPES

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReportType:
    name: str
    title: str
    definition: str
    compute: Callable[[Session, date, date, dict, Progress], tuple]
    headlines: tuple[Headline, ...] = ()


REGISTRY: dict[str, ReportType] = {
    name: ReportType(name, REPORT_TYPES[name], module.DEFINITION, module.compute, module.HEADLINES)
    for name, module in (
        (PROGRAMME_PORTFOLIO, portfolio),
        (EXCHANGE_FLOWS, exchange_flows),
        (PARTNER_ACTIVITY, partner_activity),
        (BUDGET_COMMITMENTS, budget_commitments),
        (CALL_OUTCOMES, call_outcomes),
        (COMPLIANCE, compliance),
    )
}
