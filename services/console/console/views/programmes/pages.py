"""The programme's pages: the list with filters and search, a programme's page (its
approvals of both sides, exchange slots, call, reviews and screenings) and its history.

The blueprint is made here; ``actions`` and ``forms`` add their routes to it.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, render_template, request

from console import screening_form
from console.actors import Names, actor_of
from console.api_client.applications_api_client import ApplicationsApiClient
from console.api_client.base import ApiClient, ApiError
from console.api_client.calls_api_client import CallsApiClient
from console.api_client.organisations_api_client import OrganisationsApiClient
from console.api_client.people_api_client import PeopleApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.api_client.reviews_api_client import ReviewsApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.paging import page_number, pages_of
from console.signed_in import api, me, signed_in
from console.views.reviews import weighted_mean
from console.vocabulary import FOCUS_AREAS, STATUSES
from setu_contract.vocabulary import PROGRAMME_STATUSES

blp = Blueprint("programmes", __name__, url_prefix="/console/programmes")

PAGE_SIZE = 20
SIDES = ("JP", "IN")
SLOT_STATUSES = ("approved", "active", "completed")
EDITABLE = ("draft", "changes_requested")
# A programme that needs export-control screening shows one of these (else not_required).
SCREENED = ("pending", "complete")


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


def call_of(programme: dict[str, Any], client: ApiClient) -> dict[str, Any] | None:
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


def programme_page(
    programme_id: str, errors: dict[str, list[str]] | None = None, status: int = 200
) -> Any:
    """The programme's page; shown again with ``errors`` and ``status`` when an action
    from it (``actions``) is refused."""
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
        reads["call"] = functools.partial(call_of, programme, client)
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
    return programme_page(programme_id)


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
