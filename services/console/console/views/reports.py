"""Reports: the list, a request form, a report's page with its live progress (a small
script where JavaScript runs; a refresh link where it does not), and its download; the
schedules that request reports by themselves (list, a new one, removal)."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from console.api_client.base import ApiError
from console.api_client.reports_api_client import SCHEDULES_PAGE, ReportsApiClient
from console.formatting import moment
from console.paging import page_number, pages_of
from console.signed_in import api, signed_in
from console.translations import LANGUAGES, current_language
from console.translations import gettext as _
from setu_contract.vocabulary import REPORT_TYPES

blp = Blueprint("reports", __name__, url_prefix="/console/reports")

TYPES = REPORT_TYPES
FORMATS = ("pdf", "html", "csv", "json")
PASSED_ON = ("Content-Type", "Content-Disposition", "Content-Length")
# The zones a schedule is most often kept in, offered first; the API takes any IANA zone.
ZONES = ("Asia/Tokyo", "Asia/Kolkata", "UTC")
# Recipients as typed: one a line, or separated by commas, semicolons or spaces.
SEPARATORS = re.compile(r"[\s,;]+")
# What a refused change answers with: the page again with the API's message.
REFUSED = (400, 403, 404, 409, 412, 422)


def _index(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
    return render_template(
        "reports/index.html",
        reports=ReportsApiClient(api()).page(page_number()),
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


def _schedules(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
    page = page_number()
    answer = ReportsApiClient(api()).schedules(page)
    zones = ZONES if values.get("timezone") in ZONES else (values.get("timezone"), *ZONES)
    return render_template(
        "reports/schedules.html",
        answer=answer,
        page=page,
        pages=pages_of(answer["total"], SCHEDULES_PAGE),
        values=values,
        errors=errors,
        types=TYPES,
        formats=FORMATS,
        languages=LANGUAGES,
        zones=[zone for zone in zones if zone],
    ), code


@blp.get("/schedules")
@signed_in
def schedules() -> Any:
    zone = session.get("time_zone")
    return _schedules(
        {
            "language": current_language(),
            "timezone": zone if zone in ZONES else ZONES[0],
            "enabled": True,
        },
        {},
    )


@blp.post("/schedules")
@signed_in
def create_schedule() -> Any:
    typed = request.form.get("recipients") or ""
    fields = {
        "type": request.form.get("type") or "",
        "format": request.form.get("format") or "",
        "cron": " ".join((request.form.get("cron") or "").split()),
        "timezone": (request.form.get("timezone") or "").strip(),
        "recipients": [address for address in SEPARATORS.split(typed) if address],
        "language": request.form.get("language") or current_language(),
        "enabled": request.form.get("enabled") == "yes",
    }
    try:
        made = ReportsApiClient(api()).create_schedule(fields)
    except ApiError as error:
        if error.status not in REFUSED:
            raise
        values = {**fields, "recipients": typed}
        return _schedules(values, error.field_errors() or {"_schema": [error.message]}, 422)
    if not made.get("enabled"):
        flash(_("The schedule is saved, switched off: it requests no report."), "success")
    elif made.get("next_due_at"):
        when = moment(made["next_due_at"])
        flash(_("The schedule is saved. Its next report is due %(when)s.", when=when), "success")
    else:
        flash(_("The schedule is saved."), "success")
    return redirect(url_for("reports.schedules"), code=303)


@blp.post("/schedules/<string:schedule_id>/delete")
@signed_in
def delete_schedule(schedule_id: str) -> Any:
    try:
        ReportsApiClient(api()).delete_schedule(schedule_id, request.form.get("version"))
    except ApiError as error:
        if error.status not in REFUSED:
            raise
        message = (
            _("Someone changed this schedule since you opened the page. Check it and try again.")
            if error.status == 412
            else error.message
        )
        flash(message, "error")
    else:
        flash(_("The schedule is deleted: the reports it made stay."), "success")
    return redirect(url_for("reports.schedules"), code=303)


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
