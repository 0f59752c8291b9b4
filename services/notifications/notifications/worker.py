"""The Celery app of the notifications service and its thin tasks.

Tasks, all on the ``notifications`` queue: ``notifications.handle_event`` (every event),
``notifications.replay_event`` (an event from the log during a rebuild: state only, no email,
not recorded as processed unless asked),
``notifications.send_delivery`` (a retry of one email), ``notifications.send_webhook`` (one
webhook message) and ``notifications.sweep_deliveries`` (sent by beat every minute:
re-queues what a lost task left behind).

Each task owns its transactions: it opens them around each use case of services/, or runs
the steps composed in notifications.handling, each in its own transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import Celery, Task, signals
from sqlalchemy.orm import Session

from notifications.config import Config
from notifications.domain.retry import MAX_DELAY, backoff
from notifications.handling import (
    replay_event,
    send_claimed,
    send_delivery,
    send_webhook,
    take_event,
)
from notifications.runtime import runtime
from notifications.services.dead_letters import record_failed_task
from notifications.services.erasure import reclaim_after_erasure
from notifications.services.events import MissingOrganisations, pending_deliveries
from notifications.services.sending import Outcome
from notifications.services.sweeping import stuck_deliveries
from notifications.store.models import Delivery, WebhookDelivery
from setu_contract import reclaims
from setu_contract.confirmations import DEAD_LETTERED
from setu_contract.events import InvalidEvent, parse_event
from setu_contract.messaging import (
    HANDLE_EVENT_TASK,
    NOTIFICATIONS_QUEUE,
    celery_settings,
    event_task_reprs,
    freeze_start_up_heap_in_pool_children,
    keep_new_files_private_in_workers,
)
from setu_contract.observability import (
    configure_logging,
    install_celery_correlation,
    set_correlation_id,
)
from setu_contract.secret_settings import SECRET_KEY
from setu_contract.worker_metrics import install_worker_metrics

log = logging.getLogger(__name__)

SEND_DELIVERY_TASK = "notifications.send_delivery"
SWEEP_DELIVERIES_TASK = "notifications.sweep_deliveries"
SEND_WEBHOOK_TASK = "notifications.send_webhook"
REPLAY_EVENT_TASK = "notifications.replay_event"
# How many times an event naming an unknown organisation waits for its organisation.* event
# (out-of-order delivery) before its other recipients are sent without it.
WAIT_FOR_ORGANISATIONS = 5


def _settings() -> dict[str, Any]:
    # Read as the worker starts: it signs the unsubscribe links, so it needs the secret key.
    config = Config.from_env().require_secrets(SECRET_KEY)
    return {
        **celery_settings(config.redis_url),
        "task_default_queue": NOTIFICATIONS_QUEUE,
    }


class NotificationsTask(Task):
    """Retries unexpected errors (database or broker hiccups) with backoff and jitter, and
    records a dead letter when the retries run out (for an event, confirmed to its producer
    as dead-lettered)."""

    autoretry_for = (Exception,)
    retry_backoff = 2
    retry_backoff_max = int(MAX_DELAY)
    retry_jitter = True
    max_retries = 8

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        try:
            with runtime().sessions() as session, session.begin():
                record_failed_task(
                    session, self.name, list(args), repr(exc), self.request.retries + 1
                )
        except Exception:
            log.exception("could not record a dead letter", extra={"task_id": task_id})
            return
        if self.name == HANDLE_EVENT_TASK[NOTIFICATIONS_QUEUE] and args:
            runtime().confirmer.confirm(args[0], DEAD_LETTERED)


app = Celery("notifications", task_cls=NotificationsTask)
# Read lazily, when the configuration is first used, not when this module is imported.
app.add_defaults(_settings)
install_celery_correlation(app)
install_worker_metrics(app, "notifications")
freeze_start_up_heap_in_pool_children()
keep_new_files_private_in_workers()


class _WithoutTaskArguments(logging.Filter):
    """Celery logs each task's arguments; ours are events carrying personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        if isinstance(data, dict) and ("args" in data or "kwargs" in data):
            record.data = {k: v for k, v in data.items() if k not in ("args", "kwargs")}
        return True


@signals.setup_logging.connect(weak=False)
def _json_logs(**_: Any) -> None:
    """Worker processes log JSON lines with the correlation id (instead of Celery's format)."""
    configure_logging("notifications")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_WithoutTaskArguments())


def _send(delivery_id: str) -> Outcome:
    rt = runtime()
    with rt.sessions() as session:
        outcome = send_delivery(
            session,
            delivery_id,
            rt.transport.send,
            rt.sender,
            rt.unsubscribe_link,
            rt.report_attachments,
        )
    return _after(delivery_id, outcome)


def _send_claimed(session: Session, delivery: Delivery) -> Outcome:
    rt = runtime()
    outcome = send_claimed(
        session,
        delivery,
        rt.transport.send,
        rt.sender,
        rt.unsubscribe_link,
        rt.report_attachments,
    )
    return _after(delivery.id, outcome)


def _after(delivery_id: str, outcome: Outcome) -> Outcome:
    if outcome.retry_in is not None:
        _enqueue(SEND_DELIVERY_TASK, delivery_id, outcome.retry_in)
    return outcome


@app.task(bind=True, name=HANDLE_EVENT_TASK[NOTIFICATIONS_QUEUE], acks_late=True)
def handle_event(self: Task, envelope: dict[str, Any]) -> None:
    """Apply an event once and claim its emails (committed), then send them."""
    rt = runtime()
    event = rt.confirmer.parsed(envelope)
    if event is None:
        return
    # The envelope's correlation id is the one of the request that caused the event.
    set_correlation_id(event["correlation_id"])
    last_chance = self.request.retries >= WAIT_FOR_ORGANISATIONS
    with rt.sessions() as session:
        try:
            taken = take_event(session, event, rt.settings, allow_missing=last_chance)
        except MissingOrganisations as exc:
            log.info("waiting for organisation events", extra={"event_id": event["id"]})
            countdown = backoff(self.request.retries + 1)
            raise self.retry(countdown=countdown, exc=exc, **event_task_reprs(event)) from exc
        # Claimed: if this process dies before an email's outcome is recorded, the sweeper
        # sends it again (a redelivered event finds it `sending` and leaves it alone).
        for delivery in taken.emails:
            _send_claimed(session, delivery)
    # Each webhook in a task of its own: a slow endpoint must not hold up emails.
    for webhook_id in taken.webhooks:
        _enqueue(SEND_WEBHOOK_TASK, webhook_id)
    # Applied, its emails sent or in this service's own retries: the producer need not send
    # it again.
    rt.confirmer.confirm(event)


def _enqueue(task_name: str, item_id: str, countdown: float | None = None) -> None:
    app.send_task(task_name, args=[item_id], queue=NOTIFICATIONS_QUEUE, countdown=countdown)


@app.task(name=REPLAY_EVENT_TASK, acks_late=True)
def replay_event_task(envelope: dict[str, Any], mark_processed: bool = False) -> None:
    """Rebuild the read model from one event of the log, send nothing (``replay_event``)."""
    try:
        event = parse_event(envelope)
    except InvalidEvent as exc:
        log.error("invalid event dropped", extra={"errors": exc.errors})
        return
    set_correlation_id(event["correlation_id"])
    rt = runtime()
    with rt.sessions() as session:
        replay_event(session, event, rt.settings, mark_processed)


@app.task(name=SEND_DELIVERY_TASK, acks_late=True)
def send_delivery_task(delivery_id: str) -> str:
    return _send(delivery_id).status


@app.task(name=SEND_WEBHOOK_TASK, acks_late=True)
def send_webhook_task(webhook_delivery_id: str) -> str:
    rt = runtime()
    with rt.sessions() as session:
        outcome = send_webhook(session, webhook_delivery_id, rt.post_webhook, rt.webhook_policy)
        emails: list[str] = []
        if outcome.event_id:  # its endpoint disabled: the owner is told by email
            with session.begin():
                emails = pending_deliveries(session, outcome.event_id)
    if outcome.retry_in is not None:
        _enqueue(SEND_WEBHOOK_TASK, webhook_delivery_id, outcome.retry_in)
    for delivery_id in emails:
        _send(delivery_id)
    return outcome.status


@app.task(name=SWEEP_DELIVERIES_TASK, acks_late=True)
def sweep_deliveries(stuck_after_seconds: float | None = None) -> int:
    """Re-queue emails and webhooks that a lost task or a dead worker left behind
    (``stuck_after_seconds`` replaces the sweeper's own deadlines, for an operator or a test)."""
    rt = runtime()
    stuck_after = timedelta(seconds=stuck_after_seconds) if stuck_after_seconds else None
    with rt.sessions() as session:
        with session.begin():
            emails = stuck_deliveries(session, Delivery, stuck_after)
        with session.begin():
            webhooks = stuck_deliveries(session, WebhookDelivery, stuck_after)
    for delivery_id in emails:
        _enqueue(SEND_DELIVERY_TASK, delivery_id)
    for webhook_id in webhooks:
        _enqueue(SEND_WEBHOOK_TASK, webhook_id)
    if emails or webhooks:
        log.info(
            "stuck deliveries re-queued", extra={"emails": len(emails), "webhooks": len(webhooks)}
        )
    # An erasure whose freed space could not be reclaimed after it is tried again here.
    with rt.sessions() as session:
        reclaim_after_erasure(session, reclaims.RETRY_WAIT)
    return len(emails) + len(webhooks)
