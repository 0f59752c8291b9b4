"""The HTTP layer: one Api subclass (the single JSON error shape), auth and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, current_app, g, request
from flask_smorest import Api, Blueprint
from flask_smorest import abort as smorest_abort
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from programmes.api.query_args import QueryArgumentsParser
from programmes.domain import errors as domain
from programmes.domain.versioning import etag
from setu_contract.http import ErrorSchema, Principal

# Domain errors to HTTP, in this one place.
STATUS_OF: dict[type[domain.DomainError], int] = {
    domain.Unauthenticated: 401,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.PreconditionFailed: 412,
    domain.Invalid: 422,
    domain.Locked: 429,
    domain.Unavailable: 503,
}

JSON_METHODS = ("POST", "PUT", "PATCH")

# Clearer words than werkzeug's defaults for the errors webargs raises.
GENERIC_MESSAGES = {
    400: "the request body is not valid JSON",
    413: "the request body is larger than 1 MiB",
    422: "some fields are invalid: see errors",
}


class ProgrammesApi(Api):
    """Every error answers {"code", "status", "message", "errors"?}."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> tuple[dict[str, Any], int, dict]:
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description or error.name)
        if "errors" in payload and isinstance(payload["errors"], dict):
            payload["errors"] = _flatten_locations(payload["errors"])
        if code in GENERIC_MESSAGES and payload["message"] == type(error).description:
            payload["message"] = GENERIC_MESSAGES[code]
        if code == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        if getattr(error, "retry_after", None):
            headers = {**(headers or {}), "Retry-After": str(error.retry_after)}
        return payload, code, headers

    def handle_domain_error(self, error: domain.DomainError) -> tuple[dict[str, Any], int, dict]:
        code = next(c for kind, c in STATUS_OF.items() if isinstance(error, kind))
        try:
            abort(code, error.message, errors=error.errors)
        except HTTPException as http_error:
            if code == 503:
                http_error.retry_after = 1  # type: ignore[attr-defined]
            if isinstance(error, domain.Locked):
                http_error.retry_after = error.retry_after  # type: ignore[attr-defined]
            return self.handle_http_exception(http_error)
        raise AssertionError("abort always raises")  # pragma: no cover

    def handle_unexpected(self, error: Exception) -> tuple[dict[str, Any], int, dict]:
        if isinstance(error, OperationalError):
            # The database is away or (SQLite) busy past its timeout: retryable, not a bug.
            current_app.logger.warning("database unavailable: %r", error)
            unavailable = ServiceUnavailable("the database is busy or unavailable; retry shortly")
            unavailable.retry_after = 1  # type: ignore[attr-defined]
            return self.handle_http_exception(unavailable)
        current_app.logger.exception("unexpected error")
        return self.handle_http_exception(InternalServerError())

    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()
        self._app.register_error_handler(domain.DomainError, self.handle_domain_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)


def _flatten_locations(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors under the location ("json", "query"); clients want the fields."""
    if set(errors) <= {"json", "query", "headers", "view_args", "path", "form"}:
        merged: dict[str, Any] = {}
        for value in errors.values():
            if isinstance(value, dict):
                merged.update(value)
            elif isinstance(value, list):
                merged.setdefault("_body", []).extend(value)
        return merged or errors
    return errors


def abort(code: int, message: str, errors: dict[str, Any] | None = None) -> None:
    kwargs: dict[str, Any] = {"message": message}
    if errors:
        kwargs["errors"] = errors
    smorest_abort(code, **kwargs)


def require_json() -> None:
    """before_request of /v1 blueprints: a body-carrying request must say it is JSON (415)."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404, "no such resource")
    if request.method in JSON_METHODS and not request.is_json:
        abort(415, "send the body as JSON with Content-Type: application/json")


def authenticate_request() -> None:
    """before_request of /v1 blueprints: a valid Bearer key within its rate limit, or 401/429.

    A key the process has not kept is read in the request's session, in the transaction the
    view's unit of work then commits: one connection and one transaction per request, not two.
    """
    from programmes.api.identity import identify

    g.principal = identify()


def principal() -> Principal:
    return g.principal


READ_METHODS = ("GET", "HEAD")


def request_session() -> Session:
    """The request's one session, opened on first use and closed when the request ends.

    Reads (GET, HEAD) run in autocommit: each statement sees committed data, and the
    request saves the BEGIN and COMMIT round trips, which a read has no use for.
    """
    session = g.get("db_session")
    if session is None:
        kind = "read_sessions" if request.method in READ_METHODS else "sessions"
        session = g.db_session = current_app.extensions[f"programmes.{kind}"]()
    return session


def close_request_session(_error: BaseException | None = None) -> None:
    """teardown_appcontext: give the connection back (rolling back anything uncommitted)."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """The request's session: its transaction (begun by the first statement, perhaps the key
    lookup) is committed when the block ends and rolled back on error."""
    session = request_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


class V1Blueprint(Blueprint):
    """A /v1 resource: every request authenticated, then every body checked to be JSON; a
    query string loaded once (api.query_args)."""

    ARGUMENTS_PARSER = QueryArgumentsParser()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.before_request(authenticate_request)
        self.before_request(require_json)


def page_envelope(items: list[Any], total: int, page: int, page_size: int) -> dict[str, Any]:
    return {"items": items, "page": page, "page_size": page_size, "total": total}


def etag_header(snapshot: dict[str, Any]) -> dict[str, str]:
    return {"ETag": etag(snapshot["id"], snapshot["version"])}


def with_etag(snapshot: dict[str, Any], status: int = 200, answer: bytes | None = None) -> Any:
    """The resource and its ETag (derived from its version); 304 when a GET already has it.

    The snapshot is written as it is, not dumped again through the view's response schema:
    every snapshot is already in its schema's shape (tests hold each one to it), and the
    dump was a tenth of a GET's CPU. ``answer``: the snapshot already written as JSON.
    """
    headers = etag_header(snapshot)
    if request.method == "GET" and request.if_none_match.contains_weak(headers["ETag"].strip('"')):
        return Response(status=304, headers=headers)
    if answer is None:
        return current_app.json.response(snapshot), status, headers
    return current_app.response_class(answer, mimetype=current_app.json.mimetype), status, headers


def if_match() -> str | None:
    return request.headers.get("If-Match")
