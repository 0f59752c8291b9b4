"""Calls for proposals: list, page (with the programmes answering it), create and edit
while draft (the secretariat), their actions, and the ranking with the envelope line."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console import call_form
from console.api_client.base import ApiError
from console.api_client.calls_api_client import CallsApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.formatting import word
from console.paging import page_number, pages_of
from console.signed_in import api, me, signed_in
from console.translations import gettext as _
from console.vocabulary import CALL_ACTIONS, FOCUS_AREAS, ORGANISATION_KINDS

blp = Blueprint("calls", __name__, url_prefix="/console/calls")

PAGE_SIZE = 20
CURRENCIES = ("JPY", "INR")
# What a refused action or form answers with: the page is shown again with the message.
REFUSED = (400, 403, 409, 412, 422)
READERS_OF_RANKINGS = ("secretariat", "auditor")


@blp.get("/")
@signed_in
def index() -> Any:
    number = page_number()
    answer = CallsApiClient(api()).page(page=number, page_size=PAGE_SIZE)
    pages = pages_of(answer["total"], PAGE_SIZE)
    return render_template("calls/index.html", answer=answer, page=number, pages=pages)


def _page(call_id: str, errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    client = api()
    call, programmes = client.at_once(
        [
            lambda: CallsApiClient(client).get(call_id),
            lambda: ProgrammesApiClient(client).page(call_id=call_id, page_size=100),
        ]
    )
    return render_template(
        "calls/show.html",
        call=call,
        programmes=programmes,
        actions=[a for a in call.get("allowed_actions") or [] if a in CALL_ACTIONS],
        ranking_readable=me().get("role") in READERS_OF_RANKINGS,
        errors=errors or {},
    ), status


@blp.get("/<string:call_id>")
@signed_in
def show(call_id: str) -> Any:
    return _page(call_id)


@blp.post("/<string:call_id>/actions")
@signed_in
def act(call_id: str) -> Any:
    action = request.form.get("action") or ""
    try:
        moved = CallsApiClient(api()).transition(call_id, action)
    except ApiError as error:
        if error.status not in REFUSED:
            raise
        errors = error.field_errors()
        errors.setdefault("action", [error.message])
        return _page(call_id, errors, 422 if error.status == 422 else error.status)
    flash(
        _(
            "%(action)s: done. The call is now: %(status)s.",
            action=_(CALL_ACTIONS.get(action, action)),
            status=word((moved or {}).get("status")),
        ),
        "success",
    )
    return redirect(url_for("calls.show", call_id=call_id), code=303)


def _form(
    call: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    etag: str | None,
    status: int = 200,
) -> Any:
    return render_template(
        "calls/form.html",
        call=call,
        values=values,
        criteria=call_form.criterion_rows(values),
        focus_areas=FOCUS_AREAS,
        kinds=[k for k in ORGANISATION_KINDS if k in call_form.ORGANISATION_KINDS],
        time_zones=call_form.TIME_ZONES,
        currencies=CURRENCIES,
        errors=errors,
        etag=etag,
    ), status


@blp.route("/new", methods=["GET", "POST"])
@signed_in
def create() -> Any:
    if request.method == "GET":
        return _form(None, call_form.values_of(None), {}, None)
    body = call_form.body_of(request.form)
    sent = {k: v for k, v in body.items() if v is not None}
    try:
        created = CallsApiClient(api()).create(sent)
    except ApiError as error:
        if error.status not in REFUSED:
            raise
        errors = error.field_errors() or {"_schema": [error.message]}
        return _form(None, call_form.entered(body), errors, None, 422)
    flash(_("The call “%(title)s” is saved as a draft.", title=created.get("title")), "success")
    return redirect(url_for("calls.show", call_id=created["id"]), code=303)


@blp.route("/<string:call_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(call_id: str) -> Any:
    client = CallsApiClient(api())
    if request.method == "GET":
        call, etag = client.get_with_etag(call_id)
        return _form(call, call_form.values_of(call), {}, etag)
    body = call_form.body_of(request.form)
    try:
        client.update(call_id, body, request.form.get("etag"))
    except ApiError as error:
        if error.status not in REFUSED:
            raise
        call = client.get(call_id)
        message = (
            _("Someone else changed this call since you opened it. Check it and try again.")
            if error.status == 412
            else error.message
        )
        errors = error.field_errors() if error.status == 422 else {}
        errors = errors or {"_schema": [message]}
        # The version it was opened at goes back with the form, as a programme's does: a
        # save after the correction still says which version it changes.
        etag = request.form.get("etag")
        return _form(call, {**call, **call_form.entered(body)}, errors, etag, 422)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("calls.show", call_id=call_id), code=303)


def envelope_lines(ranking: dict[str, Any]) -> dict[int, list[str]]:
    """Where the envelope runs out, by the rank after which its line is drawn (0: before the
    first row), with the currencies whose envelope it is; none when every proposal fits."""
    proposals = ranking.get("proposals") or []
    lines: dict[int, list[str]] = {}
    for currency in CURRENCIES:
        last = (ranking.get("envelope_line") or {}).get(currency) or 0
        if last < len(proposals):
            lines.setdefault(last, []).append(currency)
    return lines


@blp.get("/<string:call_id>/ranking")
@signed_in
def ranking(call_id: str) -> Any:
    client = api()
    call, ranked = client.at_once(
        [
            lambda: CallsApiClient(client).get(call_id),
            lambda: CallsApiClient(client).ranking(call_id),
        ]
    )
    return render_template(
        "calls/ranking.html",
        call=call,
        ranking=ranked,
        lines=envelope_lines(ranked),
        currencies=CURRENCIES,
    )
