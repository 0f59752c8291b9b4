"""People of the signed-in person's organisation: the list, an invitation, deactivation
(after a confirmation: it ends every session at once and erases the person's data) and
signing a person out everywhere. What each button may do is the API's allowed_actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console.api_client.base import ApiError
from console.api_client.people_api_client import PeopleApiClient
from console.signed_in import api, me, signed_in
from console.translations import LANGUAGES
from console.translations import gettext as _

blp = Blueprint("people", __name__, url_prefix="/console/people")

# The roles a person may hold in each kind of organisation (PRODUCT.md, People): the form
# offers these; the API decides.
ROLES_OF_KIND = {"secretariat": ("secretariat", "auditor"), "expert_panel": ("reviewer",)}


def _organisation() -> str:
    organisation_id = me().get("organisation_id")
    if not organisation_id:
        abort(404)
    return organisation_id


def _list(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
    people = PeopleApiClient(api()).page(_organisation())
    return render_template(
        "people/index.html",
        people=people,
        values=values,
        errors=errors,
        roles=ROLES_OF_KIND.get(me().get("kind") or "", ("partner",)),
        languages=LANGUAGES,
    ), code


@blp.get("/")
@signed_in
def index() -> Any:
    return _list({}, {})


@blp.post("/")
@signed_in
def invite() -> Any:
    fields = {
        "name": (request.form.get("name") or "").strip(),
        "email": (request.form.get("email") or "").strip(),
        "role": request.form.get("role") or "",
        "language": request.form.get("language") or "en",
    }
    try:
        made = PeopleApiClient(api()).invite(_organisation(), fields)
    except ApiError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return _list(fields, error.field_errors() or {"_schema": [error.message]}, 422)
    flash(_("%(name)s is invited: an email with a sign-in link is on its way.", name=made["name"]))
    return redirect(url_for("people.index"), code=303)


@blp.route("/<string:person_id>/deactivate", methods=["GET", "POST"])
@signed_in
def deactivate(person_id: str) -> Any:
    client = PeopleApiClient(api())
    person = client.get(person_id)
    if request.method == "GET":
        return render_template("people/deactivate.html", person=person, errors={})
    if request.form.get("confirm") != "yes":
        errors = {"confirm": [_("Confirm that this person is to be deactivated.")]}
        return render_template("people/deactivate.html", person=person, errors=errors), 422
    client.deactivate(person_id)
    flash(_("%(name)s is deactivated and signed out everywhere.", name=person.get("name")))
    return redirect(url_for("people.index"), code=303)


@blp.post("/<string:person_id>/sessions")
@signed_in
def end_sessions(person_id: str) -> Any:
    PeopleApiClient(api()).end_sessions(person_id)
    flash(_("Every session of this person has ended."))
    return redirect(url_for("people.index"), code=303)
