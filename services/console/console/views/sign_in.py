"""Sign in by a link sent by email, then TOTP where the role needs it; sign out.

The link's page shows a button that POSTs: a mail scanner that follows links does not use
up the link. `next` (kept in the session from the page that asked for sign-in) brings the
person back where they were.
"""

from __future__ import annotations

import base64
import contextlib
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from console.api_client.base import ApiError
from console.api_client.sessions_api_client import SessionsApiClient
from console.signed_in import ACTIVE, api, forget, keep_who, remember, safe_next
from console.translations import gettext as _

blp = Blueprint("sign_in", __name__, url_prefix="/console")

LINK_REFUSED = (400, 401, 404, 410, 422)


def sessions(token: str | None = None) -> SessionsApiClient:
    return SessionsApiClient(api(token))


@blp.route("/sign-in", methods=["GET", "POST"])
def start() -> Any:
    if request.method == "GET":
        wanted = safe_next(request.args.get("next"))
        if wanted:
            session["next"] = wanted
        return render_template("sign_in/start.html", errors={}, email="")
    email = (request.form.get("email") or "").strip()
    try:
        sessions(token="").send_link(email, session.get("next"))
    except ApiError as error:
        if error.status != 422:
            raise
        errors = error.field_errors() or {"email": [error.message]}
        return render_template("sign_in/start.html", errors=errors, email=email), 422
    return redirect(url_for("sign_in.check_email"), code=303)


@blp.get("/check-your-email")
def check_email() -> Any:
    return render_template("sign_in/check_email.html")


@blp.get("/sign-in/<string:link_token>")
def link(link_token: str) -> Any:
    return render_template("sign_in/link.html", link_token=link_token)


@blp.post("/sign-in/<string:link_token>")
def use_link(link_token: str) -> Any:
    try:
        opened = sessions(token="").open(link_token)
    except ApiError as error:
        if error.status not in LINK_REFUSED:
            raise
        return render_template("sign_in/link_refused.html"), error.status
    remember(opened["session"], opened.get("state") or ACTIVE, {"person": opened.get("person")})
    # The API may carry the page the person asked for in the link; it wins over this
    # browser's memory of it (the link may be opened in another browser).
    wanted = safe_next(opened.get("next"))
    if wanted:
        session["next"] = wanted
    return after_step()


def after_step() -> Any:
    """Where a session goes next: its second step, or back to the page asked for."""
    state = session.get("state")
    if state == "totp_enrolment_required":
        return redirect(url_for("sign_in.enrol"), code=303)
    if state == "totp_required":
        return redirect(url_for("sign_in.code"), code=303)
    keep_who(sessions().me())
    return redirect(safe_next(session.pop("next", None)) or url_for("my_work.index"), code=303)


@blp.get("/two-factor")
def second_step() -> Any:
    if not session.get("token"):
        return redirect(url_for("sign_in.start"))
    return after_step()


@blp.route("/two-factor/code", methods=["GET", "POST"])
def code() -> Any:
    if not session.get("token"):
        return redirect(url_for("sign_in.start"))
    if request.method == "GET":
        return render_template("sign_in/code.html", errors={})
    entered = (request.form.get("code") or "").strip()
    recovery = (request.form.get("recovery_code") or "").strip()
    try:
        sessions().verify_totp(code=entered or None, recovery_code=recovery or None)
    except ApiError as error:
        if error.status not in (400, 401, 403, 422, 423, 429):
            raise
        if error.status == 401:
            forget()
            return redirect(url_for("sign_in.start"))
        field = "recovery_code" if recovery else "code"
        return render_template("sign_in/code.html", errors={field: [error.message]}), 422
    session["state"] = ACTIVE
    return after_step()


@blp.route("/two-factor/set-up", methods=["GET", "POST"])
def enrol() -> Any:
    if not session.get("token"):
        return redirect(url_for("sign_in.start"))
    if request.method == "GET":
        enrolment = sessions().start_totp_enrolment()
        return render_template("sign_in/enrol.html", errors={}, **_enrolment_view(enrolment))
    try:
        confirmed = sessions().confirm_totp_enrolment((request.form.get("code") or "").strip())
    except ApiError as error:
        if error.status not in (400, 422, 423, 429):
            raise
        flash(error.message, "error")
        return redirect(url_for("sign_in.enrol"), code=303)
    session["state"] = ACTIVE
    # Shown once, in the answer to the POST: recovery codes are never kept in a cookie.
    return render_template(
        "sign_in/recovery_codes.html", codes=confirmed.get("recovery_codes") or []
    )


def _enrolment_view(enrolment: dict[str, Any]) -> dict[str, Any]:
    svg = (enrolment.get("qr_svg") or "").encode()
    return {
        "secret": enrolment.get("secret") or "",
        "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
    }


@blp.post("/sign-out")
def sign_out() -> Any:
    if session.get("token"):
        # Ended already, or the API is away: this browser forgets it either way.
        with contextlib.suppress(ApiError):
            sessions().end()
    forget()
    flash(_("You have signed out."), "info")
    return redirect(url_for("sign_in.start"), code=303)
