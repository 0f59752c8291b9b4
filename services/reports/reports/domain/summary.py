"""A report's opening summary: its headline figures, each against the previous period.

The previous period is the one of the same length that ends the day before the report's
period starts: as many whole calendar months when the period is whole months (a quarter
against the quarter before it, a year against the year before), else as many days (a week
against the week before). Each headline is taken from the report's own tables, so the
summary says nothing the tables do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tables imports this module: its Table is only named here
    from reports.domain.tables import Table

SUM, ROWS, SHARE = "sum", "rows", "share"
# The kinds of figure (how each is written): a count, an amount of a currency, or a rate.
COUNT, JPY, INR, RATE = "count", "JPY", "INR", "rate"


def previous_period(start: date, end: date) -> tuple[date, date]:
    before = start - timedelta(days=1)
    if start.day == 1 and (end + timedelta(days=1)).day == 1:  # whole calendar months
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        year, month = divmod(start.year * 12 + start.month - 1 - months, 12)
        return date(year, month + 1, 1), before
    return start - timedelta(days=(end - start).days + 1), before


def _number(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


@dataclass(frozen=True)
class Headline:
    """A figure of the summary: the sum of ``columns`` of ``table``, its number of rows, or
    share ``columns[0] / (columns[0] + columns[1])``; ``kind`` says how it is written (COUNT,
    JPY, INR, RATE) and ``label`` is an English message of the catalogues."""

    label: str
    kind: str
    table: str
    measure: str = SUM
    columns: tuple[str, ...] = ()

    def figure(self, tables: list[Table]) -> Decimal | None:
        table = next(t for t in tables if t.name == self.table)
        if self.measure == ROWS:
            return Decimal(len(table.rows))
        index = [table.columns.index(c) for c in self.columns]
        sums = [sum((_number(row[i]) for row in table.rows), Decimal(0)) for i in index]
        if self.measure == SHARE:
            decided = sums[0] + sums[1]
            return sums[0] / decided if decided else None
        return sums[0]


@dataclass(frozen=True)
class Comparison:
    label: str
    kind: str
    current: Decimal | None
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def relative(self) -> Decimal | None:
        """The change as a share of the previous figure; None when that is 0, or for a rate."""
        change = self.change
        if change is None or not self.previous or self.kind == RATE:
            return None
        return change / self.previous


def compare(
    headlines: tuple[Headline, ...], current: list[Table], previous: list[Table]
) -> list[Comparison]:
    return [Comparison(h.label, h.kind, h.figure(current), h.figure(previous)) for h in headlines]
