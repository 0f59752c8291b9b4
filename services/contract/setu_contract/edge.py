"""The HTTP edge every service answers through: the one ``Api`` (every error, expected or
not, answers the error body of ``http.ErrorSchema``), the one way to abort a request, and
the one way to get the caller and guard its role.

- A domain error (``errors.ServiceError``) answers its own ``status``, its message and its
  field-level ``errors``; ``retry_after`` becomes the ``Retry-After`` header.
- A database that is down or busy answers 503 with ``Retry-After`` in every service; a
  constraint a concurrent write broke first answers 409; anything else answers 500 and is
  logged with its traceback.
- webargs' errors are given field by field (not under the location they were read from),
  and werkzeug's default words for 400, 413 and 422 are replaced by clearer ones.
- 401 answers carry ``WWW-Authenticate: Bearer``.
- A write whose body is not JSON answers 415 (``require_json_body``, which ``ServiceApi``
  runs on every blueprint it registers, after the blueprint's own checks of the caller).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, NoReturn, TypeVar

from flask import Flask, current_app, g, request
from flask_smorest import Api, Blueprint
from flask_smorest import abort as smorest_abort
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    default_exceptions,
)

from setu_contract.database import RETRY_AFTER_UNAVAILABLE, database_unavailable
from setu_contract.errors import ServiceError
from setu_contract.http import (
    UNAUTHENTICATED,
    ErrorSchema,
    JSONProvider,
    Principal,
    request_target,
    verified_principal,
)
from setu_contract.request_json import READS_JSON

DATABASE_UNAVAILABLE = "the database is busy or unavailable; retry shortly"
CONCURRENT_CONFLICT = "the request conflicted with a concurrent change; send it again"
BODY_NOT_JSON = "send the body as JSON with Content-Type: application/json"
BODY_METHODS = ("POST", "PUT", "PATCH")
# Set on a view that takes whatever body it is sent (``accepts_any_body``).
_ANY_BODY = "setu_accepts_any_body"

# Where webargs reads arguments from: the keys it nests their errors under.
_LOCATIONS = frozenset({"json", "query", "querystring", "headers", "view_args", "path", "form"})
_MIB = 1024 * 1024

Answer = tuple[dict[str, Any], int, dict[str, str]]
View = TypeVar("View", bound=Callable[..., Any])


class ServiceApi(Api):
    """flask-smorest's ``Api`` with the error answers of every service (module docstring)."""

    ERROR_SCHEMA = ErrorSchema

    def register_blueprint(self, blp: Blueprint, **options: Any) -> None:
        # Once per blueprint (an app per test registers the same module-level blueprints),
        # and last of its checks: a caller is identified first, its body judged second.
        if require_json_body not in blp.before_request_funcs.get(None, []):
            blp.before_request(require_json_body)
        super().register_blueprint(blp, **options)

    def handle_http_exception(self, error: HTTPException) -> Answer:
        payload, code, headers = super().handle_http_exception(error)
        headers = dict(headers or {})
        payload.setdefault("message", error.description or error.name)
        if isinstance(payload.get("errors"), dict):
            payload["errors"] = _flatten_locations(payload["errors"])
        if payload["message"] == type(error).description:
            payload["message"] = _clearer_message(code, payload["message"])
        if code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            headers["Retry-After"] = str(retry_after)
        return payload, code, headers

    def handle_service_error(self, error: ServiceError) -> Answer:
        http_error = default_exceptions[error.status](description=error.message)
        data: dict[str, Any] = {"message": error.message}
        if error.errors:
            data["errors"] = error.errors
        http_error.data = data  # type: ignore[attr-defined]  # read as webargs' abort's
        http_error.retry_after = error.retry_after  # type: ignore[attr-defined]
        return self.handle_http_exception(http_error)

    def handle_unexpected(self, error: Exception) -> Answer:
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        if database_unavailable(error):
            current_app.logger.warning("database unavailable: %r", error)
            unavailable = ServiceUnavailable(DATABASE_UNAVAILABLE)
            unavailable.retry_after = RETRY_AFTER_UNAVAILABLE
            return self.handle_http_exception(unavailable)
        if isinstance(error, IntegrityError):
            # A constraint another request's write broke first: the client's to send again,
            # not a fault.
            current_app.logger.warning("integrity conflict: %r", error)
            return self.handle_http_exception(Conflict(CONCURRENT_CONFLICT))
        current_app.logger.error("unexpected error", exc_info=error)
        return self.handle_http_exception(InternalServerError())

    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()
        self._app.register_error_handler(ServiceError, self.handle_service_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)


def require_json_body() -> None:
    """before_request of every blueprint: a write (POST, PUT, PATCH) that carries a body,
    names a media type, or goes to a view that reads a JSON body must send JSON; else 415.
    A write with no body to a view that reads none (an action such as a retry) passes."""
    if request.method not in BODY_METHODS or request.is_json:
        return
    view = _view_method()
    if getattr(view, _ANY_BODY, False):
        return
    carries_body = request.content_length or "Transfer-Encoding" in request.headers
    if carries_body or request.mimetype or getattr(view, READS_JSON, False):
        abort(415, BODY_NOT_JSON)


def accepts_any_body(view: View) -> View:
    """Mark ``view`` as taking any body (RFC 8058's one-click unsubscribe is a form POST)."""
    setattr(view, _ANY_BODY, True)
    return view


def _view_method() -> Any:
    """The function that answers this request: its view, or its MethodView's method."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    return getattr(view_class, request.method.lower(), None)


def _clearer_message(code: int, default: str) -> str:
    """Clearer words than werkzeug's defaults for the errors webargs and Flask raise."""
    if code == 400:
        return "the request body is not valid JSON"
    if code == 413:
        return f"the request body is larger than {_size(current_app.config['MAX_CONTENT_LENGTH'])}"
    if code == 422:
        return "some fields are invalid: see errors"
    return default


def _size(limit: int | None) -> str:
    if limit is None:
        return "the limit"
    return f"{limit // _MIB} MiB" if limit % _MIB == 0 else f"{limit} bytes"


def _flatten_locations(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors under the location ("json", "query"); clients want the fields.
    Messages about a body as a whole (not a field of it) are given under ``_body``."""
    if set(errors) <= _LOCATIONS:
        merged: dict[str, Any] = {}
        for value in errors.values():
            if isinstance(value, dict):
                merged.update(value)
            elif isinstance(value, list):
                merged.setdefault("_body", []).extend(value)
        return merged or errors
    return errors


def api_app(import_name: str, title: str, max_body: int, testing: bool = False) -> Flask:
    """A service's API app, built as every one is: JSON answers written by
    ``http.JSONProvider`` and flask-smorest's settings (``api_settings``). The service's
    composition root adds its ``ServiceApi``, its blueprints and its resources."""
    app = Flask(import_name)
    app.json = JSONProvider(app)
    app.config.update(api_settings(title, max_body, testing))
    return app


def api_settings(title: str, max_body: int, testing: bool = False) -> dict[str, object]:
    """flask-smorest's settings of a service's API: its title, its OpenAPI document at
    /openapi.json, the largest body it reads, and API keys (bearer) as its security."""
    return {
        "API_TITLE": title,
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "MAX_CONTENT_LENGTH": max_body,
        "TESTING": testing,
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    }


def abort(code: int, message: str, errors: dict[str, Any] | None = None) -> NoReturn:
    """End the request with ``code``, answering ``message`` (and field-level ``errors``)."""
    kwargs: dict[str, Any] = {"message": message}
    if errors:
        kwargs["errors"] = errors
    smorest_abort(code, **kwargs)
    raise AssertionError("abort always raises")  # pragma: no cover


def identify_signed(secret: str) -> Principal:
    """The caller the gateway vouched for in this request's identity headers, signed under
    ``secret`` for this very request, kept as the request's caller; else 401."""
    target = request_target(request.environ)
    principal = verified_principal(request.headers, secret, request.method, target)
    if principal is None:
        abort(401, UNAUTHENTICATED)
    g.principal = principal
    return principal


def caller() -> Principal:
    """The request's caller, as its service identified it before the view; 401 if none."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        abort(401, UNAUTHENTICATED)
    return principal


def require_role(roles: Collection[str], message: str) -> Principal:
    """The request's caller if it acts in one of ``roles``; else 403 with ``message``."""
    principal = caller()
    if principal.role not in roles:
        abort(403, message)
    return principal
