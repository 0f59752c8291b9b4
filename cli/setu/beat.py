"""The one beat process of the system: it only sends tasks by name, on their queues.

Every periodic task is safe to run twice (each takes a unique key per due time in its
service's database), so a second beat during a failover doubles nothing.
"""

import os
from pathlib import Path

from celery import Celery

from setu_contract.messaging import (
    NOTIFICATIONS_QUEUE,
    REPORTS_QUEUE,
    celery_settings,
    keep_new_files_private_in_workers,
)

# How often beat asks the reports service for schedules that are due (SCHEDULE_TICK_SECONDS).
TICK = 30.0


def schedule(tick: float = TICK) -> dict[str, tuple[str, str, float]]:
    """Each periodic task: its name, its queue and its period in seconds."""
    return {
        "reports-tick-schedules": ("reports.tick_schedules", REPORTS_QUEUE, tick),
        "reports-sweep-jobs": ("reports.sweep_jobs", REPORTS_QUEUE, 60.0),
        "notifications-sweep-deliveries": (
            "notifications.sweep_deliveries",
            NOTIFICATIONS_QUEUE,
            60.0,
        ),
    }


def create_beat_app() -> Celery:
    app = Celery("setu-beat")
    app.conf.update(celery_settings(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")))
    data_dir = Path(os.environ.get("SETU_DATA_DIR", "var"))
    data_dir.mkdir(parents=True, exist_ok=True)
    app.conf.beat_schedule_filename = str(data_dir / "celerybeat-schedule")
    tick = float(os.environ.get("SCHEDULE_TICK_SECONDS") or TICK)
    app.conf.beat_schedule = {
        # A tick that waited longer than its period is useless: the next one is coming.
        name: {"task": task, "schedule": every, "options": {"queue": queue, "expires": every}}
        for name, (task, queue, every) in schedule(tick).items()
    }
    return app


app = create_beat_app()
keep_new_files_private_in_workers()
