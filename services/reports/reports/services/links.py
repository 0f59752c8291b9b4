"""Signed download links of finished reports: made when a report succeeds, followed without
a key, revoked by the secretariat (every link of the report made so far stops working)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from reports.domain import links
from reports.domain.errors import NotFound
from reports.services import jobs
from reports.store.models import ReportJob


class LinkNotFound(NotFound):
    """Tampered, expired, revoked, or of a report that is not there: one answer, 404."""

    def __init__(self) -> None:
        super().__init__("report link (it may have expired or been revoked)")


@dataclass(frozen=True)
class LinkSettings:
    public_url: str
    secret: str
    days: float


def make_link(settings: LinkSettings, job: ReportJob, at: datetime) -> tuple[str, datetime]:
    """The public URL of a new link to ``job``'s file, and when it expires."""
    expires_at = at + timedelta(days=settings.days)
    claim = links.LinkClaim(job.id, job.link_generation or 0, expires_at)
    token = links.sign(settings.secret, claim)
    return f"{settings.public_url}{links.PATH}/{token}", expires_at


def report_for_link(session: Session, secret: str, token: str, at: datetime) -> ReportJob:
    """The finished report a valid link names; LinkNotFound for anything else."""
    try:
        claim = links.read(secret, token, at)
    except links.InvalidLink as exc:
        raise LinkNotFound() from exc
    job = session.get(ReportJob, claim.report_id)
    if job is None or job.status != "succeeded" or job.link_generation != claim.generation:
        raise LinkNotFound()
    return job


def revoke_links(session: Session, report_id: str) -> None:
    """Every link of the report made so far answers 404 from now on."""
    jobs.get_report(session, report_id)
    session.execute(
        update(ReportJob)
        .where(ReportJob.id == report_id)
        .values(link_generation=ReportJob.link_generation + 1)
    )
