"""Liveness and readiness: the routes every service shares, on this service's database."""

from __future__ import annotations

from typing import Any

from reports.api.context import context
from setu_contract.health import health_blueprint


def _dependencies() -> tuple[Any, str]:
    service = context()
    return service.engine, service.config.redis_url


blp = health_blueprint(_dependencies)
