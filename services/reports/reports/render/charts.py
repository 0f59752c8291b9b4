"""Bar charts of a report's tables as PNG images (matplotlib, no display, no pyplot state)."""

from __future__ import annotations

import io
from decimal import Decimal

from matplotlib.figure import Figure

from reports.domain.tables import Chart, Table

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


def pivot(chart: Chart, table: Table) -> tuple[list[str], dict[str, list[float]]]:
    """Labels along the axis and, per series, one value per label (summed, the largest first)."""
    index = {name: i for i, name in enumerate(table.columns)}
    totals: dict[str, float] = {}
    cells: dict[tuple[str, str], float] = {}
    for row in table.rows:
        label = str(row[index[chart.label]])
        series = str(row[index[chart.series]]) if chart.series else chart.value
        value = float(Decimal(str(row[index[chart.value]] or 0)))
        cells[(label, series)] = cells.get((label, series), 0.0) + value
        totals[label] = totals.get(label, 0.0) + value
    labels = sorted(totals, key=lambda label: -totals[label])[:MAX_BARS]
    if chart.label == "month":
        labels.sort()
    names = sorted({series for _, series in cells})
    return labels, {s: [cells.get((label, s), 0.0) for label in labels] for s in names}


def png(chart: Chart, table: Table) -> bytes:
    labels, series = pivot(chart, table)
    figure = Figure(figsize=(7.5, 3.6), dpi=120, layout="constrained")
    axes = figure.subplots()
    bottoms = [0.0] * len(labels)
    for i, (name, values) in enumerate(series.items()):
        axes.bar(labels, values, bottom=bottoms, label=name, color=PALETTE[i % len(PALETTE)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_title(chart.title)
    axes.set_ylabel(chart.value.replace("_", " "))
    axes.tick_params(axis="x", labelrotation=35, labelsize=7)
    for tick in axes.get_xticklabels():
        tick.set_horizontalalignment("right")
    if not labels:
        axes.text(
            0.5,
            0.5,
            "nothing to show for this period",
            ha="center",
            va="center",
            transform=axes.transAxes,
        )
    elif chart.series:
        axes.legend(fontsize=7, loc="upper right")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
