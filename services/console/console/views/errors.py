"""Pages for what went wrong, in the person's language, each saying what to do next.

The API's answers map to pages in one place: 401 forgets the session and asks the person to
sign in again (and brings them back here after), 403 and 404 say the page is not theirs or
not there, 429 says when to try again, anything the API could not answer is a 503.
"""

from __future__ import annotations

import logging

from flask import Flask, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from console.api_client.base import ApiError
from console.signed_in import forget, sign_in_redirect
from console.translations import gettext as _

log = logging.getLogger("console.errors")


def page(status: int, retry_after: str | None = None) -> tuple[str, int]:
    return render_template("error.html", status=status, retry_after=retry_after), status


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> ResponseReturnValue:
        if error.status == 401:
            forget()
            flash(_("Your session has ended. Sign in again to carry on."), "info")
            return sign_in_redirect()
        if error.status in (403, 404, 429):
            return page(error.status, error.retry_after)
        if error.status >= 500:
            return page(503)
        # A 4xx a view did not expect: say so plainly rather than fail.
        log.warning("the API answered %s to %s %s", error.status, request.method, request.path)
        return page(400)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> ResponseReturnValue:
        return page(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        return page(status if status in (400, 403, 404, 405, 413, 429) else 500)

    @app.errorhandler(Exception)
    def unexpected(_error: Exception) -> ResponseReturnValue:
        log.exception("the console failed on %s %s", request.method, request.path)
        return page(500)
