"""create_app: the reports API (nothing is created at import time)."""

from __future__ import annotations

from celery import Celery
from flask import Flask, g, request

from reports.api import health, reports, schedules
from reports.api.context import ServiceContext
from reports.api.errors import ReportsApi
from reports.config import Config
from reports.runtime import build_runtime
from reports.worker import settings
from setu_contract.http import CORRELATION_HEADER
from setu_contract.observability import new_correlation_id, set_correlation_id


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(
        API_TITLE="Setu reports",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=config.max_content_length,
    )
    runtime = build_runtime(config)
    producer = Celery("reports-api", set_as_current=False)
    producer.conf.update(settings(config.redis_url))
    app.extensions["reports"] = ServiceContext(config, runtime.sessions, producer)
    api = ReportsApi(app)
    api.register_blueprint(health.blp)
    api.register_blueprint(reports.blp)
    api.register_blueprint(schedules.blp)
    _correlation(app)
    return app


def _correlation(app: Flask) -> None:
    @app.before_request
    def _adopt() -> None:
        supplied = (request.headers.get(CORRELATION_HEADER) or "")[:200].strip()
        g.correlation_id = supplied or new_correlation_id()
        set_correlation_id(g.correlation_id)

    @app.after_request
    def _echo(response):
        response.headers[CORRELATION_HEADER] = g.get("correlation_id") or ""
        return response
