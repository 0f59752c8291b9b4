"""Calls for proposals, their transitions and their ranking."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from programmes.api import V1Blueprint, if_match, unit_of_work, with_etag
from programmes.call_schemas import (
    CALL_FIELDS,
    CallCreateSchema,
    CallPageSchema,
    CallQuerySchema,
    CallSchema,
    CallTransitionSchema,
    CallUpdateSchema,
    RankingSchema,
)
from programmes.services import calls as service
from programmes.services.ranking import ranking
from setu_contract.edge import caller
from setu_contract.paging import page_body

blp = V1Blueprint("calls", __name__, url_prefix="/v1", description="Calls for proposals")


@blp.route("/calls")
class Calls(MethodView):
    @blp.arguments(CallCreateSchema())
    @blp.response(201, CallSchema)
    def post(self, fields: dict[str, Any]) -> Any:
        """Open a call for proposals, as a draft the clock opens at its time (secretariat)"""
        with unit_of_work() as session:
            call = service.create_call(session, caller(), fields)
            return with_etag(service.view(call, caller()), 201)

    @blp.arguments(CallQuerySchema(), location="query")
    @blp.response(200, CallPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """List calls, newest first (drafts only for the secretariat and auditors)"""
        with unit_of_work() as session:
            items, total = service.list_calls(
                session, caller(), query.get("status"), query["page"], query["page_size"]
            )
            answered = [service.view(call, caller()) for call in items]
            return page_body(answered, total, query["page"], query["page_size"])


@blp.route("/calls/<string:call_id>")
class CallById(MethodView):
    @blp.response(200, CallSchema)
    def get(self, call_id: str) -> Any:
        """Read a call"""
        with unit_of_work() as session:
            call = service.get_call(session, caller(), call_id)
            return with_etag(service.view(call, caller()))

    @blp.arguments(CallUpdateSchema(partial=CALL_FIELDS))
    @blp.response(200, CallSchema)
    @blp.alt_response(412, description="If-Match names an older version")
    def patch(self, changes: dict[str, Any], call_id: str) -> Any:
        """Edit a call while it is a draft (secretariat)"""
        with unit_of_work() as session:
            call = service.update_call(session, caller(), call_id, changes, if_match())
            return with_etag(service.view(call, caller()))


@blp.route("/calls/<string:call_id>/transitions")
class CallTransitions(MethodView):
    @blp.arguments(CallTransitionSchema())
    @blp.response(200, CallSchema)
    def post(self, body: dict[str, Any], call_id: str) -> Any:
        """Open or close a call before its time, or decide a closed one (secretariat)"""
        with unit_of_work() as session:
            call = service.transition_call(session, caller(), call_id, body["action"])
            return with_etag(service.view(call, caller()))


@blp.route("/calls/<string:call_id>/ranking")
class CallRanking(MethodView):
    @blp.response(200, RankingSchema)
    def get(self, call_id: str) -> Any:
        """The call's proposals by weighted mean score, with review counts and the running
        budget total against the envelope (secretariat and auditors)"""
        with unit_of_work() as session:
            return ranking(session, caller(), call_id)
