"""Report schedules: CRUD, and the tick that fires each due time exactly once.

Firing inserts a ``schedule_runs`` row keyed UNIQUE (schedule_id, due_at) and the report job
in one transaction: a second tick (another beat, a redelivered task) for the same due time
fails on that key and does nothing. A tick that comes after several due times were missed
fires only the latest of them, once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from reports.domain.errors import NotFound, StaleVersion
from reports.domain.schedule import latest_due_at_or_before, next_due_after, period_for
from reports.services import jobs
from reports.store.db import transaction
from reports.store.models import ReportSchedule, ScheduleRun

log = logging.getLogger(__name__)

TIMING_FIELDS = ("cron", "timezone", "enabled")


def create_schedule(session: Session, fields: dict[str, Any]) -> ReportSchedule:
    moment = jobs.now()
    schedule = ReportSchedule(
        id=str(uuid.uuid4()), version=1, created_at=moment, updated_at=moment, **fields
    )
    schedule.next_due_at = next_due_after(schedule.cron, schedule.timezone, moment)
    session.add(schedule)
    session.flush()
    return schedule


def list_schedules(session: Session, page: int, page_size: int) -> tuple[list, int]:
    total = session.execute(select(func.count()).select_from(ReportSchedule)).scalar_one()
    items = session.execute(
        select(ReportSchedule)
        .order_by(ReportSchedule.created_at, ReportSchedule.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).scalars()
    return list(items), total


def get_schedule(session: Session, schedule_id: str) -> ReportSchedule:
    schedule = session.get(ReportSchedule, schedule_id)
    if schedule is None:
        raise NotFound("report schedule")
    return schedule


def update_schedule(
    session: Session, schedule_id: str, changes: dict[str, Any], expected_version: int | None
) -> ReportSchedule:
    schedule = get_schedule(session, schedule_id)
    if expected_version is not None and expected_version != schedule.version:
        raise StaleVersion(schedule.version)
    for name, value in changes.items():
        setattr(schedule, name, value)
    moment = jobs.now()
    if any(name in changes for name in TIMING_FIELDS):
        # From now on: a changed schedule does not fire for due times already past.
        schedule.next_due_at = next_due_after(schedule.cron, schedule.timezone, moment)
    schedule.version += 1
    schedule.updated_at = moment
    session.flush()
    return schedule


def delete_schedule(session: Session, schedule_id: str, expected_version: int | None) -> None:
    schedule = get_schedule(session, schedule_id)
    if expected_version is not None and expected_version != schedule.version:
        raise StaleVersion(schedule.version)
    session.delete(schedule)


def list_runs(session: Session, schedule_id: str, page: int, page_size: int) -> tuple[list, int]:
    get_schedule(session, schedule_id)
    where = ScheduleRun.schedule_id == schedule_id
    total = session.execute(select(func.count()).where(where)).scalar_one()
    items = session.execute(
        select(ScheduleRun)
        .where(where)
        .order_by(ScheduleRun.due_at.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).scalars()
    return list(items), total


def fire_if_due(session: Session, schedule_id: str, now: datetime) -> str | None:
    """Record the run and the report job for the latest due time, if one is due; its id."""
    schedule = session.get(ReportSchedule, schedule_id)
    if schedule is None or not schedule.enabled:
        return None
    cursor = schedule.next_due_at or next_due_after(
        schedule.cron, schedule.timezone, schedule.created_at
    )
    if cursor > now:
        return None
    due_at = latest_due_at_or_before(schedule.cron, schedule.timezone, now)
    run = ScheduleRun(
        id=str(uuid.uuid4()), schedule_id=schedule.id, due_at=due_at, fired_at=jobs.now()
    )
    session.add(run)
    session.flush()  # the unique (schedule_id, due_at) key: a second firing stops here
    start, end = period_for(schedule.cron, schedule.timezone, due_at)
    run.report_id = jobs.request_report(
        session,
        jobs.ReportRequest(
            type=schedule.type,
            format=schedule.format,
            period_start=start,
            period_end=end,
            filters={},
            recipients=list(schedule.recipients or []),
            correlation_id=f"schedule-{schedule.id}-{due_at:%Y%m%dT%H%MZ}",
            schedule_id=schedule.id,
            language=schedule.language,
        ),
    )
    schedule.next_due_at = next_due_after(schedule.cron, schedule.timezone, due_at)
    return run.report_id


def tick(
    factory: sessionmaker[Session],
    now: datetime,
    send: Callable[[str, str], None],
    attempts: int = 3,
) -> list[str]:
    """Fire every due schedule once; send each new report job; return their ids."""
    with factory() as session:
        ids = list(
            session.execute(
                select(ReportSchedule.id).where(ReportSchedule.enabled.is_(True))
            ).scalars()
        )
    fired = []
    for schedule_id in ids:
        report_id = _fire_once(factory, schedule_id, now, attempts)
        if report_id:
            fired.append(report_id)
            try:
                send(report_id, f"schedule-{schedule_id}")
            except Exception as exc:  # the broker is away: the job sweep sends it later
                log.warning("scheduled report %s not sent now: %r", report_id, exc)
    return fired


def _fire_once(factory, schedule_id: str, now: datetime, attempts: int) -> str | None:
    for attempt in range(attempts):
        try:
            with transaction(factory) as session:
                return fire_if_due(session, schedule_id, now)
        except IntegrityError:
            return None  # another tick fired this due time first
        except OperationalError:
            # The database was busy or away past its timeout: try again.
            if attempt == attempts - 1:
                raise
    return None
