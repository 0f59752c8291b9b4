"""PDF: the HTML page laid out by WeasyPrint on A4, with the report fonts and page numbers."""

from __future__ import annotations

from collections.abc import Callable

from reports.domain.tables import ReportData
from reports.render import html_format


def render(report: ReportData, on_chart: Callable[[int, int], None] | None = None) -> bytes:
    from weasyprint import HTML  # imported here: only PDF reports need it (and its libraries)

    return HTML(string=html_format.page_html(report, on_chart)).write_pdf()
