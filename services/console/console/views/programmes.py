"""Programmes: list with filters and search, page, create, edit, actions, participation,
approvals of both sides, exchange slots and history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console import programme_form, screening_form
from console.actors import Names, actor_of
from console.api_client.applications_api_client import ApplicationsApiClient
from console.api_client.base import ApiClient, ApiError
from console.api_client.organisations_api_client import OrganisationsApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.formatting import word
from console.signed_in import api, me, signed_in
from console.translations import gettext as _
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


def _int(value: str | None, default: int = 1) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else default


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
    page_number = _int(request.args.get("page"))
    answer = ProgrammesApiClient(api()).page(page=page_number, page_size=PAGE_SIZE, **filters)
    pages = max(1, -(-answer["total"] // PAGE_SIZE))
    return render_template(
        "programmes/index.html",
        answer=answer,
        filters=filters,
        page=page_number,
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


def slots_of(programme: dict[str, Any], client: ApiClient) -> dict[str, int] | None:
    """Exchange slots used, free and waitlisted, from the applications the API shows."""
    if programme.get("status") not in SLOT_STATUSES:
        return None
    items = ApplicationsApiClient(client).page(programme_id=programme["id"], page_size=100)
    statuses = [item.get("status") for item in items["items"]]
    used = statuses.count("accepted")
    return {
        "total": programme.get("exchange_slots") or 0,
        "used": used,
        "free": max(0, (programme.get("exchange_slots") or 0) - used),
        "waitlisted": statuses.count("waitlisted"),
    }


def _page(programme_id: str, errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    client = api()
    programme = ProgrammesApiClient(client).get(programme_id)
    partners = {p["organisation_id"]: p for p in programme.get("partners") or []}
    names = Names(client, {k: {"id": k, **v} for k, v in partners.items()})
    approvals = None
    if programme.get("approvals") or programme.get("status") == "under_review":
        history = ProgrammesApiClient(client).history(programme_id)
        approvals = approvals_of(programme, history, names)
    mine = partners.get(me().get("organisation_id") or "")
    role, side = me().get("role"), me().get("side")
    screenings = None
    if role in ("secretariat", "auditor") and programme.get("screening") in SCREENED:
        screenings = ScreeningsApiClient(client).of_programme(programme_id)
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
        slots=slots_of(programme, client),
        editable=programme.get("status") in EDITABLE
        and bool(mine and mine.get("participation") == "confirmed"),
        errors=errors or {},
    ), status


@blp.get("/<string:programme_id>")
@signed_in
def show(programme_id: str) -> Any:
    return _page(programme_id)


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
        # A refusal other than a field's (409: not now, held by a screening...) carries
        # details for programs (allowed actions, missing screenings), not fields: its message
        # says it all.
        errors = error.field_errors() if error.status == 422 else {}
        errors.setdefault("action", [error.message])
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
        errors = {"screening": [error.message]}
        if error.status == 422:
            errors = screening_form.form_errors(error.field_errors()) or errors
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
    organisations = OrganisationsApiClient(api()).all()
    return render_template(
        "programmes/form.html",
        programme=programme,
        values=values,
        rows=programme_form.rows(values),
        organisations=sorted(organisations, key=lambda o: o.get("name") or ""),
        focus_areas=FOCUS_AREAS,
        errors=errors,
        etag=request.form.get("etag"),
    ), status


@blp.route("/new", methods=["GET", "POST"])
@signed_in
def create() -> Any:
    if request.method == "GET":
        return _form(None, programme_form.values_of(None, me().get("organisation_id")), {})
    body = programme_form.body_of(request.form)
    try:
        created = ProgrammesApiClient(api()).create(body)
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
        values = programme_form.values_of(programme, None)
        organisations = OrganisationsApiClient(api()).all()
        return render_template(
            "programmes/form.html",
            programme=programme,
            values=values,
            rows=programme_form.rows(values),
            organisations=sorted(organisations, key=lambda o: o.get("name") or ""),
            focus_areas=FOCUS_AREAS,
            errors={},
            etag=etag,
        )
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
