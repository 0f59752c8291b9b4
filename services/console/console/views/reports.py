"""Reports: the list, a request form, a report's page with its live progress (a small
script where JavaScript runs; a refresh link where it does not), and its download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from console.api_client.base import ApiError
from console.api_client.reports_api_client import ReportsApiClient
from console.signed_in import api, signed_in
from console.translations import LANGUAGES, current_language
from console.translations import gettext as _
from setu_contract.vocabulary import REPORT_TYPES

blp = Blueprint("reports", __name__, url_prefix="/console/reports")

TYPES = REPORT_TYPES
FORMATS = ("pdf", "html", "csv", "json")
PASSED_ON = ("Content-Type", "Content-Disposition", "Content-Length")


def _index(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
    page = request.args.get("page") or "1"
    number = int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1
    return render_template(
        "reports/index.html",
        reports=ReportsApiClient(api()).page(number),
        values=values,
        errors=errors,
        types=TYPES,
        formats=FORMATS,
        languages=LANGUAGES,
    ), code


@blp.get("/")
@signed_in
def index() -> Any:
    return _index({"language": current_language()}, {})


@blp.post("/")
@signed_in
def create() -> Any:
    fields = {
        "type": request.form.get("type") or "",
        "format": request.form.get("format") or "",
        "period": {
            "start": (request.form.get("period.start") or "").strip(),
            "end": (request.form.get("period.end") or "").strip(),
        },
        "language": request.form.get("language") or current_language(),
    }
    try:
        made = ReportsApiClient(api()).request(fields)
    except ApiError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return _index(fields, error.field_errors() or {"_schema": [error.message]}, 422)
    flash(_("The report is requested: this page shows its progress."), "success")
    return redirect(url_for("reports.show", report_id=made["id"]), code=303)


@blp.get("/<string:report_id>")
@signed_in
def show(report_id: str) -> Any:
    return render_template("reports/show.html", report=ReportsApiClient(api()).get(report_id))


@blp.get("/<string:report_id>/progress")
@signed_in
def progress(report_id: str) -> Any:
    """What the page's script polls: the status and progress only."""
    report = ReportsApiClient(api()).get(report_id)
    return jsonify(status=report.get("status"), progress=report.get("progress") or 0)


@blp.get("/<string:report_id>/download")
@signed_in
def download(report_id: str) -> Any:
    answer = ReportsApiClient(api()).download(report_id)
    headers = {name: answer.headers[name] for name in PASSED_ON if name in answer.headers}
    body = answer.iter_content(chunk_size=64 * 1024)
    return Response(body, status=200, headers=headers, direct_passthrough=True)
