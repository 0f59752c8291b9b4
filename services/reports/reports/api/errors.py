"""The one Api subclass: every error, expected or not, answers {code, status, message, errors?}."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    UnsupportedMediaType,
    default_exceptions,
)

from reports.domain.errors import (
    NotFound,
    RecipientsRefused,
    ReportNotReady,
    ReportsError,
    StaleVersion,
)
from setu_contract.database import RETRY_AFTER_UNAVAILABLE, database_unavailable
from setu_contract.http import ErrorSchema

log = logging.getLogger(__name__)

BODY_METHODS = ("POST", "PUT", "PATCH")

# The one place domain errors become HTTP statuses (first match wins).
DOMAIN_STATUS: tuple[tuple[type[ReportsError], int], ...] = (
    (NotFound, 404),
    (ReportNotReady, 409),
    (StaleVersion, 412),
    (RecipientsRefused, 422),
    (ReportsError, 409),
)


class ReportsApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        super().init_app(app, *args, **kwargs)
        app.register_error_handler(Exception, self.handle_unexpected)
        app.register_error_handler(ReportsError, self.handle_domain_error)
        app.before_request(require_json_body)

    def handle_http_exception(self, error: HTTPException):
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description or error.name)
        errors = payload.get("errors")
        if code == 400 and errors:
            payload["message"] = "The request body is not valid JSON."
            payload.pop("errors")
        elif isinstance(errors, dict) and set(errors) == {"json"}:
            # Field by field: {"period": {"end": [...]}} rather than {"json": {...}}.
            payload["errors"] = errors["json"]
        return payload, code, headers

    def handle_domain_error(self, error: ReportsError):
        code = next(c for kind, c in DOMAIN_STATUS if isinstance(error, kind))
        http_error = default_exceptions[code](str(error))
        payload, code, headers = self.handle_http_exception(http_error)
        errors = getattr(error, "errors", None)
        if errors:
            payload["errors"] = errors
        return payload, code, headers

    def handle_unexpected(self, error: Exception):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        if database_unavailable(error):
            log.warning("database unavailable: %r", error)
            payload, code, headers = self.handle_http_exception(
                ServiceUnavailable("The database is busy or unavailable; retry shortly.")
            )
            return payload, code, {**(headers or {}), "Retry-After": str(RETRY_AFTER_UNAVAILABLE)}
        log.exception("unexpected error")
        return self.handle_http_exception(InternalServerError())


def require_json_body() -> None:
    """A body that is not JSON is refused with 415 before any view runs."""
    if request.method in BODY_METHODS and not request.is_json:
        has_body = request.content_length or request.headers.get("Transfer-Encoding")
        if has_body or request.mimetype:
            raise UnsupportedMediaType("Send the body as application/json.")
