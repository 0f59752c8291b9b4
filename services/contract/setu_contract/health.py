"""Readiness checks every service answers ``/readyz`` with: its database and Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PING_TIMEOUT = 1.0


def _failure(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _select_one(engine: Any) -> Exception | None:
    """None when the database runs ``SELECT 1``, else the error."""
    from sqlalchemy import text

    from setu_contract.database import reading

    try:
        with reading(engine).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return exc
    return None


def database_check(engine: Any) -> str | None:
    """None when the database answers, else why not.

    A connection the server closed (it restarted since the connection was pooled) is tried
    once more: the pool has replaced its connections by then."""
    error = _select_one(engine)
    if getattr(error, "connection_invalidated", False):
        error = _select_one(engine)
    return None if error is None else _failure(error)


def redis_check(url: str) -> str | None:
    """None when Redis answers within a second, else why not."""
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=PING_TIMEOUT, socket_connect_timeout=PING_TIMEOUT
    )
    try:
        client.ping()
    except Exception as exc:
        return _failure(exc)
    finally:
        client.close()
    return None


def readiness(engine: Any, redis_url: str) -> tuple[dict[str, Any], int]:
    """The body and status of ``/readyz``: 200 when both answer, else 503 saying which."""
    checks = {"database": database_check(engine), "redis": redis_check(redis_url)}
    ready = all(v is None for v in checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {k: v or "ok" for k, v in checks.items()},
    }
    return body, 200 if ready else 503


def health_blueprint(dependencies: Callable[[], tuple[Any, str]]) -> Any:
    """The ``/healthz`` and ``/readyz`` routes of a service's API (flask-smorest).

    ``dependencies`` is called per ``/readyz`` request, in the app context, and returns the
    service's engine and Redis URL.
    """
    from flask.views import MethodView

    from setu_contract.request_json import Blueprint

    blp = Blueprint("health", __name__, description="Liveness and readiness")

    @blp.route("/healthz")
    class Health(MethodView):
        @blp.doc(security=[])  # type: ignore[untyped-decorator]  # flask-smorest is untyped
        def get(self) -> dict[str, Any]:
            """The process is alive"""
            return {"status": "ok"}

    @blp.route("/readyz")
    class Ready(MethodView):
        @blp.doc(security=[])  # type: ignore[untyped-decorator]
        def get(self) -> tuple[dict[str, Any], int]:
            """The database and Redis answer"""
            return readiness(*dependencies())

    return blp
