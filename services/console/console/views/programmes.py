"""Programmes: list with filters and search, page, create, edit, actions, participation,
approvals of both sides, exchange slots and history."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console import programme_form, screening_form
from console.actors import Names, actor_of
from console.api_client.applications_api_client import ApplicationsApiClient
from console.api_client.base import ApiClient, ApiError
from console.api_client.calls_api_client import CallsApiClient
from console.api_client.organisations_api_client import OrganisationsApiClient
from console.api_client.people_api_client import PeopleApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.api_client.reviews_api_client import ReviewsApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.formatting import moment, word
from console.paging import page_number, pages_of
from console.signed_in import api, me, signed_in
from console.translations import gettext as _
from console.views.reviews import weighted_mean
from console.vocabulary import FOCUS_AREAS, PARTICIPATION, STATUSES
from setu_contract.vocabulary import PROGRAMME_STATUSES

blp = Blueprint("programmes", __name__, url_prefix="/console/programmes")

PAGE_SIZE = 20
SIDES = ("JP", "IN")
SLOT_STATUSES = ("approved", "active", "completed")
EDITABLE = ("draft", "changes_requested")
# A programme that needs export-control screening shows one of these (else not_required).
SCREENED = ("pending", "complete")
# What a failed action answers with: the form is shown again with the message.
ACTION_REFUSED = (400, 403, 409, 412, 422)


@blp.get("/")
@signed_in
def index() -> Any:
    filters = {
        "status": request.args.get("status") if request.args.get("status") in STATUSES else None,
        "focus_area": request.args.get("focus_area")
        if request.args.get("focus_area") in FOCUS_AREAS
        else None,
        "q": (request.args.get("q") or "").strip()[:200] or None,
    }
    number = page_number()
    answer = ProgrammesApiClient(api()).page(page=number, page_size=PAGE_SIZE, **filters)
    pages = pages_of(answer["total"], PAGE_SIZE)
    return render_template(
        "programmes/index.html",
        answer=answer,
        filters=filters,
        page=number,
        pages=pages,
        statuses=PROGRAMME_STATUSES,
        focus_areas=FOCUS_AREAS,
    )


def approvals_of(programme: dict[str, Any], history: list[dict[str, Any]], names: Names) -> Any:
    """Each side's approval (who, when, with what comment), Japan's beside India's."""
    found: dict[str, dict[str, Any]] = {}
    for entry in history:
        if entry.get("action") != "approve":
            continue
        actor = actor_of(entry, names)
        if actor["side"] in SIDES:
            found[actor["side"]] = {**actor, "at": entry.get("occurred_at"), **entry}
    return [
        {
            "side": side,
            "approved": side in (programme.get("approvals") or []),
            **found.get(side, {}),
        }
        for side in SIDES
    ]


def slots_of(programme: dict[str, Any], applications: list[dict[str, Any]]) -> dict[str, int]:
    """Exchange slots used, free and waitlisted, from the applications the API shows."""
    statuses = [item.get("status") for item in applications]
    used = statuses.count("accepted")
    return {
        "total": programme.get("exchange_slots") or 0,
        "used": used,
        "free": max(0, (programme.get("exchange_slots") or 0) - used),
        "waitlisted": statuses.count("waitlisted"),
    }


def _call_of(programme: dict[str, Any], client: ApiClient) -> dict[str, Any] | None:
    """The call the programme answers, if any (and if the API shows it to this person)."""
    if not programme.get("call_id"):
        return None
    try:
        return CallsApiClient(client).get(programme["call_id"])
    except ApiError as error:
        if error.status not in (403, 404):
            raise
        return None


def reviewers_to_assign(client: ApiClient, assigned: set[str]) -> list[dict[str, Any]]:
    """The active reviewers of every expert panel not yet assigned, by name."""
    panels = OrganisationsApiClient(client).all(kind="expert_panel")
    people = PeopleApiClient(client)
    pages = client.at_once([functools.partial(people.page, panel["id"]) for panel in panels])
    names = {panel["id"]: panel.get("name") or "" for panel in panels}
    found = [
        {**person, "organisation_name": names.get(person.get("organisation_id"), "")}
        for page in pages
        for person in page["items"]
        if person.get("active", True)
        and person.get("role") == "reviewer"
        and person["id"] not in assigned
    ]
    return sorted(found, key=lambda p: (p.get("name") or "", p["id"]))


# Assignments that count towards the reviewers a call asks for (a conflict ended its own).
LIVE_REVIEWS = ("declaration_due", "in_progress", "submitted")


def _reviews(
    programme: dict[str, Any],
    call: dict[str, Any] | None,
    reviews: list[dict[str, Any]],
    client: ApiClient,
) -> dict[str, Any]:
    """The proposal's ``reviews`` (named for the secretariat and auditors, anonymous for its
    partners), their weighted mean, and whom the secretariat may assign while the call
    asks for more reviewers."""
    wanted = ((call or {}).get("review") or {}).get("reviewers_per_proposal")
    live = sum(r.get("status") in LIVE_REVIEWS for r in reviews)
    full = isinstance(wanted, int) and live >= wanted
    assignable = None
    if me().get("role") == "secretariat" and programme.get("status") == "under_review":
        assigned = {(r.get("reviewer") or {}).get("id") for r in reviews}
        assignable = [] if full else reviewers_to_assign(client, {a for a in assigned if a})
    return {
        "items": reviews,
        "mean": weighted_mean(reviews),
        "assignable": assignable,
        "full": full,
        "wanted": wanted,
    }


def _page(programme_id: str, errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    client = api()
    programmes = ProgrammesApiClient(client)
    programme = programmes.get(programme_id)
    partners = {p["organisation_id"]: p for p in programme.get("partners") or []}
    names = Names(client, {k: {"id": k, **v} for k, v in partners.items()})
    role, side = me().get("role"), me().get("side")
    # What else the page shows, by the programme's status and the person's role: read at
    # once, not one by one.
    reads: dict[str, Any] = {}
    if programme.get("approvals") or programme.get("status") == "under_review":
        reads["history"] = functools.partial(programmes.history, programme_id)
    if programme.get("status") in SLOT_STATUSES:
        reads["applications"] = functools.partial(
            ApplicationsApiClient(client).page, programme_id=programme["id"], page_size=100
        )
    if programme.get("call_id"):
        reads["call"] = functools.partial(_call_of, programme, client)
        if role != "reviewer":
            reads["reviews"] = functools.partial(
                ReviewsApiClient(client).of_programme, programme_id
            )
    if role in ("secretariat", "auditor") and programme.get("screening") in SCREENED:
        reads["screenings"] = functools.partial(
            ScreeningsApiClient(client).of_programme, programme_id
        )
    answers = dict(zip(reads, client.at_once(list(reads.values())), strict=True))
    approvals = None
    if "history" in answers:
        approvals = approvals_of(programme, answers["history"], names)
    slots = None
    if "applications" in answers:
        slots = slots_of(programme, answers["applications"]["items"])
    mine = partners.get(me().get("organisation_id") or "")
    call = answers.get("call")
    reviews = None
    if "reviews" in answers:
        reviews = _reviews(programme, call, answers["reviews"], client)
    screenings = answers.get("screenings")
    return render_template(
        "programmes/show.html",
        programme=programme,
        screenings=screenings,
        current_screenings=screening_form.current(screenings or []),
        screening_side=side if role == "secretariat" and side in SIDES else None,
        screening_values=request.form if request.method == "POST" else {},
        regime=screening_form.REGIME,
        authority=screening_form.AUTHORITY,
        outcomes=screening_form.OUTCOMES,
        bases=screening_form.BASES,
        approvals=approvals,
        slots=slots,
        call=call,
        reviews=reviews,
        editable=programme.get("status") in EDITABLE
        and bool(mine and mine.get("participation") == "confirmed"),
        errors=errors or {},
    ), status


@blp.get("/<string:programme_id>")
@signed_in
def show(programme_id: str) -> Any:
    return _page(programme_id)


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
        return _page(programme_id, errors, 422 if error.status == 422 else error.status)
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
        return _page(programme_id, errors, 422)
    try:
        assigned = ReviewsApiClient(api()).assign(programme_id, person_id)
    except ApiError as error:
        if error.status not in ACTION_REFUSED:
            raise
        errors = {"reviewer_person_id": [error.message]}
        if error.status == 422:
            errors = {k: v for k, v in error.field_errors().items() if k == "reviewer_person_id"}
            errors = errors or {"reviewer_person_id": [error.message]}
        return _page(programme_id, errors, 422 if error.status == 422 else error.status)
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
        errors = screening_form.refused_fields(error)
        return _page(programme_id, errors, 422 if error.status == 422 else error.status)
    flash(_("Your side's screening is recorded."), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id), code=303)


@blp.get("/<string:programme_id>/history")
@signed_in
def history(programme_id: str) -> Any:
    client = api()
    programme = ProgrammesApiClient(client).get(programme_id)
    names = Names(client, {p["organisation_id"]: p for p in programme.get("partners") or []})
    entries = [
        {**entry, "who": actor_of(entry, names)}
        for entry in ProgrammesApiClient(client).history(programme_id)
    ]
    return render_template("programmes/history.html", programme=programme, entries=entries)


def _form(
    programme: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
) -> Any:
    return _render_form(programme, values, errors, request.form.get("etag"), status)


def open_calls(client: ApiClient, chosen: str | None) -> list[dict[str, Any]]:
    """The calls a programme may answer (the open ones), and the one it answers now."""
    try:
        calls = CallsApiClient(client).page(status="open", page_size=100)["items"]
    except ApiError as error:
        if error.status not in (403, 404):
            raise
        calls = []
    if chosen and chosen not in {c["id"] for c in calls}:
        answered = _call_of({"call_id": chosen}, client)
        if answered is not None:
            calls.append(answered)
    return calls


def _render_form(
    programme: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    etag: str | None,
    status: int = 200,
) -> Any:
    client = api()
    organisations, calls = client.at_once(
        [
            OrganisationsApiClient(client).all,
            functools.partial(open_calls, client, values.get("call_id")),
        ]
    )
    return render_template(
        "programmes/form.html",
        programme=programme,
        values=values,
        rows=programme_form.rows(values),
        organisations=sorted(organisations, key=lambda o: o.get("name") or ""),
        calls=calls,
        focus_areas=FOCUS_AREAS,
        errors=errors,
        etag=etag,
    ), status


@blp.route("/new", methods=["GET", "POST"])
@signed_in
def create() -> Any:
    if request.method == "GET":
        call_id = (request.args.get("call_id") or "").strip()[:36] or None
        values = programme_form.values_of(None, me().get("organisation_id"), call_id)
        return _form(None, values, {})
    body = programme_form.body_of(request.form)
    sent = {k: v for k, v in body.items() if not (k == "call_id" and v is None)}
    try:
        created = ProgrammesApiClient(api()).create(sent)
    except ApiError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return _form(None, body, error.field_errors() or {"_schema": [error.message]}, 422)
    flash(_("Programme %(reference)s created.", reference=created.get("reference")), "success")
    return redirect(url_for("programmes.show", programme_id=created["id"]), code=303)


@blp.route("/<string:programme_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(programme_id: str) -> Any:
    client = ProgrammesApiClient(api())
    if request.method == "GET":
        programme, etag = client.get_with_etag(programme_id)
        return _render_form(programme, programme_form.values_of(programme, None), {}, etag)
    body = programme_form.body_of(request.form)
    try:
        client.update(programme_id, body, request.form.get("etag"))
    except ApiError as error:
        if error.status not in (400, 403, 409, 412, 422):
            raise
        programme = client.get(programme_id)
        message = (
            _("Someone else changed this programme since you opened it. Check it and try again.")
            if error.status == 412
            else error.message
        )
        return _form(programme, body, error.field_errors() or {"_schema": [message]}, 422)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id), code=303)
