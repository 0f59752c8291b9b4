"""A review: its reviewer's declaration of conflicts of interest first; only after "none"
the proposal and the review form (every criterion 0-5 with a comment), submitted once and
then shown read-only. The secretariat and auditors read it; anyone else gets the API's 404."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console.api_client.base import ApiError
from console.api_client.reviews_api_client import ReviewsApiClient
from console.entered import whole_number
from console.signed_in import api, me, signed_in
from console.translations import gettext as _

blp = Blueprint("reviews", __name__, url_prefix="/console/reviews")

REFUSED = (400, 403, 409, 422)
SCORES = range(0, 6)
READABLE = ("in_progress", "submitted")


def _page(
    review_id: str,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    client = ReviewsApiClient(api())
    review = client.get(review_id)
    mine = (review.get("reviewer") or {}).get("id") == me().get("person_id")
    proposal = client.proposal(review_id) if mine and review.get("status") in READABLE else None
    return render_template(
        "reviews/show.html",
        review=review,
        mine=mine,
        proposal=proposal,
        scores=SCORES,
        entered=entered or {},
        errors=errors or {},
    ), status


@blp.get("/<string:review_id>")
@signed_in
def show(review_id: str) -> Any:
    return _page(review_id)


@blp.post("/<string:review_id>/declaration")
@signed_in
def declare(review_id: str) -> Any:
    declaration = request.form.get("declaration") or ""
    reason = (request.form.get("reason") or "").strip() or None
    entered = {"declaration": declaration, "reason": reason or ""}
    if declaration not in ("none", "conflict"):
        errors = {"declaration": [_("Choose whether you have a conflict of interest.")]}
        return _page(review_id, errors, entered, 422)
    try:
        ReviewsApiClient(api()).declare(review_id, declaration, reason)
    except ApiError as error:
        if error.status not in REFUSED:
            raise
        errors = error.field_errors() or {"declaration": [error.message]}
        return _page(review_id, errors, entered, 422 if error.status == 422 else error.status)
    if declaration == "none":
        flash(_("You declared no conflict of interest. The proposal is below."), "success")
    else:
        flash(_("You declared a conflict of interest: the secretariat is told."), "success")
    return redirect(url_for("reviews.show", review_id=review_id), code=303)


def scores_of(form: Any, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's scores for what was entered (as entered: the API says what is wrong)."""
    scores = {}
    for criterion in criteria:
        key = criterion["key"]
        score = (form.get(f"scores.{key}.score") or "").strip()
        scores[key] = {
            "score": whole_number(score, 3),
            "comment": (form.get(f"scores.{key}.comment") or "").strip(),
        }
    return scores


def _by_field(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's messages by the form's field names: a dict's values are said by marshmallow
    under ``value`` (``scores.merit.value.score``), the form names them ``scores.merit.score``."""
    return {
        ".".join(
            part for i, part in enumerate(key.split(".")) if not (i == 2 and part == "value")
        ): v
        for key, v in errors.items()
    }


@blp.post("/<string:review_id>/submission")
@signed_in
def submit(review_id: str) -> Any:
    client = ReviewsApiClient(api())
    review = client.get(review_id)
    scores = scores_of(request.form, review.get("criteria") or [])
    try:
        client.submit(review_id, scores)
    except ApiError as error:
        if error.status not in REFUSED:
            raise
        errors = _by_field(error.field_errors()) or {"scores": [error.message]}
        return _page(review_id, errors, {"scores": scores}, 422 if error.status == 422 else 409)
    flash(_("Your review is submitted. It can no longer be changed."), "success")
    return redirect(url_for("reviews.show", review_id=review_id), code=303)


def weighted_mean(reviews: list[dict[str, Any]]) -> Decimal | None:
    """The mean of the submitted reviews' weighted scores, as the ranking's before it is
    rounded (the page writes it with ``| score``, as every score)."""
    found = []
    for review in reviews:
        if review.get("status") == "submitted" and review.get("weighted_score") is not None:
            try:
                found.append(Decimal(str(review["weighted_score"])))
            except InvalidOperation:
                continue
    if not found:
        return None
    return sum(found, Decimal(0)) / len(found)
