"""Generating a report on a real database: progress visible while it runs, failures explained."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import func, select

from reports.services import generate, jobs
from reports.services.report_types import REGISTRY, ReportType
from reports.store.db import transaction
from reports.store.models import ReportJob, outbox


def _job(service, report_type: str = "programme_portfolio", fmt: str = "csv") -> str:
    request = jobs.ReportRequest(
        report_type, fmt, date(2026, 1, 1), date(2026, 1, 31), {}, [], "cid-gen"
    )
    with transaction(service.sessions) as session:
        return jobs.request_report(session, request)


def _progress(service, report_id: str) -> tuple[str, int]:
    with service.sessions() as session:
        job = session.get(ReportJob, report_id)
        return job.status, job.progress


def _generate_portfolio_with(service, report_id: str, compute, progress_every: float) -> str:
    """The job run as the portfolio, its figures computed by ``compute``."""
    portfolio = replace(REGISTRY["programme_portfolio"], compute=compute)
    return generate.generate_report(
        service.sessions,
        service.config.reports_dir,
        report_id,
        {portfolio.name: portfolio},
        progress_every=progress_every,
    )


def test_progress_moves_while_the_report_is_computed(reports_service):
    report_id = _job(reports_service)
    seen: list[tuple[str, int]] = []
    real = REGISTRY["programme_portfolio"]

    def slow_compute(session, start, end, filters, progress):
        seen.append(_progress(reports_service, report_id))
        progress(30)
        seen.append(_progress(reports_service, report_id))
        result = real.compute(session, start, end, filters, progress)
        seen.append(_progress(reports_service, report_id))
        return result

    # every figure written, however fast the report
    outcome = _generate_portfolio_with(reports_service, report_id, slow_compute, 0)
    assert outcome == "succeeded"
    assert seen == [("running", 5), ("running", 30), ("running", 50)]
    assert _progress(reports_service, report_id) == ("succeeded", 100)


def test_a_report_done_before_the_next_figure_is_due_writes_only_its_claim_and_end(
    reports_service,
):
    report_id = _job(reports_service)
    seen: list[tuple[str, int]] = []
    real = REGISTRY["programme_portfolio"]

    def watched_compute(session, start, end, filters, progress):
        progress(30)  # due only an hour after the claim: not written
        seen.append(_progress(reports_service, report_id))
        return real.compute(session, start, end, filters, progress)

    outcome = _generate_portfolio_with(reports_service, report_id, watched_compute, 3600)
    assert outcome == "succeeded"
    assert seen == [("running", 1)]  # the claim's figure
    assert _progress(reports_service, report_id) == ("succeeded", 100)


def test_a_failed_report_says_why_and_emits_nothing(reports_service):
    report_id = _job(reports_service)

    def broken(session, start, end, filters, progress):
        raise RuntimeError("the read model is unreachable")

    registry = {"programme_portfolio": ReportType("programme_portfolio", "t", "d", broken)}
    outcome = generate.generate_report(
        reports_service.sessions, reports_service.config.reports_dir, report_id, registry
    )
    assert outcome == "failed"
    with reports_service.sessions() as session:
        job = session.get(ReportJob, report_id)
        assert job.status == "failed"
        assert job.error == "RuntimeError: the read model is unreachable"
        assert session.execute(select(func.count()).select_from(outbox)).scalar_one() == 0
    # A redelivered task for a failed job does nothing.
    assert (
        generate.generate_report(
            reports_service.sessions, reports_service.config.reports_dir, report_id
        )
        == "skipped"
    )


def test_files_are_kept_under_the_data_dir(reports_service):
    report_id = _job(reports_service, fmt="json")
    generate.generate_report(
        reports_service.sessions, reports_service.config.reports_dir, report_id
    )
    with reports_service.sessions() as session:
        path = session.get(ReportJob, report_id).path
    assert path.startswith(str(reports_service.config.data_dir.resolve() / "reports" / report_id))
