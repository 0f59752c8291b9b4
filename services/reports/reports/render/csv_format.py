"""CSV: the report's main table (its first), one header row, UTF-8, RFC 4180 line ends."""

from __future__ import annotations

import csv
import io

from reports.domain.tables import ReportData


def render(report: ReportData, on_chart: object = None) -> bytes:
    table = report.tables[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")
