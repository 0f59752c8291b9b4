"""HTML: a titled, dated page with the charts (embedded PNG) and every table."""

from __future__ import annotations

import base64
from collections.abc import Callable

from jinja2 import Environment, PackageLoader, select_autoescape

from reports.domain.tables import ReportData
from reports.render import charts

_ENV = Environment(
    loader=PackageLoader("reports.render", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def page(report: ReportData, on_chart: Callable[[int, int], None] | None = None) -> str:
    images = []
    for i, chart in enumerate(report.charts):
        data = charts.png(chart, report.table(chart.table))
        images.append({"title": chart.title, "src": base64.b64encode(data).decode("ascii")})
        if on_chart:
            on_chart(i + 1, len(report.charts))
    return _ENV.get_template("report.html.j2").render(report=report, images=images)


def render(report: ReportData, on_chart: Callable[[int, int], None] | None = None) -> bytes:
    return page(report, on_chart).encode("utf-8")
