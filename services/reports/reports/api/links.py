"""/v1/report-links/<token>: a report's file by its signed link, with no key (the link is the
credential, valid REPORT_LINK_DAYS). A tampered, expired or revoked link answers 404: to a
browser (a person who clicked the link in a report email), a page in its language that says
what to do; to a program, the API's JSON."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from reports.api.context import context
from reports.api.files import report_file
from reports.services import jobs
from reports.services.links import LinkNotFound, report_for_link
from reports.translations import N_, translations
from setu_contract.http import ErrorSchema
from setu_contract.link_pages import link_not_working, page_language, prefers_a_page
from setu_contract.request_json import Blueprint

blp = Blueprint(
    "report_links",
    __name__,
    url_prefix="/v1/report-links",
    description="Signed download links of reports (the link in report emails; no key)",
)


NOT_WORKING_ADVICE = N_(
    "The link may have expired or been withdrawn. Ask the secretariat to send the report "
    "again; if you have an account, it is also on the Reports page of the Setu console."
)

OPEN_THE_CONSOLE = N_("Open the reports in the Setu console")
# The console's reports, on the site the link was followed on (sign-in first if needed).
CONSOLE_REPORTS = "/console/reports/"


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
            try:
                job = report_for_link(session, ctx.config.secret_key, token, jobs.now())
            except LinkNotFound:
                if not prefers_a_page():
                    raise
                language = page_language()
                words = translations(language)
                onward = (CONSOLE_REPORTS, words.gettext(OPEN_THE_CONSOLE))
                return link_not_working(language, words.gettext(NOT_WORKING_ADVICE), onward)
        response = report_file(job)
        # The link is a credential: not kept by shared caches, not sent on as a Referer.
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
