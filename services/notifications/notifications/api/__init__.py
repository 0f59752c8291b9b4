"""The HTTP layer: one Api subclass (the single JSON error shape) and the blueprints."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask_smorest import Api
from flask_smorest import abort as smorest_abort
from sqlalchemy.orm import Session
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    default_exceptions,
)

from notifications.domain.errors import DomainError, Invalid
from setu_contract.database import RETRY_AFTER_UNAVAILABLE, database_unavailable
from setu_contract.http import ErrorSchema, request_target, verified_principal


class NotificationsApi(Api):
    """Every error answers {"code", "status", "message", "errors"?}."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> tuple[dict[str, Any], int, dict]:
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description or error.name)
        if "errors" in payload and isinstance(payload["errors"], dict):
            payload["errors"] = _flatten_locations(payload["errors"])
        return payload, code, headers

    def handle_unexpected(self, error: Exception) -> tuple[dict[str, Any], int, dict]:
        if database_unavailable(error):
            current_app.logger.warning("database unavailable: %r", error)
            payload, code, headers = self.handle_http_exception(
                ServiceUnavailable("the database is busy or unavailable; retry shortly")
            )
            return payload, code, {**(headers or {}), "Retry-After": str(RETRY_AFTER_UNAVAILABLE)}
        current_app.logger.exception("unexpected error", exc_info=error)
        return self.handle_http_exception(InternalServerError())

    def handle_domain_error(self, error: DomainError) -> tuple[dict[str, Any], int, dict]:
        exception = default_exceptions[error.status](description=str(error))
        payload, code, headers = self.handle_http_exception(exception)
        if isinstance(error, Invalid):
            payload["errors"] = error.errors
        return payload, code, headers

    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()
        self._app.register_error_handler(DomainError, self.handle_domain_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)


def _flatten_locations(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors under the location ("json", "query"); clients want the fields."""
    if set(errors) <= {"json", "query", "headers", "view_args", "path", "form"}:
        merged: dict[str, Any] = {}
        for value in errors.values():
            if isinstance(value, dict):
                merged.update(value)
        return merged or errors
    return errors


def request_session() -> Session:
    """A session for this request's work: a GET's only reads (on SQLite it takes no write
    lock), any other's is a unit of work. The view owns the transaction: it opens
    ``with session.begin():`` around each use case it calls."""
    kind = "read_sessions" if request.method in ("GET", "HEAD") else "sessions"
    return current_app.extensions[f"notifications.{kind}"]()


def abort(code: int, message: str, **errors: Any) -> None:
    kwargs: dict[str, Any] = {"message": message}
    if errors:
        kwargs["errors"] = errors
    smorest_abort(code, **kwargs)


def require_principal() -> None:
    """before_request of /v1 blueprints: the gateway's signed identity headers, or 401."""
    secret = current_app.extensions["notifications.config"].internal_secret
    target = request_target(request.environ)
    principal = verified_principal(request.headers, secret, request.method, target)
    if principal is None:
        abort(401, "authentication required: send Authorization: Bearer <api key>")
    g.principal = principal
