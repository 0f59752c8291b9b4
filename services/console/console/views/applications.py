"""Talent-exchange applications: list, page, create (the programme first, then the form),
actions, and erasure of the applicant's personal data after a confirmation."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console import screening_form
from console.actors import Names, actor_of
from console.api_client.applications_api_client import ApplicationsApiClient
from console.api_client.base import ApiClient, ApiError
from console.api_client.mobility_api_client import MobilityApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.formatting import word
from console.paging import page_number, pages_of
from console.signed_in import api, me, signed_in
from console.translations import LANGUAGES
from console.translations import gettext as _
from console.views.programmes.pages import SCREENED
from console.vocabulary import STATUSES
from setu_contract.vocabulary import CAREER_STAGES

blp = Blueprint("applications", __name__, url_prefix="/console/applications")

PAGE_SIZE = 20
ACTION_REFUSED = (400, 403, 409, 422)


@blp.get("/")
@signed_in
def index() -> Any:
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    page = page_number()
    answer = ApplicationsApiClient(api()).page(page=page, page_size=PAGE_SIZE, status=status)
    pages = pages_of(answer["total"], PAGE_SIZE)
    return render_template(
        "applications/index.html", answer=answer, status=status, page=page, pages=pages
    )


# The side that hosts an exchange, by its direction: it screens the person.
HOST_SIDE = {"JP_TO_IN": "IN", "IN_TO_JP": "JP"}


def _person_screening(
    application: dict[str, Any], programme: dict[str, Any] | None, client: ApiClient
) -> dict[str, Any] | None:
    """For the secretariat and auditors (who are shown the ``programme``), when the
    exchange's programme is screened: the host side, its current screening of the person,
    and whether the caller may record one."""
    if programme is None or programme.get("screening") not in SCREENED:
        return None
    host = HOST_SIDE.get(application.get("direction") or "", "")
    screenings = ScreeningsApiClient(client).of_application(application["id"])
    return {
        "side": host,
        "current": screening_form.current(screenings).get(host),
        "may_record": me().get("role") == "secretariat" and me().get("side") == host,
    }


def application_page(
    application_id: str,
    errors: dict[str, list[str]] | None = None,
    code: int = 200,
    mobility_errors: dict[str, dict[str, list[str]]] | None = None,
) -> Any:
    """The application's page: its history, its mobility checklist once accepted
    (``mobility_errors``: the API's refusal of an item's change, by item) and, for the
    secretariat and auditors, the export-control screening of its person."""
    client = api()
    applications = ApplicationsApiClient(client)
    application = applications.get(application_id)
    names = Names(client)
    # The rest of the page at once, not one read after another.
    reads: list[Any] = [
        functools.partial(applications.history, application_id),
        functools.partial(MobilityApiClient(client).checklist, application),
    ]
    if me().get("role") in ("secretariat", "auditor"):
        reads.append(
            functools.partial(ProgrammesApiClient(client).get, application["programme_id"])
        )
    entries, mobility, *programme = client.at_once(reads)
    history = [{**entry, "who": actor_of(entry, names)} for entry in entries]
    if mobility:
        for item in mobility["items"]:
            item["who"] = actor_of({"actor": item["set_by"]}, names) if item["set_by"] else None
    person = _person_screening(application, programme[0] if programme else None, client)
    summary, labels = _mobility_summary(mobility_errors or {})
    return render_template(
        "applications/show.html",
        application=application,
        history=history,
        errors={**(errors or {}), **summary},
        summary_labels={"comment": ("comment", _("Comment")), **labels},
        mobility=mobility,
        mobility_errors=mobility_errors or {},
        person=person,
        screening_values=request.form if request.method == "POST" else {},
        regime=screening_form.REGIME,
        authority=screening_form.AUTHORITY,
        outcomes=screening_form.OUTCOMES,
        bases=screening_form.BASES,
    ), code


def _mobility_summary(
    by_item: dict[str, dict[str, list[str]]],
) -> tuple[dict[str, list[str]], dict[str, tuple[str, str]]]:
    """An item's refused change for the page's error summary: each message linked to its
    field in the item's form."""
    errors: dict[str, list[str]] = {}
    labels: dict[str, tuple[str, str]] = {}
    names = {"status": _("Status"), "date": _("Date")}
    for item, fields in by_item.items():
        for field, messages in fields.items():
            if field == "_values":
                continue
            key = f"mobility_{item}_{field}"
            errors[key] = messages
            label = f"{word(item)}: {names.get(field, field)}"
            labels[key] = (f"mobility-{item}-{field if field in names else 'status'}", label)
    return errors, labels


@blp.post("/<string:application_id>/screenings")
@signed_in
def screen(application_id: str) -> Any:
    """The host side's secretariat records its screening of the exchange's person."""
    body = screening_form.body_of(request.form, me().get("side") or "")
    try:
        ScreeningsApiClient(api()).record_person(application_id, body)
    except ApiError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        errors = screening_form.refused_fields(error, request.form)
        return application_page(
            application_id, errors, 422 if error.status == 422 else error.status
        )
    flash(_("Your side's screening is recorded."), "success")
    return redirect(url_for("applications.show", application_id=application_id), code=303)


@blp.get("/<string:application_id>")
@signed_in
def show(application_id: str) -> Any:
    return application_page(application_id)


@blp.post("/<string:application_id>/actions")
@signed_in
def act(application_id: str) -> Any:
    action = request.form.get("action") or ""
    comment = (request.form.get("comment") or "").strip() or None
    try:
        moved = ApplicationsApiClient(api()).transition(application_id, action, comment)
    except ApiError as error:
        if error.status not in ACTION_REFUSED:
            raise
        # A refusal other than a field's (409: no slot, held by a screening...) carries
        # details for programs, not fields: its message says it all.
        errors = error.field_errors() if error.status == 422 else {}
        errors.setdefault(
            "action", [screening_form.refusal(error.errors, person=True) or error.message]
        )
        return application_page(application_id, errors, error.status)
    status = word((moved or {}).get("status"))
    flash(
        _(
            "%(action)s: done. The application is now: %(status)s.",
            action=word(action),
            status=status,
        ),
        "success",
    )
    return redirect(url_for("applications.show", application_id=application_id), code=303)


@blp.route("/<string:application_id>/erase", methods=["GET", "POST"])
@signed_in
def erase(application_id: str) -> Any:
    client = ApplicationsApiClient(api())
    application = client.get(application_id)
    if request.method == "GET":
        return render_template("applications/erase.html", application=application, errors={})
    if request.form.get("confirm") != "yes":
        errors = {"confirm": [_("Confirm that the personal data is to be erased for good.")]}
        return render_template(
            "applications/erase.html", application=application, errors=errors
        ), 422
    client.erase_personal_data(application_id)
    flash(_("The applicant's personal data is erased."), "success")
    return redirect(url_for("applications.show", application_id=application_id), code=303)


def _open_programmes() -> list[dict[str, Any]]:
    client = ProgrammesApiClient(api())
    found = []
    for status in ("approved", "active"):
        found.extend(client.page(status=status, page_size=100)["items"])
    return found


def _body(form: Any) -> dict[str, Any]:
    return {
        "programme_id": form.get("programme_id") or "",
        "applicant": {
            "full_name": (form.get("applicant.full_name") or "").strip(),
            "email": (form.get("applicant.email") or "").strip(),
            "nationality": (form.get("applicant.nationality") or "").strip().upper(),
            "preferred_language": form.get("applicant.preferred_language") or "en",
        },
        "career_stage": form.get("career_stage") or "",
        "home_organisation_id": me().get("organisation_id") or "",
        "host_organisation_id": form.get("host_organisation_id") or "",
        "start_date": form.get("start_date") or "",
        "end_date": form.get("end_date") or "",
        "statement": (form.get("statement") or "").strip(),
    }


# What the home organisation may change in a draft (the API's ApplicationUpdateSchema).
EDITABLE_FIELDS = (
    "applicant",
    "career_stage",
    "host_organisation_id",
    "start_date",
    "end_date",
    "statement",
)


@blp.route("/<string:application_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(application_id: str) -> Any:
    client = ApplicationsApiClient(api())
    application, etag = client.get_with_etag(application_id)
    programme = ProgrammesApiClient(api()).get(application["programme_id"])
    own = me().get("organisation_id")
    hosts = [p for p in programme.get("partners") or [] if p["organisation_id"] != own]

    def form(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
        return render_template(
            "applications/form.html",
            programme=programme,
            application=application,
            hosts=hosts,
            values=values,
            errors=errors,
            career_stages=CAREER_STAGES,
            languages=LANGUAGES,
            etag=request.form.get("etag") or etag,
        ), code

    if request.method == "GET":
        return form({**application, "applicant": application.get("applicant") or {}}, {})
    body = _body(request.form)
    changes = {name: body[name] for name in EDITABLE_FIELDS}
    try:
        client.update(application_id, changes, request.form.get("etag"))
    except ApiError as error:
        if error.status not in (400, 403, 409, 412, 422):
            raise
        return form(body, error.field_errors() or {"_schema": [error.message]}, 422)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("applications.show", application_id=application_id), code=303)


@blp.route("/new", methods=["GET", "POST"])
@signed_in
def create() -> Any:
    programme_id = request.values.get("programme_id")
    if not programme_id:
        return render_template("applications/choose_programme.html", programmes=_open_programmes())
    programme = ProgrammesApiClient(api()).get(programme_id)
    own = me().get("organisation_id")
    hosts = [p for p in programme.get("partners") or [] if p["organisation_id"] != own]

    def form(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
        return render_template(
            "applications/form.html",
            programme=programme,
            hosts=hosts,
            values=values,
            errors=errors,
            career_stages=CAREER_STAGES,
            languages=LANGUAGES,
        ), code

    if request.method == "GET":
        return form({"programme_id": programme_id, "applicant": {}}, {})
    body = _body(request.form)
    try:
        created = ApplicationsApiClient(api()).create(body)
    except ApiError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return form(body, error.field_errors() or {"_schema": [error.message]}, 422)
    flash(_("Application %(reference)s created.", reference=created.get("reference")), "success")
    return redirect(url_for("applications.show", application_id=created["id"]), code=303)
