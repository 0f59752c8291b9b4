"""API keys of the signed-in person's organisation: the list, a new key (its secret shown
on the answer to the POST, once, never kept in a cookie) and revocation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console.api_client.base import ApiError
from console.api_client.keys_api_client import KeysApiClient
from console.signed_in import api, me, signed_in
from console.translations import gettext as _
from console.views.people import ROLES_OF_KIND

blp = Blueprint("keys", __name__, url_prefix="/console/api-keys")


def _organisation() -> str:
    organisation_id = me().get("organisation_id")
    if not organisation_id:
        abort(404)
    return organisation_id


def _index(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
    return render_template(
        "keys/index.html",
        keys=KeysApiClient(api()).page(_organisation()),
        values=values,
        errors=errors,
        roles=ROLES_OF_KIND.get(me().get("kind") or "", ("partner",)),
    ), code


@blp.get("/")
@signed_in
def index() -> Any:
    return _index({}, {})


@blp.post("/")
@signed_in
def issue() -> Any:
    fields = {"name": (request.form.get("name") or "").strip(), "role": request.form.get("role")}
    try:
        made = KeysApiClient(api()).issue(_organisation(), fields)
    except ApiError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return _index(fields, error.field_errors() or {"_schema": [error.message]}, 422)
    return render_template("keys/issued.html", key=made)


@blp.post("/<string:key_id>/revoke")
@signed_in
def revoke(key_id: str) -> Any:
    KeysApiClient(api()).revoke(key_id)
    flash(_("The key is revoked: it is refused from its next request."), "success")
    return redirect(url_for("keys.index"), code=303)
