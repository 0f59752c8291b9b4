"""A Celery app with the consumers' task names that records what each delivery carried.

Started as a real ``celery worker`` process by the relay tests: it takes the relay's messages
off Redis exactly as the notifications and reports workers do (same settings, same task
names), and appends to the Redis list ``received`` what the worker handed to the task. An
event whose data's name starts with ``Retry`` is retried once first, the way a consumer
retries after a transient failure (showing the event's type and id, as the consumers do).
"""

from __future__ import annotations

import json
import os

import redis
from celery import Celery

from setu_contract.messaging import HANDLE_EVENT_TASK, celery_settings, event_task_reprs

REDIS_URL = os.environ["REDIS_URL"]
RECEIVED = "received"

app = Celery("relay-recording-worker")
app.conf.update(celery_settings(REDIS_URL))
record = redis.Redis.from_url(REDIS_URL, socket_timeout=5)


def _handle_event(task, envelope: dict) -> None:
    request = task.request
    record.rpush(
        RECEIVED,
        json.dumps(
            {
                "task": task.name,
                "id": request.id,
                "queue": request.delivery_info["routing_key"],
                "correlation_id": request.correlation_id,
                "retries": request.retries,
                "argsrepr": request.argsrepr,
                "envelope": envelope,
            }
        ),
    )
    if str(envelope["data"].get("name", "")).startswith("Retry") and request.retries == 0:
        raise task.retry(countdown=0, max_retries=1, **event_task_reprs(envelope))


for _task_name in HANDLE_EVENT_TASK.values():
    app.task(name=_task_name, bind=True)(_handle_event)
