"""Talent-exchange applications, their transitions, history and personal-data erasure."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from programmes.api import V1Blueprint, if_match, unit_of_work, with_etag
from programmes.api.idempotency import answer_kept, idempotent, remember
from programmes.application_schemas import (
    ApplicationCreateSchema,
    ApplicationPageSchema,
    ApplicationQuerySchema,
    ApplicationSchema,
    ApplicationTransitionSchema,
    ApplicationUpdateSchema,
)
from programmes.schemas import HistoryEntrySchema
from programmes.services import application_transitions, erasure
from programmes.services import applications as service
from programmes.services.events import application_snapshot
from setu_contract.edge import caller
from setu_contract.paging import page_body

blp = V1Blueprint("applications", __name__, url_prefix="/v1", description="Applications")


def _answered(application: Any) -> dict[str, Any]:
    """An application as the caller is answered: with what it may do to it now."""
    return service.view(application_snapshot(application), caller())


@blp.route("/applications")
class Applications(MethodView):
    @blp.arguments(ApplicationCreateSchema())
    @blp.response(201, ApplicationSchema)
    @idempotent
    def post(self, fields: dict[str, Any]) -> Any:
        """File a talent-exchange application (a draft) for your organisation"""
        # The application and its event are one statement on PostgreSQL; the answer stored
        # under an Idempotency-Key would be a second, and takes a transaction.
        with unit_of_work(one_write=not answer_kept()) as session:
            answered = service.view(service.create_application(session, caller(), fields), caller())
            remember(session, answered, 201)
            return with_etag(answered, 201)

    @blp.arguments(ApplicationQuerySchema(), location="query")
    @blp.response(200, ApplicationPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List the applications your organisation sends or hosts (all, for the secretariat)"""
        page, size = query.pop("page"), query.pop("page_size")
        with unit_of_work() as session:
            found, total = service.list_applications(session, caller(), query, page, size)
            items = [service.view(snapshot, caller()) for snapshot in found]
        return page_body(items, total, page, size)


@blp.route("/applications/<string:application_id>")
class ApplicationById(MethodView):
    @blp.response(200, ApplicationSchema)
    def get(self, application_id: str) -> Any:
        """Read an application"""
        with unit_of_work() as session:
            application = service.get_application(session, caller(), application_id)
            return with_etag(_answered(application))

    @blp.arguments(ApplicationUpdateSchema())
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(412, description="If-Match names an older version")
    def patch(self, changes: dict[str, Any], application_id: str) -> Any:
        """Edit a draft application (the home organisation)"""
        with unit_of_work() as session:
            application = service.update_application(
                session, caller(), application_id, changes, if_match()
            )
            return with_etag(_answered(application))


@blp.route("/applications/<string:application_id>/transitions")
class ApplicationTransitions(MethodView):
    @blp.arguments(ApplicationTransitionSchema())
    @blp.response(200, ApplicationSchema)
    def post(self, body: dict[str, Any], application_id: str) -> Any:
        """Move an application: submit, endorse, accept, ..."""
        with unit_of_work() as session:
            application = application_transitions.transition(
                session, caller(), application_id, body["action"], body.get("comment")
            )
            return with_etag(_answered(application))


@blp.route("/applications/<string:application_id>/history")
class ApplicationHistory(MethodView):
    @blp.response(200, HistoryEntrySchema(many=True))
    def get(self, application_id: str) -> Any:
        """Every transition of an application, oldest first"""
        with unit_of_work() as session:
            return service.history(session, caller(), application_id)


@blp.route("/applications/<string:application_id>/personal-data")
class ApplicationPersonalData(MethodView):
    @blp.response(204)
    def delete(self, application_id: str) -> None:
        """Erase the applicant's personal data for good (secretariat)"""
        with unit_of_work() as session:
            erased = erasure.erase_personal_data(session, caller(), application_id)
        if erased:
            erasure.reclaim_after_erasure(current_app.extensions["programmes.engine"])
