"""The programmes API: create_app() is the composition root; nothing is built at import."""

from __future__ import annotations

from flask import Flask

from programmes.api import close_request_session, identity
from programmes.api.applications import blp as applications_blp
from programmes.api.authorize import blp as authorize_blp
from programmes.api.calls import blp as calls_blp
from programmes.api.events import blp as events_blp
from programmes.api.health import blp as health_blp
from programmes.api.mobility import blp as mobility_blp
from programmes.api.openapi_errors import document_errors
from programmes.api.organisations import blp as organisations_blp
from programmes.api.people import blp as people_blp
from programmes.api.programmes import blp as programmes_blp
from programmes.api.reviews import blp as reviews_blp
from programmes.api.screenings import blp as screenings_blp
from programmes.api.sign_in import blp as sessions_blp
from programmes.api.sign_in import public as sign_in_blp
from programmes.api.work import blp as work_blp
from programmes.config import Config
from programmes.store.db import make_engine, make_sessionmaker
from programmes.store.list_totals import ListTotals
from programmes.store.models import (
    Programme,
    ProgrammePartner,
    outbox,
    outbox_deliveries,
    reclaims_due,
)
from setu_contract.database import one_write
from setu_contract.deliveries import DeliveryLedger
from setu_contract.edge import ServiceApi, api_app
from setu_contract.messaging import PROGRAMMES_PRODUCER
from setu_contract.metrics import (
    DeliveriesCollector,
    ReclaimsDueCollector,
    outbox_collector,
    url_rules,
)
from setu_contract.observability import HttpInstrumentation, configure_logging
from setu_contract.secret_settings import INTERNAL_SECRET, checked_secret

MAX_BODY = 1024 * 1024
# What one request may hold at once: its transaction's connection, and the one a create takes
# its reference number on (services/references.py).
CONNECTIONS_A_REQUEST = 2


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    checked_secret(INTERNAL_SECRET, config.internal_secret)
    if not config.testing:
        configure_logging("programmes", config.log_level)
    app = api_app(__name__, "Setu programmes", MAX_BODY, config.testing)
    # The pool keeps open what every thread may hold at once. A connection given back past
    # pool_size is closed, and the next request to need it opens another: a new PostgreSQL
    # server process, whose start-up and first statements cost more than many creates.
    engine = make_engine(config.database_url, pool_size=CONNECTIONS_A_REQUEST * config.web_threads)
    app.extensions["programmes.config"] = config
    app.extensions["programmes.engine"] = engine
    sessions = app.extensions["programmes.sessions"] = make_sessionmaker(engine)
    app.extensions["programmes.read_sessions"] = make_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT")
    )
    # A unit of work that writes with one statement (api.unit_of_work's one_write): in
    # autocommit on PostgreSQL, on a pool of its own (a create's statement and its reference
    # number's), a transaction as any other on SQLite.
    alone = one_write(engine, pool_size=CONNECTIONS_A_REQUEST * config.web_threads)
    one_write_sessions = sessions if alone is engine else make_sessionmaker(alone)
    app.extensions["programmes.one_write_engine"] = alone
    app.extensions["programmes.one_write_sessions"] = one_write_sessions
    writing = dict.fromkeys((sessions, one_write_sessions))
    totals = ListTotals(config.redis_url, config.database_url)
    app.extensions["programmes.list_totals"] = totals
    app.teardown_appcontext(close_request_session)
    kept_keys, kept_programmes = identity.install(
        app, config.rate_limit, config.auth_failure_limit, config.redis_url, config.database_url
    )
    for made in writing:
        totals.watch(made, {"programmes": (Programme, ProgrammePartner)})
        kept_keys.watch(made)
        kept_programmes.watch(made)
    api = ServiceApi(app)
    for blueprint in (
        health_blp,
        authorize_blp,
        organisations_blp,
        programmes_blp,
        applications_blp,
        events_blp,
        people_blp,
        sign_in_blp,
        sessions_blp,
        calls_blp,
        reviews_blp,
        mobility_blp,
        screenings_blp,
        work_blp,
    ):
        api.register_blueprint(blueprint)
    document_errors(api)
    collectors = [
        outbox_collector(engine, outbox),
        DeliveriesCollector(engine, DeliveryLedger(outbox_deliveries, outbox), PROGRAMMES_PRODUCER),
        ReclaimsDueCollector(engine, reclaims_due, "programmes"),
    ]
    app.wsgi_app = HttpInstrumentation(  # type: ignore[method-assign,assignment]
        app.wsgi_app, "programmes", collectors, route_of=url_rules(app)
    )
    return app
