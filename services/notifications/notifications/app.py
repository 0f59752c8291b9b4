"""The notifications API: create_app() is the composition root; nothing is built at import."""

from __future__ import annotations

from flask import Flask
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from notifications.api.health import blp as health_blp
from notifications.api.notifications import blp as notifications_blp
from notifications.api.unsubscribe import blp as unsubscribe_blp
from notifications.api.webhooks import blp as webhooks_blp
from notifications.config import Config
from notifications.store.db import make_engine, make_sessionmaker, reading_sessions
from notifications.store.models import Delivery, WebhookDelivery, reclaims_due
from setu_contract.edge import ServiceApi, api_app
from setu_contract.metrics import ReclaimsDueCollector, StatusCountCollector, url_rules
from setu_contract.observability import HttpInstrumentation
from setu_contract.secret_settings import SECRET_VARIABLES

MAX_BODY = 1024 * 1024


def create_app(config: Config | None = None) -> Flask:
    config = (config or Config.from_env()).require_secrets(*SECRET_VARIABLES)
    app = api_app(__name__, "Setu notifications", MAX_BODY, config.testing)
    engine = make_engine(config.database_url)
    app.extensions["notifications.config"] = config
    app.extensions["notifications.engine"] = engine
    app.extensions["notifications.sessions"] = make_sessionmaker(engine)
    app.extensions["notifications.read_sessions"] = reading_sessions(
        app.extensions["notifications.sessions"]
    )
    api = ServiceApi(app)
    api.register_blueprint(health_blp)
    api.register_blueprint(notifications_blp)
    api.register_blueprint(unsubscribe_blp)
    api.register_blueprint(webhooks_blp)
    app.wsgi_app = HttpInstrumentation(  # type: ignore[method-assign,assignment]
        app.wsgi_app, "notifications", _collectors(engine), route_of=url_rules(app)
    )
    return app


def _collectors(engine: Engine) -> list[Collector]:
    """Emails and webhook calls by status, from the delivery records the workers keep; the
    erasures whose freed space is still to be reclaimed."""
    return [
        ReclaimsDueCollector(engine, reclaims_due, "notifications"),
        StatusCountCollector(
            engine,
            select(Delivery.status, func.count()).group_by(Delivery.status),
            "setu_email_deliveries",
            "Email deliveries, by status",
            "status",
        ),
        StatusCountCollector(
            engine,
            select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status),
            "setu_webhook_deliveries",
            "Webhook deliveries, by status",
            "status",
        ),
    ]
