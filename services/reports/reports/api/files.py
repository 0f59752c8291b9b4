"""A finished report's file as a download: one Content-Type, and a name a person understands."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

from reports.domain.catalogue import CONTENT_TYPES, download_name
from reports.store.models import ReportJob
from setu_contract.edge import abort


def report_file(job: ReportJob) -> Response:
    """``Content-Type`` exactly as CONTENT_TYPES says (the charset once) and
    ``Content-Disposition: attachment`` with setu-<type>-<period>[-<language>].<format>."""
    path = Path(job.path or "")
    if not path.is_file():
        abort(410, "The report file is no longer kept.")
    content_type = CONTENT_TYPES[job.format]
    response = send_file(
        path,
        mimetype=content_type.split(";", 1)[0],
        as_attachment=True,
        download_name=download_name(
            job.type, job.format, job.period_start, job.period_end, job.language
        ),
        etag=job.sha256 or False,  # a finished report always has its hash
        max_age=0,
    )
    # Werkzeug adds "; charset=utf-8" to text/* types: the header is set whole, once.
    response.headers["Content-Type"] = content_type
    return response
