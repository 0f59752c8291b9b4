"""The event log (secretariat and auditors)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from programmes.api import V1Blueprint, unit_of_work
from programmes.event_schemas import EventConsumersSchema, EventPageSchema, EventQuerySchema
from programmes.services.event_log import consumers, list_events
from setu_contract.edge import caller
from setu_contract.paging import page_body

blp = V1Blueprint("events", __name__, url_prefix="/v1", description="The event log")


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(EventQuerySchema(), location="query")
    @blp.response(200, EventPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Page through every event the service has written, oldest first"""
        page, size = query.pop("page"), query.pop("page_size")
        with unit_of_work() as session:
            items, total = list_events(session, caller(), query, page, size)
        return page_body(items, total, page, size)


@blp.route("/events/consumers")
class EventConsumers(MethodView):
    @blp.response(200, EventConsumersSchema)
    def get(self) -> dict[str, Any]:
        """What each consumer has not confirmed yet of the event log"""
        with unit_of_work() as session:
            return {"consumers": consumers(session, caller())}
