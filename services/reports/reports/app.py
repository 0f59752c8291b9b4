"""create_app: the reports API (nothing is created at import time)."""

from __future__ import annotations

from flask import Flask
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from reports.api import health, links, reports, schedules
from reports.api.context import ServiceContext
from reports.config import Config
from reports.publishing import producer
from reports.runtime import Runtime, build_runtime
from reports.store.db import reading_sessions
from reports.store.models import ReportJob, outbox, outbox_deliveries
from setu_contract.deliveries import DeliveryLedger
from setu_contract.edge import ServiceApi, api_app
from setu_contract.messaging import REPORTS_PRODUCER
from setu_contract.metrics import (
    DeliveriesCollector,
    StatusCountCollector,
    outbox_collector,
    url_rules,
)
from setu_contract.observability import HttpInstrumentation
from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY, checked_secret


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    # The identity the gateway signed, and the report links in emails (signed here).
    checked_secret(SECRET_KEY, config.secret_key)
    checked_secret(INTERNAL_SECRET, config.internal_secret)
    app = api_app(__name__, "Setu reports", config.max_content_length)
    runtime = build_runtime(config)
    app.extensions["reports"] = ServiceContext(
        config,
        runtime.sessions,
        producer(config.redis_url),
        runtime.engine,
        reading_sessions(runtime.sessions),
    )
    api = ServiceApi(app)
    api.register_blueprint(health.blp)
    api.register_blueprint(reports.blp)
    api.register_blueprint(schedules.blp)
    api.register_blueprint(links.blp)
    app.wsgi_app = HttpInstrumentation(  # type: ignore[method-assign,assignment]
        app.wsgi_app, "reports", _collectors(runtime), route_of=url_rules(app)
    )
    return app


def _collectors(runtime: Runtime) -> list[Collector]:
    """Reports by status, events waiting to be relayed and events notifications has not
    confirmed, from the durable records."""
    jobs = select(ReportJob.status, func.count()).group_by(ReportJob.status)
    return [
        StatusCountCollector(
            runtime.engine, jobs, "setu_reports", "Report jobs, by status", "status"
        ),
        outbox_collector(runtime.engine, outbox),
        DeliveriesCollector(
            runtime.engine, DeliveryLedger(outbox_deliveries, outbox), REPORTS_PRODUCER
        ),
    ]
