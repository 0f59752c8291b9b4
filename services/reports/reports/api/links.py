"""/v1/report-links/<token>: a report's file by its signed link, with no key (the link is the
credential, valid REPORT_LINK_DAYS). A tampered, expired or revoked link answers 404."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from reports.api.context import context
from reports.api.files import report_file
from reports.services import jobs
from reports.services.links import report_for_link
from setu_contract.http import ErrorSchema
from setu_contract.request_json import Blueprint

blp = Blueprint(
    "report_links",
    __name__,
    url_prefix="/v1/report-links",
    description="Signed download links of reports (the link in report emails; no key)",
)


@blp.route("/<string:token>")
class ReportLink(MethodView):
    @blp.doc(
        security=[],
        responses={
            "200": {
                "description": "The report file, as an attachment",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        },
    )
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(410, schema=ErrorSchema)
    def get(self, token: str) -> Response:
        """Download a report by its signed link (no key)"""
        ctx = context()
        with ctx.sessions() as session:
            job = report_for_link(session, ctx.config.secret_key, token, jobs.now())
        response = report_file(job)
        # The link is a credential: not kept by shared caches, not sent on as a Referer.
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
