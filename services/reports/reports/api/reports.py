"""/v1/reports: request a report, follow its progress, download the file."""

from __future__ import annotations

import logging

from flask.views import MethodView

from reports.api.context import context
from reports.api.files import report_file
from reports.api.idempotency import once
from reports.api.identity import readers_only, secretariat
from reports.publishing import send_generate
from reports.schemas import ReportCreateSchema, ReportPageSchema, ReportQuerySchema, ReportSchema
from reports.services import jobs
from reports.services.links import revoke_links
from reports.services.recipients import check_recipients
from reports.store.db import transaction
from setu_contract.edge import abort, caller
from setu_contract.observability import get_correlation_id
from setu_contract.paging import page_body
from setu_contract.request_json import Blueprint

log = logging.getLogger(__name__)

blp = Blueprint("reports", __name__, url_prefix="/v1/reports", description="Report jobs")


# Identity is checked before the body is parsed: no key answers 401, not 422.
blp.before_request(readers_only)


FIELDS = (
    "id",
    "type",
    "format",
    "language",
    "filters",
    "recipients",
    "status",
    "progress",
    "size",
    "sha256",
    "error",
    "correlation_id",
    "schedule_id",
    "created_at",
    "started_at",
    "finished_at",
)


def present(job) -> dict:
    body = {name: getattr(job, name) for name in FIELDS}
    body["period"] = {"start": job.period_start, "end": job.period_end}
    body["download_url"] = (
        f"{context().config.public_url}/v1/reports/{job.id}/download"
        if job.status == "succeeded"
        else None
    )
    return body


@blp.route("")
class Reports(MethodView):
    @blp.arguments(ReportQuerySchema(), location="query")
    @blp.response(200, ReportPageSchema)
    def get(self, query: dict):
        """List reports, newest first (filters: status, type, schedule_id)."""
        with context().read_sessions() as session:
            items, total = jobs.list_reports(session, query)
            body = [present(job) for job in items]
        return page_body(body, total, query["page"], query["page_size"])

    @blp.arguments(ReportCreateSchema())
    @blp.response(202, ReportSchema)
    def post(self, body: dict):
        """Request a report; it is produced by a worker (follow it with GET)."""
        principal = caller()  # who asked is recorded on the job
        if body["recipients"] and not principal.is_secretariat:
            abort(
                403,
                "An auditor reads reports; only the secretariat has them emailed: "
                "send no recipients.",
            )
        ctx = context()
        request = jobs.ReportRequest(
            type=body["type"],
            format=body["format"],
            period_start=body["period"]["start"],
            period_end=body["period"]["end"],
            filters=body["filters"],
            recipients=body["recipients"],
            correlation_id=get_correlation_id() or "",
            requested_by=principal.organisation_id,
            language=body["language"],
        )

        def create(session):
            check_recipients(session, request.recipients, ctx.config.secretariat_email)
            return present(jobs.get_report(session, jobs.request_report(session, request)))

        response, created = once(principal.caller_id, 202, ReportSchema(), create)
        if created is not None:
            try:
                send_generate(ctx.celery, created["id"], request.correlation_id)
            except Exception as exc:  # the broker is away: the sweep sends the job later
                log.warning("report %s not sent now, the sweep will: %r", created["id"], exc)
        return response


@blp.route("/<string:report_id>")
class ReportById(MethodView):
    @blp.response(200, ReportSchema)
    def get(self, report_id: str):
        """A report's status, progress and, when done, size, SHA-256 and download link."""
        with context().read_sessions() as session:
            return present(jobs.get_report(session, report_id))


@blp.route("/<string:report_id>/download")
class ReportDownload(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, report_id: str):
        """The report file, with its content type and a file name a person understands."""
        with context().read_sessions() as session:
            job = jobs.finished_report(session, report_id)
        return report_file(job)


@blp.route("/<string:report_id>/links")
class ReportLinks(MethodView):
    @blp.response(204)
    def delete(self, report_id: str):
        """Revoke the report's signed download links (secretariat): each answers 404 after."""
        secretariat()
        with transaction(context().sessions) as session:
            revoke_links(session, report_id)
