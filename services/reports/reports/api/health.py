"""/healthz (the process answers) and /readyz (its database and Redis answer, quickly)."""

from __future__ import annotations

import redis
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from reports.api.context import context

blp = Blueprint("health", __name__, description="Liveness and readiness")

PING_TIMEOUT = 1.0


@blp.route("/healthz")
class Health(MethodView):
    def get(self):
        """The process is alive."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    def get(self):
        """The database and Redis both answer."""
        checks = {"database": _database(), "redis": _redis()}
        ready = all(v == "ok" for v in checks.values())
        return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _database() -> str:
    try:
        with context().sessions() as session:
            session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure means not ready; say which
        return f"error: {type(exc).__name__}"


def _redis() -> str:
    try:
        client = redis.Redis.from_url(
            context().config.redis_url,
            socket_timeout=PING_TIMEOUT,
            socket_connect_timeout=PING_TIMEOUT,
        )
        with client:
            client.ping()
        return "ok"
    except Exception as exc:  # any failure means not ready; say which
        return f"error: {type(exc).__name__}"
