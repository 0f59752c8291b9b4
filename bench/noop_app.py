"""The broker ceiling: a Celery app with one task that does nothing, on the shared settings."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

from setu_contract.messaging import celery_settings

QUEUE = "bench-noop"
TASK = "bench.noop"


def _settings() -> dict[str, Any]:
    return {**celery_settings(os.environ["REDIS_URL"]), "task_default_queue": QUEUE}


app = Celery("bench")
app.add_defaults(_settings)


@app.task(name=TASK)
def noop(*args: Any) -> None:
    return None
