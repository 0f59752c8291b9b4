"""Turn a computed report into the bytes of a file, one module per format."""

from __future__ import annotations

from collections.abc import Callable

from reports.render import csv_format, html_format, json_format, pdf_format

# render(report, on_chart) -> bytes; on_chart(done, total) reports progress through the charts.
Renderer = Callable[..., bytes]

RENDERERS: dict[str, Renderer] = {
    "csv": csv_format.render,
    "json": json_format.render,
    "html": html_format.render,
    "pdf": pdf_format.render,
}
