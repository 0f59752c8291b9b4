"""JSON: every table of the report as a list of records, with the period and definition."""

from __future__ import annotations

import json

from reports.domain.tables import ReportData


def render(report: ReportData, on_chart: object = None) -> bytes:
    document = {
        "type": report.type,
        "title": report.title,
        "definition": report.definition,
        "period": {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()},
        "generated_at": report.generated_at.isoformat(),
        "correlation_id": report.correlation_id,
        "tables": {t.name: t.records() for t in report.tables},
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
