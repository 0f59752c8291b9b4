"""What a person does from a programme's page: an action (a transition or an answer to
being named), assigning a reviewer, recording a side's screening. A refusal shows the page
again with its message."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for

from console import screening_form
from console.api_client.base import ApiError
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.api_client.reviews_api_client import ReviewsApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.formatting import moment, word
from console.signed_in import api, me, signed_in
from console.translations import gettext as _
from console.views.programmes.pages import blp, programme_page
from console.vocabulary import PARTICIPATION

# What a failed action answers with: the form is shown again with the message.
ACTION_REFUSED = (400, 403, 409, 412, 422)


def _call_refusal(error: ApiError) -> str | None:
    """A submission its call refuses by its clock (409), said with the call's time as the
    person reads it (their zone, their language), not as the API writes it."""
    details = error.errors or {}
    if error.status != 409 or not isinstance(details, dict):
        return None
    if isinstance(details.get("closes_at"), str):
        return _(
            "The call this programme answers closed at %(when)s: it takes no more proposals.",
            when=moment(details["closes_at"]),
        )
    if isinstance(details.get("opens_at"), str):
        return _(
            "The call this programme answers opens at %(when)s: submit it after that.",
            when=moment(details["opens_at"]),
        )
    return None


@blp.post("/<string:programme_id>/actions")
@signed_in
def act(programme_id: str) -> Any:
    action = request.form.get("action") or ""
    comment = (request.form.get("comment") or "").strip() or None
    client = ProgrammesApiClient(api())
    try:
        if action in PARTICIPATION:
            moved = client.answer_participation(programme_id, PARTICIPATION[action])
        else:
            moved = client.transition(programme_id, action, comment)
    except ApiError as error:
        if error.status not in ACTION_REFUSED:
            raise
        # A refusal other than a field's (409: not now, held by a screening, the call closed)
        # carries details for programs (allowed actions, missing screenings, the call's
        # closing time), not fields: its message says it all.
        errors = error.field_errors() if error.status == 422 else {}
        errors.setdefault(
            "action",
            [_call_refusal(error) or screening_form.refusal(error.errors) or error.message],
        )
        return programme_page(programme_id, errors, 422 if error.status == 422 else error.status)
    status = word((moved or {}).get("status"))
    flash(
        _(
            "%(action)s: done. The programme is now: %(status)s.",
            action=word(action),
            status=status,
        ),
        "success",
    )
    return redirect(url_for("programmes.show", programme_id=programme_id), code=303)


@blp.post("/<string:programme_id>/reviews")
@signed_in
def assign(programme_id: str) -> Any:
    person_id = (request.form.get("reviewer_person_id") or "").strip()
    if not person_id:
        errors = {"reviewer_person_id": [_("Choose a reviewer.")]}
        return programme_page(programme_id, errors, 422)
    try:
        assigned = ReviewsApiClient(api()).assign(programme_id, person_id)
    except ApiError as error:
        if error.status not in ACTION_REFUSED:
            raise
        errors = {"reviewer_person_id": [error.message]}
        if error.status == 422:
            errors = {k: v for k, v in error.field_errors().items() if k == "reviewer_person_id"}
            errors = errors or {"reviewer_person_id": [error.message]}
        return programme_page(programme_id, errors, 422 if error.status == 422 else error.status)
    name = (assigned.get("reviewer") or {}).get("name") or ""
    flash(_("%(name)s is assigned to review this proposal.", name=name), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id), code=303)


@blp.post("/<string:programme_id>/screenings")
@signed_in
def screen(programme_id: str) -> Any:
    """The secretariat records its side's screening of the programme."""
    side = me().get("side") or ""
    body = screening_form.body_of(request.form, side)
    try:
        ScreeningsApiClient(api()).record(programme_id, body)
    except ApiError as error:
        if error.status not in ACTION_REFUSED:
            raise
        errors = screening_form.refused_fields(error, request.form)
        return programme_page(programme_id, errors, 422 if error.status == 422 else error.status)
    flash(_("Your side's screening is recorded."), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id), code=303)
