"""Joint research programmes and their transitions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from programmes.api import V1Blueprint, principal, unit_of_work
from programmes.schemas import ProgrammeCreateSchema, ProgrammeSchema, TransitionSchema
from programmes.services import programmes as service
from programmes.services.events import programme_snapshot

blp = V1Blueprint("programmes", __name__, url_prefix="/v1", description="Programmes")


@blp.route("/programmes")
class Programmes(MethodView):
    @blp.arguments(ProgrammeCreateSchema)
    @blp.response(201, ProgrammeSchema)
    def post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Propose a joint research programme (a draft)"""
        with unit_of_work() as session:
            return programme_snapshot(service.create_programme(session, principal(), fields))


@blp.route("/programmes/<string:programme_id>")
class ProgrammeById(MethodView):
    @blp.response(200, ProgrammeSchema)
    def get(self, programme_id: str) -> dict[str, Any]:
        """Read a programme"""
        with unit_of_work() as session:
            return programme_snapshot(service.get_programme(session, principal(), programme_id))


@blp.route("/programmes/<string:programme_id>/transitions")
class ProgrammeTransitions(MethodView):
    @blp.arguments(TransitionSchema)
    @blp.response(200, ProgrammeSchema)
    def post(self, body: dict[str, Any], programme_id: str) -> dict[str, Any]:
        """Move a programme: submit, start_review, approve, ..."""
        with unit_of_work() as session:
            programme = service.transition(
                session, principal(), programme_id, body["action"], body.get("comment")
            )
            return programme_snapshot(programme)
