"""A body that is not JSON is refused with 415 before any view runs."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

BODY_METHODS = ("POST", "PUT", "PATCH")


def require_json_body() -> None:
    """before_request of the app: a body sent with a write must say it is JSON (415)."""
    if request.method in BODY_METHODS and not request.is_json:
        has_body = request.content_length or request.headers.get("Transfer-Encoding")
        if has_body or request.mimetype:
            raise UnsupportedMediaType("Send the body as application/json.")
