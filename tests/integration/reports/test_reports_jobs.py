"""Request a report over HTTP; the real worker produces it; download and count."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from reports.services import jobs
from reports.store.db import transaction
from reports.store.models import ProcessedEvent, ReportJob, outbox
from reports.worker import SWEEP_JOBS
from setu_contract.events import EventType
from setu_contract.http import Principal
from tests.integration.reports import factories as f
from tests.support.infra import wait_until

SECRETARIAT = Principal("org-secretariat-jp", "secretariat", "key-1", "JP").headers()
AUDITOR = Principal("org-audit", "auditor", "key-2").headers()
TODAY = datetime.now(UTC).date()
# Ends tomorrow: the factories stamp events when they are made, which for a run crossing
# midnight (UTC) is already the day after this module was imported.
PERIOD = {
    "start": (TODAY - timedelta(days=30)).isoformat(),
    "end": (TODAY + timedelta(days=1)).isoformat(),
}


def _feed(service, envelopes) -> None:
    for envelope in envelopes:
        service.send_event(envelope)

    def applied() -> bool:
        with service.sessions() as session:
            done = session.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one()
        return done >= len({e["id"] for e in envelopes})

    wait_until(applied, message="events applied")


def _portfolio_events():
    jp, india = f.organisation("JP", "Tohoku University"), f.organisation("IN", "IIT Madras")
    envelopes = [f.event(EventType.ORGANISATION_REGISTERED, o) for o in (jp, india)]
    old = datetime.now(UTC) - timedelta(days=400)
    programmes = [
        f.programme(jp, india, focus_area="ai_research", jpy="1000", inr="10.50"),
        f.programme(jp, india, focus_area="ai_research", jpy="2000", inr="0.25"),
        f.programme(jp, india, focus_area="semiconductor_design", jpy="5"),
        f.programme(jp, india, focus_area="ai_research", created_at=old),  # outside the period
    ]
    envelopes += [f.event(EventType.PROGRAMME_CREATED, p) for p in programmes]
    submitted = f.status_changed(programmes[0], "submitted", "submit", jp["id"])
    envelopes.append(f.event(EventType.PROGRAMME_STATUS_CHANGED, submitted))
    # Delivered twice, and an old snapshot after the new one: counted once, as submitted.
    envelopes.append(envelopes[-1])
    envelopes.append(f.event(EventType.PROGRAMME_UPDATED, programmes[0]))
    return envelopes


def _wait_finished(client, report_id: str) -> dict:
    def finished():
        body = client.get(f"/v1/reports/{report_id}", headers=SECRETARIAT).get_json()
        return body if body["status"] in ("succeeded", "failed") else None

    return wait_until(finished, timeout=30, message="the report to finish")


def test_portfolio_csv_counts_from_events(reports_service, reports_worker, reports_client):
    _feed(reports_service, _portfolio_events())

    response = reports_client.post(
        "/v1/reports",
        json={
            "type": "programme_portfolio",
            "format": "csv",
            "period": PERIOD,
            # An organisation's contact address (the events fed above): auditors have
            # reports emailed to no one, the secretariat to organisations' contacts.
            "recipients": ["office@example.org"],
        },
        headers=SECRETARIAT,
    )
    assert response.status_code == 202, response.get_json()
    report = _wait_finished(reports_client, response.get_json()["id"])
    assert report["status"] == "succeeded", report
    assert report["progress"] == 100
    assert report["download_url"].endswith(f"/v1/reports/{report['id']}/download")

    download = reports_client.get(f"/v1/reports/{report['id']}/download", headers=SECRETARIAT)
    assert download.status_code == 200
    # One Content-Type, its charset once; a file name a person understands.
    assert download.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]
    assert download.headers["Content-Disposition"] == (
        f"attachment; filename=setu-programme-portfolio-{PERIOD['start']}-to-{PERIOD['end']}.csv"
    )
    assert report["size"] == len(download.data)
    assert report["sha256"] == hashlib.sha256(download.data).hexdigest()
    rows = list(csv.DictReader(io.StringIO(download.data.decode())))
    table = {(r["focus_area"], r["status"]): r for r in rows}
    assert set(table) == {
        ("ai_research", "draft"),
        ("ai_research", "submitted"),
        ("semiconductor_design", "draft"),
    }
    assert table[("ai_research", "submitted")]["programmes"] == "1"
    assert table[("ai_research", "submitted")]["budget_jpy"] == "1000"
    assert table[("ai_research", "submitted")]["budget_inr"] == "10.50"
    assert table[("ai_research", "draft")]["budget_inr"] == "0.25"
    assert table[("semiconductor_design", "draft")]["budget_jpy"] == "5"

    with reports_service.sessions() as session:
        events = session.execute(select(outbox.c.type, outbox.c.payload)).all()
    assert [e.type for e in events] == ["report.generated"]
    assert events[0].payload["data"]["recipients"] == ["office@example.org"]
    assert events[0].payload["data"]["download_path"] == f"/v1/reports/{report['id']}/download"


def test_a_lost_enqueue_is_recovered_by_the_sweep(reports_service, reports_worker, reports_client):
    request = jobs.ReportRequest("programme_portfolio", "json", TODAY, TODAY, {}, [], "cid-1")
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    with transaction(reports_service.sessions) as session:
        report_id = jobs.request_report(session, request, at=long_ago)  # never sent

    reports_service.send(SWEEP_JOBS)
    report = _wait_finished(reports_client, report_id)
    assert report["status"] == "succeeded"
    body = reports_client.get(f"/v1/reports/{report_id}/download", headers=SECRETARIAT)
    assert body.get_json()["type"] == "programme_portfolio"


def test_a_redelivered_generate_task_does_not_run_twice(
    reports_service, reports_worker, reports_client
):
    response = reports_client.post(
        "/v1/reports",
        json={"type": "programme_portfolio", "format": "csv", "period": PERIOD},
        headers=SECRETARIAT,
    )
    report_id = response.get_json()["id"]
    first = _wait_finished(reports_client, report_id)
    reports_service.send("reports.generate_report", report_id)
    reports_service.send("reports.generate_report", report_id)
    wait_until(
        lambda: reports_worker.output().count(f"report {report_id} skipped") == 2,
        message="both redeliveries skipped",
    )
    again = reports_client.get(f"/v1/reports/{report_id}", headers=SECRETARIAT).get_json()
    assert again["sha256"] == first["sha256"]
    with reports_service.sessions() as session:
        generated = session.execute(select(func.count()).select_from(outbox)).scalar_one()
    assert generated == 1


def test_a_stale_running_job_is_claimed_again(reports_service, reports_worker, reports_client):
    request = jobs.ReportRequest("programme_portfolio", "csv", TODAY, TODAY, {}, [], "cid-2")
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    with transaction(reports_service.sessions) as session:
        report_id = jobs.request_report(session, request, at=long_ago)
        session.execute(
            update(ReportJob)
            .where(ReportJob.id == report_id)
            .values(status="running", started_at=long_ago)
        )
    reports_service.send(SWEEP_JOBS)
    assert _wait_finished(reports_client, report_id)["status"] == "succeeded"
