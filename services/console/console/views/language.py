"""The language chooser of every page: the choice is kept for this browser's session."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from console.signed_in import safe_next
from console.translations import LANGUAGES

blp = Blueprint("language", __name__, url_prefix="/console")


@blp.post("/language")
def choose() -> ResponseReturnValue:
    chosen = request.form.get("language")
    if chosen in LANGUAGES:
        session["language"] = chosen
    back = safe_next(request.form.get("next")) or url_for("my_work.index")
    return redirect(back, code=303)
