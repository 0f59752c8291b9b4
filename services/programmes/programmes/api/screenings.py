"""Export-control screenings of programmes and of the people of their exchanges."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from programmes.api import V1Blueprint, unit_of_work
from programmes.screening_schemas import (
    ScreeningCreateSchema,
    ScreeningListSchema,
    ScreeningSchema,
    ScreeningWorkSchema,
)
from programmes.services import screenings as service
from setu_contract.edge import caller

blp = V1Blueprint("screenings", __name__, url_prefix="/v1", description="Export-control screenings")


@blp.route("/programmes/<string:programme_id>/screenings")
class ProgrammeScreenings(MethodView):
    @blp.arguments(ScreeningCreateSchema())
    @blp.response(201, ScreeningSchema)
    def post(self, fields: dict[str, Any], programme_id: str) -> Any:
        """Record your side's export-control screening of a programme (secretariat of that
        side: JP under FEFTA, IN under SCOMET); it supersedes your side's previous one"""
        with unit_of_work() as session:
            screening = service.record_for_programme(session, caller(), programme_id, fields)
            return service.snapshot(screening), 201

    @blp.response(200, ScreeningListSchema)
    def get(self, programme_id: str) -> Any:
        """Every screening of a programme, newest first (secretariat and auditors)"""
        with unit_of_work() as session:
            return {"items": service.list_for_programme(session, caller(), programme_id)}


@blp.route("/applications/<string:application_id>/screenings")
class ApplicationScreenings(MethodView):
    @blp.arguments(ScreeningCreateSchema())
    @blp.response(201, ScreeningSchema)
    def post(self, fields: dict[str, Any], application_id: str) -> Any:
        """Record the host side's screening of the person of an exchange (secretariat of the
        host organisation's side); needed before accept in a programme that is screened"""
        with unit_of_work() as session:
            screening = service.record_for_application(session, caller(), application_id, fields)
            return service.snapshot(screening), 201

    @blp.response(200, ScreeningListSchema)
    def get(self, application_id: str) -> Any:
        """Every screening of the person of an exchange, newest first (secretariat and
        auditors)"""
        with unit_of_work() as session:
            return {"items": service.list_for_application(session, caller(), application_id)}


@blp.route("/screenings/work")
class ScreeningWork(MethodView):
    @blp.response(200, ScreeningWorkSchema)
    def get(self) -> Any:
        """What waits for your side: programmes to screen, licences expiring within 30 days
        or expired (secretariat: its side; auditors: both)"""
        with unit_of_work() as session:
            return service.work(session, caller())
