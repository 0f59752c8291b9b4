"""The Celery app of the programmes service: it only publishes (through the outbox relay)."""

from __future__ import annotations

from celery import Celery

from setu_contract.messaging import celery_settings
from setu_contract.observability import install_celery_correlation


def make_celery(redis_url: str) -> Celery:
    app = Celery("programmes")
    app.conf.update(celery_settings(redis_url))
    install_celery_correlation(app)
    return app
