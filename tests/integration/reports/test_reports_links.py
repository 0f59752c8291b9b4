"""A report's signed link opens its file with no key; a tampered, expired or revoked link, or
one of another key, answers 404. Downloads carry one Content-Type and a file name a person
understands. Reports and schedules take a language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from reports.app import create_app
from reports.domain.links import LinkClaim, sign
from reports.services import generate, jobs, schedules
from reports.services.links import LinkSettings, make_link
from reports.store.db import transaction
from reports.store.models import ReportJob, outbox
from setu_contract.http import Principal
from tests.support.identity import SECRET_KEY as SECRET
from tests.support.identity import signing_client

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "JP").headers()
AUDITOR = Principal("org-a", "auditor", "key-2").headers()
PARTNER = Principal("org-p", "partner", "key-3").headers()
QUARTER = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def client(reports_service):
    return signing_client(create_app(reports_service.config))


def _report(service, fmt: str = "html", language: str = "ja") -> tuple[str, str]:
    """A finished report, made by the worker's function; (its id, its link's path)."""
    request = jobs.ReportRequest("exchange_flows", fmt, *QUARTER, {}, [], "c", language=language)
    with transaction(service.sessions) as session:
        report_id = jobs.request_report(session, request)
    settings = LinkSettings("https://setu.example.org", SECRET, 7)
    outcome = generate.generate_report(
        service.sessions, service.config.reports_dir, report_id, link_settings=settings
    )
    assert outcome == "succeeded"
    with service.sessions() as session:
        [event] = session.execute(select(outbox.c.payload)).scalars()
    data = event["data"]
    assert data["link"].startswith("https://setu.example.org/v1/report-links/")
    assert datetime.fromisoformat(data["link_expires_at"]) > datetime.now(UTC) + timedelta(6)
    assert data["language"] == language and data["content_type"] == "text/html; charset=utf-8"
    return report_id, urlsplit(data["link"]).path


def _error(response, code: int) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.get_json()["code"] == code
    return response.get_json()


def test_the_link_opens_the_file_without_a_key(reports_service, client):
    report_id, link = _report(reports_service)
    opened = client.get(link)
    assert opened.status_code == 200
    assert opened.headers.getlist("Content-Type") == ["text/html; charset=utf-8"]
    name = "setu-exchange-flows-2026-Q1-ja.html"
    assert opened.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert opened.headers["Cache-Control"] == "private, no-store"
    with reports_service.sessions() as session:
        path = session.get(ReportJob, report_id).path
    assert opened.data == Path(path).read_bytes()
    download = client.get(f"/v1/reports/{report_id}/download", headers=AUDITOR)
    assert download.data == opened.data
    assert download.headers.getlist("Content-Type") == ["text/html; charset=utf-8"]


def test_tampered_foreign_and_expired_links_answer_404(reports_service, client):
    report_id, link = _report(reports_service)
    token = link.rsplit("/", 1)[1]
    payload, signature = token.rsplit(".", 1)
    # A character inside the signature (the last one's low bits carry nothing).
    flipped = signature[:10] + ("A" if signature[10] != "A" else "g") + signature[11:]
    _error(client.get(f"/v1/report-links/{payload}.{flipped}"), 404)
    changed = "B" if payload[3] != "B" else "C"
    _error(client.get(f"/v1/report-links/{payload[:3]}{changed}{payload[4:]}.{signature}"), 404)
    _error(client.get(f"/v1/report-links/{token[:-1]}"), 404)
    _error(client.get("/v1/report-links/not-a-link"), 404)
    soon = datetime.now(UTC) + timedelta(days=1)
    _error(client.get(f"/v1/report-links/{sign('another', LinkClaim(report_id, 0, soon))}"), 404)
    past = datetime.now(UTC) - timedelta(seconds=1)
    _error(client.get(f"/v1/report-links/{sign(SECRET, LinkClaim(report_id, 0, past))}"), 404)
    _error(client.get(f"/v1/report-links/{sign(SECRET, LinkClaim('nope', 0, soon))}"), 404)
    assert client.get(link).status_code == 200


def test_revoking_links_is_for_the_secretariat_and_ends_every_link_made_so_far(
    reports_service, client
):
    report_id, link = _report(reports_service)
    _error(client.delete(f"/v1/reports/{report_id}/links"), 401)
    _error(client.delete(f"/v1/reports/{report_id}/links", headers=AUDITOR), 403)
    _error(client.delete(f"/v1/reports/{report_id}/links", headers=PARTNER), 403)
    _error(client.delete("/v1/reports/nope/links", headers=SECRETARIAT), 404)
    assert client.get(link).status_code == 200

    revoked = client.delete(f"/v1/reports/{report_id}/links", headers=SECRETARIAT)
    assert revoked.status_code == 204
    _error(client.get(link), 404)
    with reports_service.sessions() as session:
        job = session.get(ReportJob, report_id)
        fresh, _ = make_link(LinkSettings("", SECRET, 7), job, datetime.now(UTC))
    assert client.get(fresh).status_code == 200  # a link made after the revocation


def test_reports_and_schedules_take_a_language(reports_service, client):
    body = {"type": "partner_activity", "format": "pdf", "period": {"start": "2026-01-01",
            "end": "2026-01-31"}}  # fmt: skip
    assert (
        "language"
        in _error(
            client.post("/v1/reports", json={**body, "language": "fr"}, headers=SECRETARIAT), 422
        )["errors"]
    )
    assert client.post("/v1/reports", json=body, headers=SECRETARIAT).get_json()["language"] == "en"
    created = client.post("/v1/reports", json={**body, "language": "hi"}, headers=SECRETARIAT)
    assert created.status_code == 202 and created.get_json()["language"] == "hi"

    schedule = {"type": "exchange_flows", "format": "pdf", "cron": "0 9 1 * *",
                "timezone": "Asia/Kolkata", "language": "ja"}  # fmt: skip
    bad = client.post("/v1/report-schedules", json={**schedule, "language": "jp"},
                      headers=SECRETARIAT)  # fmt: skip
    assert "language" in _error(bad, 422)["errors"]
    made = client.post("/v1/report-schedules", json=schedule, headers=SECRETARIAT).get_json()
    assert made["language"] == "ja"
    with transaction(reports_service.sessions) as session:
        report_id = schedules.fire_if_due(session, made["id"], datetime(2030, 1, 2, tzinfo=UTC))
    with reports_service.sessions() as session:
        assert session.get(ReportJob, report_id).language == "ja"
    changed = client.patch(
        f"/v1/report-schedules/{made['id']}", json={"language": "hi"}, headers=SECRETARIAT
    )
    assert changed.status_code == 200 and changed.get_json()["language"] == "hi"


def test_a_person_whose_link_does_not_work_reads_what_to_do_in_their_language(
    reports_service, client
):
    report_id, link = _report(reports_service)
    past = datetime.now(UTC) - timedelta(seconds=1)
    expired = f"/v1/report-links/{sign(SECRET, LinkClaim(report_id, 0, past))}"
    browser = {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "ja,en-GB;q=0.8",
    }
    for target in (expired, "/v1/report-links/not-a-link"):
        page = client.get(target, headers=browser)
        html = page.get_data(as_text=True)
        assert page.status_code == 404 and page.mimetype == "text/html"
        assert '<html lang="ja">' in html and "<h1>このリンクは使えません</h1>" in html
        assert "報告書をもう一度送るよう事務局に依頼してください" in html
        assert '<a href="/console/reports/">Setu コンソールで報告書を開く</a>' in html
    # A working link is still the file, for a browser as for a program.
    opened = client.get(link, headers=browser)
    assert opened.status_code == 200 and opened.headers["Content-Disposition"].startswith(
        "attachment"
    )
