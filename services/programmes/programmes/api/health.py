"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

import redis
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

blp = Blueprint("health", __name__, description="Liveness and readiness")

PING_TIMEOUT = 1.0


def _database_ok() -> str | None:
    try:
        with current_app.extensions["programmes.engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def _redis_ok() -> str | None:
    url = current_app.extensions["programmes.config"].redis_url
    client = redis.Redis.from_url(
        url, socket_timeout=PING_TIMEOUT, socket_connect_timeout=PING_TIMEOUT
    )
    try:
        client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    finally:
        client.close()
    return None


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    def get(self) -> dict[str, Any]:
        """The process is alive"""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.doc(security=[])
    def get(self) -> tuple[dict[str, Any], int]:
        """The database and Redis answer"""
        checks = {"database": _database_ok(), "redis": _redis_ok()}
        ready = all(v is None for v in checks.values())
        body = {
            "status": "ok" if ready else "unavailable",
            "checks": {k: v or "ok" for k, v in checks.items()},
        }
        return body, 200 if ready else 503
