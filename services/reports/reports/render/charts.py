"""A report's charts as PNG images (matplotlib, no display, no pyplot state), in its language.

Each chart has a title, both axes labelled and, when it has series, a legend below it, all in
the report's language and drawn with the report fonts (Latin, Japanese and Devanagari, by
matplotlib's font fallback). Count axes carry whole numbers only; money axes carry the
currency's sign and grouping.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from reports.domain.tables import GROUPED, Chart, Table
from reports.render import words
from reports.render.fonts import chart_families
from reports.render.localised import Localised

# matplotlib is imported where a chart is drawn, not with this module: the worker imports
# this module at start-up, and most of its work (applying events) draws nothing; the import
# is about a second of CPU (docs/performance.md, Reports).
if TYPE_CHECKING:
    from matplotlib.figure import Figure

PALETTE = (
    "#1f4e79",
    "#c0504d",
    "#9bbb59",
    "#8064a2",
    "#4bacc6",
    "#f79646",
    "#7f7f7f",
    "#2c7c6a",
    "#b8860b",
    "#5b5ea6",
)
MAX_BARS = 25
MAX_MONTHS = 60
WIDTH = 7.2  # inches: the width of an A4 page between its margins
DPI = 150


def months_of(start: date, end: date) -> list[str]:
    """Every month ("YYYY-MM") the period touches."""
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def pivot(
    chart: Chart, table: Table, months: list[str] | None = None
) -> tuple[list[str], dict[str, list[float]]]:
    """Labels along the axis and, per series, one value per label (summed), in reading order:
    codes as their vocabulary lists them, names the largest first, and months in time, each
    of ``months`` (the period's) shown, with nothing in it or not."""
    index = {name: i for i, name in enumerate(table.columns)}
    totals: dict[str, float] = {}
    cells: dict[tuple[str, str], float] = {}
    for row in table.rows:
        label = str(row[index[chart.label]])
        series = str(row[index[chart.series]]) if chart.series else chart.value
        value = float(Decimal(str(row[index[chart.value]] or 0)))
        cells[(label, series)] = cells.get((label, series), 0.0) + value
        totals[label] = totals.get(label, 0.0) + value
    kind = words.COLUMNS[chart.label].kind
    if kind == words.MONTH:
        labels = sorted(set(totals) | set(months or ()))[-MAX_MONTHS:]
    elif kind == words.WORD:
        labels = words.order_of(chart.label, list(totals))[:MAX_BARS]
    else:
        labels = sorted(totals, key=lambda label: (-totals[label], label))[:MAX_BARS]
    names = {series for _, series in cells}
    ordered = words.order_of(chart.series, list(names)) if chart.series else sorted(names)
    return labels, {s: [cells.get((label, s), 0.0) for label in labels] for s in ordered}


def _totals(axes, chart: Chart, handles: list, series: dict[str, list[float]], text) -> None:
    """Counts are written at the end of their bars (a stack's at the end of its total)."""
    if words.COLUMNS[chart.value].kind in words.MONEY or not handles:
        return
    if chart.style == GROUPED:
        pairs = list(zip(handles, series.values(), strict=True))
    else:
        pairs = [(handles[-1], [sum(column) for column in zip(*series.values(), strict=True)])]
    for bars, values in pairs:
        labels = [text.count(round(v)) if v else "" for v in values]
        axes.bar_label(bars, labels, padding=2, fontsize=7, color="#333333")


def _label(text: Localised, column: str, code: str, width: int) -> str:
    kind = words.COLUMNS[column].kind
    shown = text.month(code) if kind == words.MONTH else text.cell(column, code)
    return textwrap.fill(shown, width) if kind != words.MONTH else shown


def _value_axis(axis, chart: Chart, text: Localised) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    kind = words.COLUMNS[chart.value].kind
    if kind in words.MONEY:
        axis.set_major_formatter(FuncFormatter(lambda v, _: text.axis_money(kind, v)))
        axis.set_major_locator(MaxNLocator(nbins=5))
    else:  # counts: whole numbers, grouped as the language groups them
        axis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        axis.set_major_formatter(FuncFormatter(lambda v, _: text.count(round(v))))


def _bars(axes, chart: Chart, labels: list[str], series: dict[str, list[float]]) -> list:
    """Draw the bars; the handles of the series, for the legend."""
    positions = list(range(len(labels)))
    bar = axes.barh if chart.horizontal else axes.bar
    handles = []
    if chart.style == GROUPED:
        width = 0.8 / max(len(series), 1)
        for i, values in enumerate(series.values()):
            shifted = [p - 0.4 + width * (i + 0.5) for p in positions]
            handles.append(bar(shifted, values, width, color=PALETTE[i % len(PALETTE)]))
        return handles
    base = [0.0] * len(labels)
    for i, values in enumerate(series.values()):
        stack = {"left": base} if chart.horizontal else {"bottom": base}
        handles.append(bar(positions, values, 0.7, color=PALETTE[i % len(PALETTE)], **stack))
        base = [b + v for b, v in zip(base, values, strict=True)]
    return handles


def _figure(chart: Chart, labels: list[str]) -> Figure:
    from matplotlib.figure import Figure

    height = max(2.8, 1.6 + 0.34 * len(labels)) if chart.horizontal else 3.8
    return Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")


def _draw(chart: Chart, table: Table, text: Localised, months: list[str]) -> Figure:
    labels, series = pivot(chart, table, months)
    figure = _figure(chart, labels)
    axes = figure.subplots()
    axes.set_title(text._(chart.title), fontsize=11, loc="left")
    value_axis, label_axis = (
        (axes.xaxis, axes.yaxis) if chart.horizontal else (axes.yaxis, axes.xaxis)
    )
    value_axis.set_label_text(text.header(chart.value))
    label_axis.set_label_text(text.header(chart.label))
    if not labels:
        axes.text(
            0.5, 0.5, text._("Nothing to show for this period"), ha="center", va="center",
            transform=axes.transAxes,
        )  # fmt: skip
        axes.set_xticks([])
        axes.set_yticks([])
        return figure
    handles = _bars(axes, chart, labels, series)
    _totals(axes, chart, handles, series, text)
    # Room for the counts at the ends of the bars.
    if chart.horizontal:
        axes.margins(x=0.08)
    else:
        axes.margins(y=0.08)
    shown = [_label(text, chart.label, code, 28 if chart.horizontal else 14) for code in labels]
    if chart.horizontal:
        axes.set_yticks(range(len(labels)), shown, fontsize=8)
        axes.invert_yaxis()  # the first label on top, as a table reads
    else:
        axes.set_xticks(
            range(len(labels)), shown, fontsize=8, rotation=90 if len(labels) > 12 else 0
        )
    _value_axis(value_axis, chart, text)
    axes.grid(axis="x" if chart.horizontal else "y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    if chart.series:
        names = [text.cell(chart.series, code) for code in series]
        figure.legend(
            handles, names, loc="outside lower center", ncols=min(len(names), 4), fontsize=8,
            title=text.header(chart.series), title_fontsize=8, frameon=False,
        )  # fmt: skip
    return figure


def png(chart: Chart, table: Table, text: Localised, period: tuple[date, date]) -> bytes:
    import matplotlib

    with matplotlib.rc_context({"font.family": chart_families(), "font.size": 9}):
        figure = _draw(chart, table, text, months_of(*period))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
