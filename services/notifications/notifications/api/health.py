"""Liveness and readiness: the routes every service shares, on this service's database."""

from __future__ import annotations

from typing import Any

from flask import current_app

from setu_contract.health import health_blueprint


def _dependencies() -> tuple[Any, str]:
    return (
        current_app.extensions["notifications.engine"],
        current_app.extensions["notifications.config"].redis_url,
    )


blp = health_blueprint(_dependencies)
