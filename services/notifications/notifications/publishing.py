"""Sending this service's own tasks from the API and the command line (by name)."""

from __future__ import annotations

import logging
from functools import cache

from celery import Celery

from notifications.services.dead_letters import Requeue
from setu_contract.messaging import NOTIFICATIONS_QUEUE, celery_settings, task_reprs

log = logging.getLogger(__name__)


@cache
def _producer(redis_url: str) -> Celery:
    producer = Celery("notifications-producer")
    producer.conf.update(celery_settings(redis_url))
    return producer


def publish(redis_url: str, work: Requeue) -> bool:
    """Send the task; False if the broker is unreachable (the sweeper will pick it up)."""
    try:
        _producer(redis_url).send_task(
            work.task_name, args=work.args, queue=NOTIFICATIONS_QUEUE, **task_reprs(work.args)
        )
    except Exception as exc:  # kombu raises several kinds; the database already says "retry"
        log.warning("could not publish, the sweeper will", extra={"error": repr(exc)})
        return False
    return True
