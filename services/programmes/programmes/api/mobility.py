"""Mobility clearance: the checklist of an accepted exchange and the pipeline by stage."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from programmes.api import V1Blueprint, unit_of_work
from programmes.mobility_schemas import (
    MobilityChecklistSchema,
    MobilityItemPatchSchema,
    MobilityItemSetSchema,
    PipelineQuerySchema,
    PipelineSchema,
)
from programmes.services import mobility as service
from setu_contract.edge import caller

blp = V1Blueprint("mobility", __name__, url_prefix="/v1", description="Mobility clearance")


@blp.route("/applications/<string:application_id>/mobility")
class Checklist(MethodView):
    @blp.response(200, MobilityChecklistSchema)
    def get(self, application_id: str) -> Any:
        """The mobility checklist of an accepted exchange, with who set each item and when"""
        with unit_of_work() as session:
            return service.read_checklist(session, caller(), application_id)


@blp.route("/applications/<string:application_id>/mobility/<string:item>")
class ChecklistItem(MethodView):
    @blp.arguments(MobilityItemSetSchema())
    @blp.response(200, MobilityChecklistSchema)
    def put(self, fields: dict[str, Any], application_id: str, item: str) -> Any:
        """Set a checklist item's status and date (the organisation that keeps it)"""
        with unit_of_work() as session:
            return service.set_item(session, caller(), application_id, item, fields)

    @blp.arguments(MobilityItemPatchSchema(partial=True))
    @blp.response(200, MobilityChecklistSchema)
    def patch(self, fields: dict[str, Any], application_id: str, item: str) -> Any:
        """Change a checklist item's status or date (the organisation that keeps it)"""
        with unit_of_work() as session:
            return service.set_item(session, caller(), application_id, item, fields)


@blp.route("/mobility/pipeline")
class Pipeline(MethodView):
    @blp.arguments(PipelineQuerySchema(), location="query")
    @blp.response(200, PipelineSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Every accepted exchange by stage, soonest start first (secretariat and auditors)"""
        page, size = query.pop("page"), query.pop("page_size")
        with unit_of_work() as session:
            return service.pipeline(session, caller(), query, page, size)
