"""A computed report: titled tables and the charts drawn from them (plain data, any format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Chart:
    """A bar chart of ``value`` per ``label`` (stacked by ``series`` when given) from a table."""

    title: str
    table: str
    label: str
    value: str
    series: str | None = None


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

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)
