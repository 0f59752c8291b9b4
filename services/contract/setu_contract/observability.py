"""Correlation ids and JSON logs, the same in every process.

The correlation id of the HTTP request that caused an event travels in the envelope, in the
task header ``correlation_id`` and into every log line written while handling it.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from setu_contract import jsonio

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

# Paths whose last segment is a credential: the one-click unsubscribe token and a report's
# signed download link. An access log writes the route and never the token.
# A console sign-in link holds its token in the path too (setu_contract.sign_in).
SECRET_PATH_PREFIXES = ("/v1/unsubscribe/", "/v1/report-links/", "/console/sign-in/")
HIDDEN = "{token}"


def loggable_path(path: str) -> str:
    """``path`` as an access log may write it: a credential in it is replaced by {token}."""
    for prefix in SECRET_PATH_PREFIXES:
        if path.startswith(prefix):
            return prefix + HIDDEN
    return path


def new_correlation_id() -> str:
    """32 random hex digits, as many random bits as a UUID4's hex and without the UUID object
    (uuid4().hex cost a kept read 8 µs of its 270 in-process; bench/FINDINGS.md section 24)."""
    return secrets.token_hex(16)


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> None:
    _correlation_id.set(value)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, service, logger, message, correlation_id, extras."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        exception = self.formatException(record.exc_info) if record.exc_info else None
        return self.compose(
            record.created, record.levelname, record.name, record.getMessage(), extras, exception
        )

    def compose(
        self,
        created: float,
        level: str,
        logger: str,
        message: str,
        extras: dict[str, Any],
        exception: str | None = None,
    ) -> str:
        """The line for a record of these parts (AccessLog writes its lines with it too)."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(created, UTC).isoformat(),
            "level": level.lower(),
            "service": self.service,
            "logger": logger,
            "message": message,
            "correlation_id": get_correlation_id(),
            **extras,
        }
        if exception is not None:
            entry["exception"] = exception
        try:
            return jsonio.dumps(entry, default=str)
        except TypeError:  # an integer beyond 64 bits, which orjson does not write
            return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stderr, and only those, for this process (idempotent)."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


class AccessLog:
    """The APIs' access log: one line a request, from the logger ``<service>.http``.

    Where the line would only reach configure_logging's JSON handler (the servers), it is
    written to that handler's stream as JsonFormatter writes such a record, without making
    the LogRecord and passing it down the logger tree: those cost a kept read about 30 µs of
    its 270 µs in-process, more than the line itself (bench/FINDINGS.md section 24). Anywhere
    else (another handler or filter on the way, as pytest's caplog adds) it is logged through
    the logger. Either way nothing is written unless the logger is enabled for INFO.
    """

    def __init__(self, service: str):
        self.logger = logging.getLogger(f"{service}.http")

    def __call__(self, method: str, path: str, status: int, seconds: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        message = f"{method} {loggable_path(path)} {status}"
        extra = {"status": status, "duration_ms": round(seconds * 1000, 1)}
        handler = self._only_handler()
        if handler is None:
            self.logger.info(message, extra=extra)
            return
        formatter: JsonFormatter = handler.formatter  # type: ignore[assignment]
        line = formatter.compose(time.time(), "INFO", self.logger.name, message, extra)
        line += handler.terminator
        with handler.lock:  # type: ignore[union-attr]
            handler.stream.write(line)
            handler.flush()

    def _only_handler(self) -> logging.StreamHandler | None:
        """configure_logging's handler on the root, if the line would reach it and no other
        handler or filter."""
        logger: logging.Logger | None = self.logger
        while logger is not None and logger is not logging.root:
            if logger.handlers or logger.filters or not logger.propagate:
                return None
            logger = logger.parent
        handlers = logging.root.handlers
        if len(handlers) != 1 or logging.root.filters:
            return None
        handler = handlers[0]
        if not isinstance(handler, logging.StreamHandler) or handler.filters:
            return None
        if type(handler.formatter) is not JsonFormatter or handler.level > logging.INFO:
            return None
        return handler


def install_celery_correlation(celery_app: Any) -> None:
    """Carry the correlation id in task headers and into the worker's log lines."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def _stamp(headers: dict[str, Any] | None = None, **_: Any) -> None:
        if headers is not None and not headers.get("correlation_id"):
            headers["correlation_id"] = get_correlation_id()

    @signals.task_prerun.connect(weak=False)
    def _adopt(task: Any = None, **_: Any) -> None:
        request = getattr(task, "request", None)
        set_correlation_id(getattr(request, "correlation_id", None) if request else None)

    @signals.task_postrun.connect(weak=False)
    def _clear(**_: Any) -> None:
        set_correlation_id(None)


class HttpInstrumentation:
    """WSGI middleware every API wears: correlation id, one log line a request, metrics.

    It adopts the request's ``X-Correlation-Id`` (or makes one), echoes it in the response,
    logs the request as one JSON line with its status and duration, counts and times it for
    Prometheus, and answers ``GET /metrics`` itself with ``collectors`` added: on every
    request, or on those ``metrics_on(environ)`` accepts (the gateway's metrics port).
    """

    MAX_CORRELATION_ID = 200

    def __init__(
        self,
        app: Any,
        service: str,
        collectors: Any = (),
        route_of: Any = None,
        metrics_on: Any = None,
    ):
        self.app = app
        self.service = service
        self.collectors = tuple(collectors)
        # environ -> the label of the route a request took, or None (metrics.url_rules for
        # a Flask app); never the raw path, which clients choose.
        self.route_of = route_of
        self.metrics_on = metrics_on
        self.access_log = AccessLog(service)

    def adopt_correlation_id(self, request_env: dict[str, Any]) -> str:
        given = (request_env.get("HTTP_X_CORRELATION_ID") or "").strip()
        usable = 0 < len(given) <= self.MAX_CORRELATION_ID and given.isprintable()
        correlation_id = given if usable else new_correlation_id()
        set_correlation_id(correlation_id)
        return correlation_id

    def serves_metrics(self, request_env: dict[str, Any]) -> bool:
        return self.metrics_on is None or bool(self.metrics_on(request_env))

    @staticmethod
    def not_found(start_response: Any, correlation_id: str) -> list[bytes]:
        body = {"code": 404, "status": "Not Found", "message": "no resource at this path"}
        start_response(
            "404 NOT FOUND",
            [("Content-Type", "application/json"), ("X-Correlation-Id", correlation_id)],
        )
        return [json.dumps(body).encode()]

    def __call__(self, request_env: dict[str, Any], start_response: Any) -> Any:
        from setu_contract import metrics

        path = request_env.get("PATH_INFO", "")
        method = request_env.get("REQUEST_METHOD", "GET")
        if path == "/metrics" and method == "GET" and self.serves_metrics(request_env):
            body = metrics.exposition(self.collectors)
            start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE)])
            return [body]
        correlation_id = self.adopt_correlation_id(request_env)
        if "\x00" in path:
            # No resource is named with a NUL, and PostgreSQL text cannot hold one: answer
            # here rather than let a lookup by such an id fail in the database.
            return self.not_found(start_response, correlation_id)
        started = time.perf_counter()
        seen: dict[str, int] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            headers = [h for h in headers if h[0].lower() != "x-correlation-id"]
            headers.append(("X-Correlation-Id", correlation_id))
            return start_response(status, headers, exc_info)

        try:
            return self.app(request_env, start)
        finally:
            elapsed = time.perf_counter() - started
            status = seen.get("status", 500)
            route = metrics.route_label(request_env, self.route_of)
            metrics.observe_request(self.service, method, route, status, elapsed)
            self.access_log(method, path, status, elapsed)
            set_correlation_id(None)
