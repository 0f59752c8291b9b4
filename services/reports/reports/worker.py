"""The reports service's Celery app and its thin tasks (all on the "reports" queue).

- ``reports.handle_event(envelope)``: apply an event to the read model, once; retried with
  backoff and jitter, then kept as a dead letter (``reports dead-letters`` / ``requeue ID``).
- ``reports.generate_report(report_id)``: produce a report file for a queued job, once.
- ``reports.sweep_jobs()``: send again the jobs whose message was lost or whose worker died.
- ``reports.tick_schedules(now=None)``: fire each due schedule once (beat sends it every
  ``SCHEDULE_TICK_SECONDS``, 30 s by default).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import Celery, Task
from celery.signals import setup_logging, worker_process_init
from sqlalchemy.exc import IntegrityError, OperationalError

from reports.config import Config
from reports.domain.backoff import retry_countdown
from reports.publishing import GENERATE_REPORT, send_generate, settings
from reports.runtime import process_runtime
from reports.services import dead_letters, generate, jobs, read_model, schedules
from reports.services.links import LinkSettings
from reports.store.db import transaction
from setu_contract.confirmations import DEAD_LETTERED
from setu_contract.messaging import (
    HANDLE_EVENT_TASK,
    REPORTS_QUEUE,
    event_task_reprs,
    freeze_start_up_heap_in_pool_children,
    keep_new_files_private_in_workers,
)
from setu_contract.observability import configure_logging, install_celery_correlation
from setu_contract.secret_settings import SECRET_KEY, checked_secret
from setu_contract.worker_metrics import install_worker_metrics

log = logging.getLogger(__name__)

HANDLE_EVENT = HANDLE_EVENT_TASK[REPORTS_QUEUE]
SWEEP_JOBS = "reports.sweep_jobs"
TICK_SCHEDULES = "reports.tick_schedules"
# Errors worth another try: the database was busy, away or raced us (a unique key).
TRANSIENT_ERRORS = (OperationalError, IntegrityError)


app = Celery("reports", set_as_current=False)


@app.on_configure.connect
def _configure(sender: Celery, **_: Any) -> None:
    # Read the environment when the app is first used, not when this module is imported; a
    # worker signs the download links of the reports it finishes, so it needs the secret key.
    config = Config.from_env()
    checked_secret(SECRET_KEY, config.secret_key)
    sender.config_from_object(settings(config.redis_url))


install_celery_correlation(app)
install_worker_metrics(app, "reports")
freeze_start_up_heap_in_pool_children()
keep_new_files_private_in_workers()


@setup_logging.connect(weak=False)
def _json_logs(**_: Any) -> None:
    """With a receiver here Celery installs no handler of its own: the worker logs JSON lines
    only (configure_logging keeps other handlers, which would write every line twice)."""
    configure_logging("reports")


@worker_process_init.connect(weak=False)
def _fresh_process(**_: Any) -> None:
    configure_logging("reports")
    process_runtime.cache_clear()  # no engine is shared across a fork


class DeadLetterOnFailure(Task):
    """A task that fails for good (its retries exhausted, or an error it does not retry)
    leaves a dead letter with its arguments and the error: nothing is dropped silently. An
    event's producer is told it was dead-lettered."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        attempts = self.request.retries + 1
        try:
            with transaction(process_runtime().sessions) as session:
                letter_id = dead_letters.record_failed_task(
                    session, self.name, list(args), repr(exc), attempts
                )
        except Exception:
            log.exception("could not record a dead letter", extra={"task_id": task_id})
            return
        envelope = args[0] if args and isinstance(args[0], dict) else None
        if self.name == HANDLE_EVENT and envelope is not None:
            process_runtime().confirmer.confirm(envelope, DEAD_LETTERED)
        log.error(
            "task failed after %d attempts; dead letter %s recorded",
            attempts,
            letter_id,
            extra={"task_id": task_id, "event_id": envelope.get("id") if envelope else None},
        )


@app.task(bind=True, base=DeadLetterOnFailure, name=HANDLE_EVENT, acks_late=True)
def handle_event(self: Task, envelope: Any) -> str:
    """Apply an event once. A database error is retried with exponential backoff and jitter
    (the config's event_* settings); past the last retry, or on any other error, the
    envelope becomes a dead letter (``reports dead-letters``, ``reports requeue ID``)."""
    runtime = process_runtime()
    event = runtime.confirmer.parsed(envelope)
    if event is None:
        return "invalid"
    try:
        with transaction(runtime.sessions) as session:
            outcome = read_model.apply_event(session, event)
    except TRANSIENT_ERRORS as exc:
        config = runtime.config
        countdown = retry_countdown(
            self.request.retries + 1, config.event_retry_base, config.event_retry_max
        )
        log.warning("event %s failed, retrying in %.1f s: %r", event["id"], countdown, exc)
        # Past max_retries, retry() raises exc itself and on_failure records the dead letter.
        raise self.retry(
            exc=exc,
            countdown=countdown,
            max_retries=config.event_max_retries,
            **event_task_reprs(event),
        ) from exc
    log.info("event %s %s", event["id"], outcome, extra={"event_type": event["type"]})
    runtime.confirmer.confirm(event)
    return outcome


@app.task(
    name=GENERATE_REPORT,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def generate_report(report_id: str) -> str:
    runtime = process_runtime()
    config = runtime.config
    outcome = generate.generate_report(
        runtime.sessions,
        config.reports_dir,
        report_id,
        link_settings=LinkSettings(config.public_url, config.secret_key, config.report_link_days),
    )
    log.info("report %s %s", report_id, outcome)
    return outcome


@app.task(name=SWEEP_JOBS, acks_late=True)
def sweep_jobs() -> int:
    with transaction(process_runtime().sessions) as session:
        stale = jobs.jobs_to_resend(session)
    for report_id in stale:
        send_generate(app, report_id, None)
    if stale:
        log.warning("re-sent %d report jobs", len(stale))
    return len(stale)


@app.task(name=TICK_SCHEDULES, acks_late=True)
def tick_schedules(now: str | None = None) -> int:
    """``now`` (ISO time) is for tests and catch-up runs; beat sends no arguments."""
    moment = datetime.fromisoformat(now) if now else jobs.now()
    fired = schedules.tick(
        process_runtime().sessions,
        moment,
        lambda report_id, correlation_id: send_generate(app, report_id, correlation_id),
    )
    log.info("schedule tick at %s fired %d", moment.isoformat(), len(fired))
    return len(fired)
