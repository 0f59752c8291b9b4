"""Each report type: its title, its definition and the function that computes its tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from reports.domain.catalogue import PROGRAMME_PORTFOLIO
from reports.queries import portfolio

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReportType:
    name: str
    title: str
    definition: str
    compute: Callable[[Session, date, date, dict, Progress], tuple]


REGISTRY: dict[str, ReportType] = {
    PROGRAMME_PORTFOLIO: ReportType(
        PROGRAMME_PORTFOLIO, "Programme portfolio", portfolio.DEFINITION, portfolio.compute
    ),
}
