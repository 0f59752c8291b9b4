"""A computed report: titled tables and the charts drawn from them (plain data, any format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reports.domain.summary import Comparison


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


STACKED, GROUPED = "stacked", "grouped"


@dataclass(frozen=True)
class Chart:
    """A bar chart of ``value`` per ``label`` from a table: with ``series``, its bars stacked
    or grouped side by side (``style``); ``horizontal`` for long labels (names). ``title``
    is an English message of the catalogues."""

    title: str
    table: str
    label: str
    value: str
    series: str | None = None
    style: str = STACKED
    horizontal: bool = False


@dataclass(frozen=True)
class ReportData:
    type: str
    title: str
    period_start: date
    period_end: date
    generated_at: datetime
    correlation_id: str
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    definition: str = ""
    language: str = "en"
    # The headline figures against the previous period of the same length (html and pdf).
    summary: list[Comparison] = field(default_factory=list)
    previous_period: tuple[date, date] | None = None

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)
