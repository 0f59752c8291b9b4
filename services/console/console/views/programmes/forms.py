"""The programme form: create a programme and edit one."""

from __future__ import annotations

import functools
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from console import programme_form
from console.api_client.base import ApiClient, ApiError
from console.api_client.calls_api_client import CallsApiClient
from console.api_client.organisations_api_client import OrganisationsApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.signed_in import api, me, signed_in
from console.translations import gettext as _
from console.views.programmes.pages import blp, call_of
from console.vocabulary import FOCUS_AREAS


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
        answered = call_of({"call_id": chosen}, client)
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
