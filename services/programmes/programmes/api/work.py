"""What waits for the caller now (/v1/me/work)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from programmes.api import JSON, V1Blueprint, json_bytes, unit_of_work
from programmes.api.identity import kept_programmes
from programmes.services import work as service
from programmes.work_schemas import WorkQuerySchema, WorkSchema
from setu_contract.edge import caller

blp = V1Blueprint("work", __name__, url_prefix="/v1", description="What waits for you")


@blp.route("/me/work")
class Work(MethodView):
    @blp.arguments(WorkQuerySchema(), location="query")
    @blp.response(200, WorkSchema)
    def get(self, query: dict[str, Any]) -> Response:
        """What waits for you now: for each kind of work your role does (a partner's drafts to
        submit, the secretariat's programmes to approve for its side, ...), how many things
        wait and the longest unchanged of them, as the lists' allowed_action filter finds
        them (a reviewer's work is its reviews: none here)"""
        kept, generation = kept_programmes()
        totals = current_app.extensions["programmes.list_totals"]
        with unit_of_work() as session:
            answer = service.work(session, caller(), query["page_size"], totals, kept, generation)
        # Programmes and applications already in their schemas' shape, as the lists write them.
        return current_app.response_class(json_bytes(answer), mimetype=JSON)
