"""Readiness checks every service answers ``/readyz`` with: its database and Redis."""

from __future__ import annotations

from typing import Any

PING_TIMEOUT = 1.0


def _failure(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def database_check(engine: Any) -> str | None:
    """None when the database answers, else why not."""
    from sqlalchemy import text

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return _failure(exc)
    return None


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
