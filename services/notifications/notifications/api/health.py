"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from setu_contract.health import readiness

blp = Blueprint("health", __name__, description="Liveness and readiness")


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
        return readiness(
            current_app.extensions["notifications.engine"],
            current_app.extensions["notifications.config"].redis_url,
        )
