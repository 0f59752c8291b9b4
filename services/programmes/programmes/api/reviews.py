"""Reviewers' assignments, their declarations of conflicts of interest and their reviews."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from programmes.api import V1Blueprint, unit_of_work, with_etag
from programmes.call_schemas import (
    AssignmentCreateSchema,
    DeclarationSchema,
    ReviewPageSchema,
    ReviewQuerySchema,
    ReviewSchema,
    SubmissionSchema,
)
from programmes.schemas import ProgrammeSchema
from programmes.services import reviews as service
from setu_contract.edge import caller
from setu_contract.paging import page_body

blp = V1Blueprint("reviews", __name__, url_prefix="/v1", description="Expert review")


@blp.route("/programmes/<string:programme_id>/reviews")
class ProgrammeReviews(MethodView):
    @blp.arguments(AssignmentCreateSchema())
    @blp.response(201, ReviewSchema)
    def post(self, body: dict[str, Any], programme_id: str) -> Any:
        """Assign a reviewer of an expert panel to a proposal under review (secretariat)"""
        with unit_of_work() as session:
            assignment = service.assign(session, caller(), programme_id, body["reviewer_person_id"])
            return with_etag(service.view(assignment, session, caller()), 201)

    @blp.response(200, ReviewSchema(many=True))
    def get(self, programme_id: str) -> Any:
        """A proposal's reviews: named for the secretariat and auditors; its partners read
        the submitted ones without their reviewers"""
        with unit_of_work() as session:
            return service.programme_reviews(session, caller(), programme_id)


@blp.route("/reviews")
class Reviews(MethodView):
    @blp.arguments(ReviewQuerySchema(), location="query")
    @blp.response(200, ReviewPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """A reviewer's own assignments, soonest due first (every one, for the secretariat
        and auditors)"""
        page, size = query.pop("page"), query.pop("page_size")
        with unit_of_work() as session:
            items, total = service.list_assignments(session, caller(), query, page, size)
            answered = [service.view(a, session, caller()) for a in items]
            return page_body(answered, total, page, size)


@blp.route("/reviews/<string:review_id>")
class ReviewById(MethodView):
    @blp.response(200, ReviewSchema)
    def get(self, review_id: str) -> Any:
        """Read a review (its reviewer, the secretariat, auditors)"""
        with unit_of_work() as session:
            assignment = service.get_assignment(session, caller(), review_id)
            return with_etag(service.view(assignment, session, caller()))


@blp.route("/reviews/<string:review_id>/declaration")
class ReviewDeclaration(MethodView):
    @blp.arguments(DeclarationSchema())
    @blp.response(200, ReviewSchema)
    def post(self, body: dict[str, Any], review_id: str) -> Any:
        """Declare your conflicts of interest: none (the proposal becomes readable) or a
        conflict with its reason (the assignment ends)"""
        with unit_of_work() as session:
            assignment = service.declare(
                session, caller(), review_id, body["declaration"], body.get("reason")
            )
            return with_etag(service.view(assignment, session, caller()))


@blp.route("/reviews/<string:review_id>/submission")
class ReviewSubmission(MethodView):
    @blp.arguments(SubmissionSchema())
    @blp.response(200, ReviewSchema)
    def post(self, body: dict[str, Any], review_id: str) -> Any:
        """Submit your scores, once: every criterion 0-5 with a comment"""
        with unit_of_work() as session:
            assignment = service.submit(session, caller(), review_id, body["scores"])
            return with_etag(service.view(assignment, session, caller()))


@blp.route("/reviews/<string:review_id>/proposal")
class ReviewProposal(MethodView):
    @blp.response(200, ProgrammeSchema)
    def get(self, review_id: str) -> Any:
        """The proposal under review, once you have declared no conflict of interest"""
        with unit_of_work() as session:
            return service.proposal(session, caller(), review_id)
