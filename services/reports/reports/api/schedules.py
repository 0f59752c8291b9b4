"""/v1/report-schedules: cron schedules of reports in an IANA time zone, and their runs."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from reports.api.context import context
from reports.api.idempotency import once
from reports.api.identity import readers_only, secretariat
from reports.schemas import (
    ScheduleCreateSchema,
    SchedulePageSchema,
    ScheduleRunPageSchema,
    ScheduleSchema,
    ScheduleUpdateSchema,
)
from reports.services import schedules
from reports.services.recipients import check_recipients
from reports.store.db import transaction
from setu_contract.edge import abort
from setu_contract.paging import PageQuerySchema, page_body
from setu_contract.request_json import Blueprint

blp = Blueprint(
    "report_schedules",
    __name__,
    url_prefix="/v1/report-schedules",
    description="Report schedules (cron, IANA time zone)",
)


blp.before_request(readers_only)


def etag(schedule) -> str:
    return f'"{schedule.id}.{schedule.version}"'


def expected_version(schedule_id: str) -> int | None:
    """The version named by If-Match, or None when the client sent none."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        identifier, _, version = tag.rpartition(".")
        # ASCII digits only, and few: int() refuses "²" and more than 4,300 digits.
        if identifier == schedule_id and version.isascii() and version.isdigit():
            return int(version) if len(version) <= 18 else -1
    return -1  # a tag of something else never matches: 412


def _checked(session, fields: dict) -> dict:
    """``fields`` once their recipients, if any, are allowed (else 422)."""
    check_recipients(session, fields.get("recipients") or [], context().config.secretariat_email)
    return fields


def tagged(schedule, status: int = 200):
    return schedule, status, {"ETag": etag(schedule)}


@blp.route("")
class Schedules(MethodView):
    @blp.arguments(PageQuerySchema(), location="query")
    @blp.response(200, SchedulePageSchema)
    def get(self, query: dict):
        """List report schedules (the two defaults exist from the start)."""
        with context().read_sessions() as session:
            items, total = schedules.list_schedules(session, query["page"], query["page_size"])
        return page_body(items, total, query["page"], query["page_size"])

    @blp.arguments(ScheduleCreateSchema())
    @blp.response(201, ScheduleSchema)
    def post(self, body: dict):
        """Create a schedule (secretariat)."""
        principal = secretariat()
        response, created = once(
            principal.caller_id,
            201,
            ScheduleSchema(),
            lambda session: schedules.create_schedule(session, _checked(session, body)),
        )
        if created is not None:
            response.headers["ETag"] = etag(created)
        return response


@blp.route("/<string:schedule_id>")
class ScheduleById(MethodView):
    @blp.response(200, ScheduleSchema)
    def get(self, schedule_id: str):
        """One schedule, with its next due time."""
        with context().read_sessions() as session:
            return tagged(schedules.get_schedule(session, schedule_id))

    @blp.arguments(ScheduleUpdateSchema())
    @blp.response(200, ScheduleSchema)
    def patch(self, changes: dict, schedule_id: str):
        """Change a schedule (secretariat); a stale If-Match answers 412."""
        secretariat()
        if not changes:
            abort(422, "Nothing to change.", errors={"_schema": ["empty update"]})
        with transaction(context().sessions) as session:
            schedule = schedules.update_schedule(
                session, schedule_id, _checked(session, changes), expected_version(schedule_id)
            )
        return tagged(schedule)

    @blp.response(204)
    def delete(self, schedule_id: str):
        """Delete a schedule (secretariat); its runs go with it, its reports stay."""
        secretariat()
        with transaction(context().sessions) as session:
            schedules.delete_schedule(session, schedule_id, expected_version(schedule_id))


@blp.route("/<string:schedule_id>/runs")
class ScheduleRuns(MethodView):
    @blp.arguments(PageQuerySchema(), location="query")
    @blp.response(200, ScheduleRunPageSchema)
    def get(self, query: dict, schedule_id: str):
        """Every firing of the schedule: due time, when it fired, the report it made."""
        with context().read_sessions() as session:
            items, total = schedules.list_runs(
                session, schedule_id, query["page"], query["page_size"]
            )
        return page_body(items, total, query["page"], query["page_size"])
