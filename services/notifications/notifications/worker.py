"""The Celery app of the notifications service and its thin tasks.

Tasks: ``notifications.handle_event`` (every event, on the ``notifications`` queue),
``notifications.send_delivery`` (a retry of one email) and ``notifications.sweep_deliveries``
(sent by beat every minute: re-queues what a lost task left behind).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task

from notifications.config import Config
from notifications.domain.retry import MAX_DELAY, backoff
from notifications.runtime import runtime
from notifications.services.dead_letters import record_failed_task
from notifications.services.events import MissingOrganisations, record_event
from notifications.services.sending import Outcome, send_delivery
from notifications.services.sweeping import stuck_deliveries
from setu_contract.events import InvalidEvent, parse_event
from setu_contract.messaging import HANDLE_EVENT_TASK, NOTIFICATIONS_QUEUE, celery_settings
from setu_contract.observability import install_celery_correlation

log = logging.getLogger(__name__)

SEND_DELIVERY_TASK = "notifications.send_delivery"
SWEEP_DELIVERIES_TASK = "notifications.sweep_deliveries"
# How many times an event naming an unknown organisation waits for its organisation.* event
# (out-of-order delivery) before its other recipients are sent without it.
WAIT_FOR_ORGANISATIONS = 5


def _settings() -> dict[str, Any]:
    return {
        **celery_settings(Config.from_env().redis_url),
        "task_default_queue": NOTIFICATIONS_QUEUE,
    }


class NotificationsTask(Task):
    """Retries unexpected errors (database or broker hiccups) with backoff and jitter, and
    records a dead letter when the retries run out."""

    autoretry_for = (Exception,)
    retry_backoff = 2
    retry_backoff_max = int(MAX_DELAY)
    retry_jitter = True
    max_retries = 8

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        try:
            with runtime().sessions() as session:
                record_failed_task(
                    session, self.name, list(args), repr(exc), self.request.retries + 1
                )
        except Exception:
            log.exception("could not record a dead letter", extra={"task_id": task_id})


app = Celery("notifications", task_cls=NotificationsTask)
# Read lazily, when the configuration is first used, not when this module is imported.
app.add_defaults(_settings)
install_celery_correlation(app)


def _send(delivery_id: str) -> Outcome:
    rt = runtime()
    with rt.sessions() as session:
        outcome = send_delivery(
            session, delivery_id, rt.transport.send, rt.sender, rt.unsubscribe_link
        )
    if outcome.retry_in is not None:
        app.send_task(
            SEND_DELIVERY_TASK,
            args=[delivery_id],
            queue=NOTIFICATIONS_QUEUE,
            countdown=outcome.retry_in,
        )
    return outcome


@app.task(bind=True, name=HANDLE_EVENT_TASK[NOTIFICATIONS_QUEUE], acks_late=True)
def handle_event(self: Task, envelope: dict[str, Any]) -> None:
    """Apply an event once, then send the emails it planned that are not sent yet."""
    try:
        event = parse_event(envelope)
    except InvalidEvent as exc:
        # Retrying cannot make a malformed event valid.
        log.error("invalid event dropped", extra={"errors": exc.errors})
        return
    rt = runtime()
    last_chance = self.request.retries >= WAIT_FOR_ORGANISATIONS
    try:
        with rt.sessions() as session:
            pending = record_event(session, event, rt.settings, allow_missing=last_chance)
    except MissingOrganisations as exc:
        log.info("waiting for organisation events", extra={"event_id": event["id"]})
        raise self.retry(countdown=backoff(self.request.retries + 1), exc=exc) from exc
    for delivery_id in pending:
        _send(delivery_id)


@app.task(name=SEND_DELIVERY_TASK, acks_late=True)
def send_delivery_task(delivery_id: str) -> str:
    return _send(delivery_id).status


@app.task(name=SWEEP_DELIVERIES_TASK, acks_late=True)
def sweep_deliveries() -> int:
    rt = runtime()
    with rt.sessions() as session:
        ids = stuck_deliveries(session)
    for delivery_id in ids:
        app.send_task(SEND_DELIVERY_TASK, args=[delivery_id], queue=NOTIFICATIONS_QUEUE)
    if ids:
        log.info("stuck deliveries re-queued", extra={"count": len(ids)})
    return len(ids)
