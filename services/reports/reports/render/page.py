"""What the html page shows of a report, in its language: the words and figures as written.

Codes become words, organisations their names, figures Babel's numbers, money and dates;
internal ids are left out (csv and json keep them).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from reports.domain.summary import RATE, Comparison
from reports.domain.tables import ReportData, Table
from reports.render import charts, words
from reports.render.localised import NOTHING, Localised

# Numbers read down their column: right-aligned.
NUMERIC = (words.COUNT, words.JPY, words.INR, words.RATE, words.DAYS)


@dataclass(frozen=True)
class ShownTable:
    title: str
    headers: list[str]
    classes: list[str]  # per column: "n" a number, "w" a word, "" a name
    rows: list[list[str]]


@dataclass(frozen=True)
class ShownFigure:
    title: str
    src: str  # base64 PNG


@dataclass(frozen=True)
class ShownHeadline:
    label: str
    current: str
    previous: str
    change: str
    trend: str  # up | down | same | none


def _class(column: str) -> str:
    kind = words.COLUMNS[column].kind
    return "n" if kind in NUMERIC else "w" if kind in (words.WORD, words.MONTH) else ""


def reading_order(table: Table) -> list[tuple]:
    """The rows ordered by their leading month and word columns: months in time, codes as
    the vocabulary lists them (focus areas, Japan to India first, career stages from
    undergraduate up); the rest as computed."""
    keys: list[tuple[int, list[str] | None]] = []
    for i, name in enumerate(table.columns):
        column = words.COLUMNS[name]
        if column.kind == words.MONTH:
            keys.append((i, None))
        elif column.kind == words.WORD:
            keys.append((i, list(column.words or {})))
        else:
            break

    def key(row: tuple) -> tuple:
        return tuple(
            str(row[i]) if codes is None else (codes.index(row[i]) if row[i] in codes else 99)
            for i, codes in keys
        )

    return sorted(table.rows, key=key)


def shown_table(table: Table, text: Localised) -> ShownTable:
    visible = words.shown(table.columns)
    names = [table.columns[i] for i in visible]
    return ShownTable(
        title=text._(table.title),
        headers=[text.header(name) for name in names],
        classes=[_class(name) for name in names],
        rows=[[text.cell(name, row[i]) for i, name in zip(visible, names, strict=True)]
              for row in reading_order(table)],
    )  # fmt: skip


def _change(item: Comparison, text: Localised) -> str:
    change = item.change
    if change is None:
        return NOTHING
    if item.kind == RATE:
        points = text.days(abs(change) * 100)
        return text._("%(sign)s%(points)s points", sign=_sign(change), points=points)
    amount = text.figure(item.kind, abs(change))
    if item.relative is None or not change:
        return f"{_sign(change)}{amount}"
    share = text.rate(abs(item.relative))
    return f"{_sign(change)}{amount} ({_sign(change)}{share})"


def _sign(value: Decimal) -> str:
    return "+" if value > 0 else "−" if value < 0 else "±"  # noqa: RUF001 (the minus sign)


def shown_headline(item: Comparison, text: Localised) -> ShownHeadline:
    change = item.change
    trend = "none" if change is None else "up" if change > 0 else "down" if change < 0 else "same"
    return ShownHeadline(
        label=text._(item.label),
        current=text.figure(item.kind, item.current),
        previous=text.figure(item.kind, item.previous),
        change=_change(item, text),
        trend=trend,
    )


def figures(
    report: ReportData, text: Localised, on_chart: Callable[[int, int], None] | None
) -> list[ShownFigure]:
    shown = []
    for i, chart in enumerate(report.charts):
        period = (report.period_start, report.period_end)
        data = charts.png(chart, report.table(chart.table), text, period)
        shown.append(ShownFigure(text._(chart.title), base64.b64encode(data).decode("ascii")))
        if on_chart:
            on_chart(i + 1, len(report.charts))
    return shown


def context(
    report: ReportData, on_chart: Callable[[int, int], None] | None = None
) -> dict[str, object]:
    """The template's variables."""
    text = Localised(report.language)
    previous = report.previous_period
    return {
        "language": report.language,
        "title": text._(report.title),
        "period": text.period(report.period_start, report.period_end),
        "previous_period": text.period(*previous) if previous else None,
        "generated": text.moment(report.generated_at),
        "definition": text._(report.definition),
        "headlines": [shown_headline(item, text) for item in report.summary],
        "figures": figures(report, text, on_chart),
        "tables": [shown_table(table, text) for table in report.tables],
    }
