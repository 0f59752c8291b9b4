"""Produce a report file for a job: claim it, compute, render, store, mark it done.

The file is written before the job is marked succeeded; marking it and appending
``report.generated`` to the outbox happen in one transaction. A job claimed by another
worker, or already finished, is left alone, so a redelivered task does nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from reports.domain.catalogue import CONTENT_TYPES, LOCALISED_FORMATS, download_name, file_name
from reports.domain.summary import compare, previous_period
from reports.domain.tables import ReportData
from reports.render import RENDERERS
from reports.services import jobs
from reports.services.links import LinkSettings, make_link
from reports.services.report_types import REGISTRY, ReportType
from reports.store.db import reading_sessions, transaction
from reports.store.models import ReportJob
from reports.translations import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)

# Seconds between two progress figures written for one job. The claim writes 1 and the end
# 100; in between, a figure is written only if this long has passed since the last write,
# so a report done in a fraction of a second costs no transaction for progress that nobody
# could have seen, and a long one still shows it moving.
PROGRESS_EVERY = 0.5


@dataclass(frozen=True)
class JobSpec:
    id: str
    type: str
    format: str
    period_start: date
    period_end: date
    filters: dict[str, Any]
    correlation_id: str
    language: str = DEFAULT_LANGUAGE

    @classmethod
    def of(cls, job: ReportJob) -> JobSpec:
        return cls(
            job.id,
            job.type,
            job.format,
            job.period_start,
            job.period_end,
            dict(job.filters or {}),
            job.correlation_id,
            job.language,
        )


def generate_report(
    factory: sessionmaker[Session],
    reports_dir: Path,
    report_id: str,
    registry: dict[str, ReportType] = REGISTRY,
    progress_every: float = PROGRESS_EVERY,
    link_settings: LinkSettings | None = None,
) -> str:
    """Return 'skipped' (not ours to run), 'failed' (reason recorded) or 'succeeded'.

    With ``link_settings``, report.generated carries a signed download link that needs no
    key (for the report's emails)."""
    with transaction(factory) as session:
        if not jobs.claim(session, report_id):
            return "skipped"
        spec = JobSpec.of(jobs.get_report(session, report_id))
    try:
        content = render(factory, spec, registry[spec.type], progress_every)
        path = store_file(reports_dir, spec, content)
    except Exception as exc:  # any failure of this job is recorded on it, with its reason
        log.exception("report %s failed", report_id)
        with transaction(factory) as session:
            jobs.fail(session, report_id, f"{type(exc).__name__}: {exc}")
        return "failed"
    with transaction(factory) as session:
        jobs.succeed(
            session,
            report_id,
            path=str(path),
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            download_path=f"/v1/reports/{report_id}/download",
            file=_file_facts(session, spec, link_settings),
        )
    return "succeeded"


def _file_facts(session: Session, spec: JobSpec, settings: LinkSettings | None) -> dict:
    facts = {
        "file_name": download_name(
            spec.type, spec.format, spec.period_start, spec.period_end, spec.language
        ),
        "content_type": CONTENT_TYPES[spec.format],
    }
    if settings is not None:
        link, expires_at = make_link(settings, jobs.get_report(session, spec.id), jobs.now())
        facts.update(link=link, link_expires_at=expires_at.isoformat())
    return facts


def render(
    factory: sessionmaker[Session],
    spec: JobSpec,
    report_type: ReportType,
    progress_every: float = PROGRESS_EVERY,
) -> bytes:
    written = time.monotonic()  # the claim has just written its figure

    def progress(value: int) -> None:
        nonlocal written
        if time.monotonic() - written < progress_every:
            return
        with transaction(factory) as session:
            jobs.set_progress(session, spec.id, value)
        written = time.monotonic()

    progress(5)
    # Read without SQLite's write lock: ``progress`` writes from another session meanwhile.
    with reading_sessions(factory)() as session:
        data = compute(session, spec, report_type, progress)
    progress(65)

    def on_chart(done: int, total: int) -> None:
        progress(65 + 25 * done // max(total, 1))

    return RENDERERS[spec.format](data, on_chart)


def compute(session: Session, spec: JobSpec, report_type: ReportType, progress) -> ReportData:
    """The report's tables and charts; for html and pdf, which people read, also its
    headline figures against the previous period of the same length (computed alike)."""
    tables, charts = report_type.compute(
        session, spec.period_start, spec.period_end, spec.filters, progress
    )
    previous = previous_period(spec.period_start, spec.period_end)
    summary = []
    if spec.format in LOCALISED_FORMATS:
        earlier, _ = report_type.compute(session, *previous, spec.filters, lambda _: None)
        summary = compare(report_type.headlines, tables, earlier)
    return ReportData(
        type=spec.type,
        title=report_type.title,
        period_start=spec.period_start,
        period_end=spec.period_end,
        generated_at=jobs.now(),
        correlation_id=spec.correlation_id,
        tables=tables,
        charts=charts,
        definition=report_type.definition,
        language=spec.language,
        summary=summary,
        previous_period=previous if summary else None,
    )


def store_file(reports_dir: Path, spec: JobSpec, content: bytes) -> Path:
    """Write atomically: a reader never sees half a file under the final name."""
    directory = reports_dir / spec.id
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(spec.type, spec.format, spec.period_start, spec.period_end)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)
    return path.resolve()
