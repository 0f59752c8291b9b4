"""Report jobs: request, read, claim, finish. One function per use case, session first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from reports.domain.errors import NotFound, ReportNotReady
from reports.store.models import ReportJob, outbox
from reports.translations import DEFAULT_LANGUAGE
from setu_contract.database import changed_rows
from setu_contract.events import EventType, build_event
from setu_contract.messaging import TASK_TIME_LIMIT
from setu_contract.outbox import append

# A job still "running" this long after it started has lost its worker (the hard time limit
# would have ended it): it may be claimed again.
STALE_RUNNING = timedelta(seconds=TASK_TIME_LIMIT * 2)
# A job still "queued" this long after it was sent has lost its message: send it again.
STALE_QUEUED = timedelta(seconds=60)


class ReportNotFound(NotFound):
    def __init__(self, report_id: str):
        super().__init__("report")
        self.report_id = report_id


@dataclass(frozen=True)
class ReportRequest:
    type: str
    format: str
    period_start: date
    period_end: date
    filters: dict[str, Any]
    recipients: list[str]
    correlation_id: str
    requested_by: str | None = None
    schedule_id: str | None = None
    language: str = DEFAULT_LANGUAGE


def now() -> datetime:
    return datetime.now(UTC)


def request_report(session: Session, request: ReportRequest, at: datetime | None = None) -> str:
    """Record a queued job; the caller commits and then sends it to a worker."""
    moment = at or now()
    job = ReportJob(
        id=str(uuid.uuid4()),
        type=request.type,
        format=request.format,
        period_start=request.period_start,
        period_end=request.period_end,
        filters=request.filters,
        recipients=request.recipients,
        status="queued",
        progress=0,
        correlation_id=request.correlation_id,
        requested_by=request.requested_by,
        schedule_id=request.schedule_id,
        language=request.language,
        link_generation=0,
        created_at=moment,
        enqueued_at=moment,
    )
    session.add(job)
    session.flush()
    return job.id


def get_report(session: Session, report_id: str) -> ReportJob:
    job = session.get(ReportJob, report_id)
    if job is None:
        raise ReportNotFound(report_id)
    return job


def list_reports(session: Session, query: dict[str, Any]) -> tuple[list[ReportJob], int]:
    """Newest first, filtered by status, type and schedule."""
    conditions = [
        getattr(ReportJob, name) == query[name]
        for name in ("status", "type", "schedule_id")
        if query.get(name)
    ]
    total = session.execute(
        select(func.count()).select_from(ReportJob).where(*conditions)
    ).scalar_one()
    items = session.execute(
        select(ReportJob)
        .where(*conditions)
        .order_by(ReportJob.created_at.desc(), ReportJob.id)
        .offset((query["page"] - 1) * query["page_size"])
        .limit(query["page_size"])
    ).scalars()
    return list(items), total


def finished_report(session: Session, report_id: str) -> ReportJob:
    job = get_report(session, report_id)
    if job.status != "succeeded" or not job.path:
        raise ReportNotReady(job.status)
    return job


def claim(session: Session, report_id: str, at: datetime | None = None) -> bool:
    """Atomically move a job from queued (or stale running) to running; False if taken."""
    moment = at or now()
    result = session.execute(
        update(ReportJob)
        .where(
            ReportJob.id == report_id,
            or_(
                ReportJob.status == "queued",
                (ReportJob.status == "running") & (ReportJob.started_at < moment - STALE_RUNNING),
            ),
        )
        .values(status="running", started_at=moment, progress=1, error=None)
    )
    return bool(changed_rows(result))


def set_progress(session: Session, report_id: str, progress: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Progress is advisory: its commit need not wait for the WAL flush (a crash can lose
        # only the latest figure; claiming and finishing a job stay synchronous).
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    session.execute(
        update(ReportJob)
        .where(ReportJob.id == report_id, ReportJob.status == "running")
        .values(progress=max(1, min(progress, 99)))
    )


def succeed(
    session: Session,
    report_id: str,
    *,
    path: str,
    size: int,
    sha256: str,
    download_path: str,
    file: dict[str, Any] | None = None,
) -> bool:
    """Mark the job succeeded and append report.generated, in the caller's one transaction.

    ``file`` adds to the event what its emails need: the signed ``link`` and when it
    expires, the ``file_name`` and ``content_type`` of the download, the ``language``."""
    result = session.execute(
        update(ReportJob)
        .where(ReportJob.id == report_id, ReportJob.status == "running")
        .values(
            status="succeeded",
            progress=100,
            path=path,
            size=size,
            sha256=sha256,
            finished_at=now(),
            error=None,
        )
    )
    if not changed_rows(result):
        return False
    job = get_report(session, report_id)
    envelope = build_event(
        EventType.REPORT_GENERATED,
        _generated(job, download_path, size, sha256, file or {}),
        producer="reports",
        correlation_id=job.correlation_id,
    )
    append(session, outbox, envelope)
    return True


def _generated(
    job: ReportJob, download_path: str, size: int, sha256: str, file: dict[str, Any]
) -> dict[str, Any]:
    """The data of report.generated."""
    return {
        "report_id": job.id,
        "type": job.type,
        "format": job.format,
        "period": {"start": job.period_start.isoformat(), "end": job.period_end.isoformat()},
        "download_path": download_path,
        "recipients": list(job.recipients or []),
        "size": size,
        "sha256": sha256,
        "schedule_id": job.schedule_id,
        "language": job.language,
        **file,
    }


def fail(session: Session, report_id: str, reason: str) -> None:
    session.execute(
        update(ReportJob)
        .where(ReportJob.id == report_id, ReportJob.status.in_(("queued", "running")))
        .values(status="failed", error=reason[:2000], finished_at=now())
    )


def jobs_to_resend(session: Session, at: datetime | None = None, limit: int = 100) -> list[str]:
    """Jobs whose message was lost (queued too long) or whose worker died (running too long).

    Their ``enqueued_at`` is moved on so that the next sweep leaves them a minute again.
    """
    moment = at or now()
    query = (
        select(ReportJob.id)
        .where(
            or_(
                (ReportJob.status == "queued") & (ReportJob.enqueued_at < moment - STALE_QUEUED),
                (ReportJob.status == "running")
                & (ReportJob.started_at < moment - STALE_RUNNING)
                & (ReportJob.enqueued_at < moment - STALE_QUEUED),
            )
        )
        .order_by(ReportJob.enqueued_at)
        .limit(limit)
    )
    ids = list(session.execute(query).scalars())
    if ids:
        session.execute(update(ReportJob).where(ReportJob.id.in_(ids)).values(enqueued_at=moment))
    return ids
