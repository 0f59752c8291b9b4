"""The programmes API: create_app() is the composition root; nothing is built at import."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from programmes.api import ProgrammesApi, ratelimit
from programmes.api.applications import blp as applications_blp
from programmes.api.authorize import blp as authorize_blp
from programmes.api.events import blp as events_blp
from programmes.api.health import blp as health_blp
from programmes.api.openapi_errors import document_errors
from programmes.api.organisations import blp as organisations_blp
from programmes.api.programmes import blp as programmes_blp
from programmes.config import Config
from programmes.store.db import make_engine, make_sessionmaker
from setu_contract.http import CORRELATION_HEADER
from setu_contract.observability import (
    configure_logging,
    get_correlation_id,
    new_correlation_id,
    set_correlation_id,
)

MAX_BODY = 1024 * 1024
MAX_CORRELATION_ID = 200
log = logging.getLogger("programmes.http")


def _api_settings(config: Config) -> dict[str, object]:
    return {
        "API_TITLE": "Setu programmes",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "MAX_CONTENT_LENGTH": MAX_BODY,
        "TESTING": config.testing,
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    }


def _begin() -> None:
    g.started = time.perf_counter()
    given = (request.headers.get(CORRELATION_HEADER) or "").strip()
    usable = given if 0 < len(given) <= MAX_CORRELATION_ID and given.isprintable() else None
    set_correlation_id(usable or new_correlation_id())


def _finish(response: Response) -> Response:
    response.headers[CORRELATION_HEADER] = get_correlation_id() or ""
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={"status": response.status_code, "duration_ms": round(elapsed, 1)},
    )
    return response


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    if not config.testing:
        configure_logging("programmes", config.log_level)
    app = Flask(__name__)
    app.config.update(_api_settings(config))
    engine = make_engine(config.database_url)
    app.extensions["programmes.config"] = config
    app.extensions["programmes.engine"] = engine
    app.extensions["programmes.sessions"] = make_sessionmaker(engine)
    app.before_request(_begin)
    app.after_request(_finish)
    ratelimit.install(app, config.rate_limit, config.redis_url)
    api = ProgrammesApi(app)
    for blueprint in (
        health_blp,
        authorize_blp,
        organisations_blp,
        programmes_blp,
        applications_blp,
        events_blp,
    ):
        api.register_blueprint(blueprint)
    document_errors(api)
    return app
