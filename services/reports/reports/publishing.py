"""The reports service's Celery settings and the tasks its API sends by name: the API and the
worker both import this module, so the API never imports the worker (or its task bodies)."""

from __future__ import annotations

from typing import Any

from celery import Celery

from setu_contract.messaging import REPORTS_QUEUE, celery_settings

GENERATE_REPORT = "reports.generate_report"


def settings(redis_url: str) -> dict[str, Any]:
    return {
        **celery_settings(redis_url),
        "task_default_queue": REPORTS_QUEUE,
        # Our JSON log handler writes to the real stderr; a redirected one would swallow it.
        "worker_redirect_stdouts": False,
    }


def producer(redis_url: str) -> Celery:
    """A Celery app that only sends (the API's): configured, never made current."""
    app = Celery("reports-api", set_as_current=False)
    app.conf.update(settings(redis_url))
    return app


def send_generate(celery_app: Celery, report_id: str, correlation_id: str | None) -> None:
    celery_app.send_task(
        GENERATE_REPORT,
        args=[report_id],
        queue=REPORTS_QUEUE,
        headers={"correlation_id": correlation_id},
        retry=False,
    )
