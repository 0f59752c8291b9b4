"""Turn a computed report into the bytes of a file, one module per format."""

from __future__ import annotations

from collections.abc import Callable

from reports.domain.tables import ReportData
from reports.render import csv_format, json_format

Renderer = Callable[[ReportData], bytes]

RENDERERS: dict[str, Renderer] = {
    "csv": csv_format.render,
    "json": json_format.render,
}
