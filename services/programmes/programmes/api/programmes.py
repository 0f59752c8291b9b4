"""Joint research programmes and their transitions."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from programmes.api import JSON, V1Blueprint, if_match, json_bytes, unit_of_work, with_etag
from programmes.api.idempotency import idempotent, remember
from programmes.api.identity import kept_programmes
from programmes.schemas import (
    PROGRAMME_FIELDS,
    HistoryEntrySchema,
    ParticipationSchema,
    ProgrammeCreateSchema,
    ProgrammePageSchema,
    ProgrammeQuerySchema,
    ProgrammeSchema,
    ProgrammeUpdateSchema,
    TransitionSchema,
)
from programmes.services import programme_actions, programme_reads, programme_transitions
from programmes.services import programmes as service
from programmes.services.events import programme_snapshot
from setu_contract.edge import caller
from setu_contract.paging import page_body

blp = V1Blueprint("programmes", __name__, url_prefix="/v1", description="Programmes")
# Kept under (ANSWER, programme_id, allowed actions): a read programme's JSON, as answered
# to callers who may take those actions.
ANSWER = "answer"


def _answered(programme: Any) -> dict[str, Any]:
    """A programme just written, as the caller is answered."""
    return programme_actions.view(programme_snapshot(programme), caller())


@blp.route("/programmes")
class Programmes(MethodView):
    @blp.arguments(ProgrammeCreateSchema())
    @blp.response(201, ProgrammeSchema)
    @idempotent
    def post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Propose a joint research programme (a draft)"""
        with unit_of_work() as session:
            programme = service.create_programme(session, caller(), fields)
            answered = _answered(programme)
            remember(session, answered, 201)
            return with_etag(answered, 201)

    @blp.arguments(ProgrammeQuerySchema(), location="query")
    @blp.response(200, ProgrammePageSchema)
    def get(self, query: dict[str, Any]) -> Response:
        """List the programmes you take part in (all, for the secretariat and auditors), each
        with what you may do to it now"""
        page, size = query.pop("page"), query.pop("page_size")
        kept, generation = kept_programmes()
        found = programme_reads.kept_page(caller(), query, page, size, kept, generation)
        if found is None:
            totals = current_app.extensions["programmes.list_totals"]
            with unit_of_work() as session:
                found = programme_reads.list_programmes(
                    session, caller(), query, page, size, totals, kept, generation
                )
        if found.answer is None:
            # The snapshots are already in ProgrammeSchema's shape (a test holds them to it),
            # so the page is written as it is (dumping twenty of them again was a fifth of a
            # page's CPU), once: a kept page is sent as it was first written.
            envelope = page_body(found.items, found.total, page, size)
            found.answer = json_bytes(envelope)
        return current_app.response_class(found.answer, mimetype=JSON)


@blp.route("/programmes/<string:programme_id>")
class ProgrammeById(MethodView):
    @blp.response(200, ProgrammeSchema)
    def get(self, programme_id: str) -> Any:
        """Read a programme"""
        kept, generation = kept_programmes()
        snapshot = programme_reads.kept_programme(caller(), programme_id, kept, generation)
        was_kept = snapshot is not None
        if snapshot is None:
            with unit_of_work() as session:
                snapshot = programme_reads.read_programme(
                    session, caller(), programme_id, kept, generation
                )
        # Who may read it, and what the caller may do to it, are decided from the snapshot on
        # every request; its JSON is written once for each set of allowed actions.
        answered = programme_actions.view(snapshot, caller())
        key = (ANSWER, programme_id, tuple(answered["allowed_actions"]))
        answer = kept.get(key, generation) if was_kept else None
        if answer is None:
            answer = json_bytes(answered)
            kept.keep(key, answer, generation)
        return with_etag(answered, answer=answer)

    @blp.arguments(ProgrammeUpdateSchema(partial=PROGRAMME_FIELDS))
    @blp.response(200, ProgrammeSchema)
    @blp.alt_response(412, description="If-Match names an older version")
    def patch(self, changes: dict[str, Any], programme_id: str) -> Any:
        """Edit a programme while draft or changes_requested (partners)"""
        with unit_of_work() as session:
            programme = service.update_programme(
                session, caller(), programme_id, changes, if_match()
            )
            return with_etag(_answered(programme))


@blp.route("/programmes/<string:programme_id>/history")
class ProgrammeHistory(MethodView):
    @blp.response(200, HistoryEntrySchema(many=True))
    def get(self, programme_id: str) -> Any:
        """Every transition of a programme, oldest first"""
        with unit_of_work() as session:
            return service.history(session, caller(), programme_id)


@blp.route("/programmes/<string:programme_id>/transitions")
class ProgrammeTransitions(MethodView):
    @blp.arguments(TransitionSchema())
    @blp.response(200, ProgrammeSchema)
    def post(self, body: dict[str, Any], programme_id: str) -> dict[str, Any]:
        """Move a programme: submit, start_review, approve, ..."""
        with unit_of_work() as session:
            programme = programme_transitions.transition(
                session, caller(), programme_id, body["action"], body.get("comment")
            )
            return with_etag(_answered(programme))


@blp.route("/programmes/<string:programme_id>/participation")
class ProgrammeParticipation(MethodView):
    @blp.arguments(ParticipationSchema())
    @blp.response(200, ProgrammeSchema)
    def post(self, body: dict[str, Any], programme_id: str) -> dict[str, Any]:
        """Confirm or decline your organisation's part in a programme another proposed (it is
        submitted only once every partner has confirmed)"""
        with unit_of_work() as session:
            programme = service.answer_participation(
                session, caller(), programme_id, body["decision"]
            )
            return with_etag(_answered(programme))
