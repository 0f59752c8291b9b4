"""Setu emails a report only to the secretariat or to an organisation's contact address
(PRODUCT.md, *Notifications*), and an auditor has none emailed (issue 26, item 10); an
Idempotency-Key never turns an unrelated conflict into a 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from reports.services.read_model import apply_event
from reports.store.db import transaction
from reports.store.models import ReportJob, ReportSchedule
from setu_contract.events import EventType
from setu_contract.http import Principal
from tests.integration.reports import factories as f

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "JP").headers()
AUDITOR = Principal("org-a", "auditor", "key-2").headers()
CONTACT = "lab@tokyo.example.jp"
REPORT = {
    "type": "programme_portfolio",
    "format": "csv",
    "period": {"start": "2026-01-01", "end": "2026-03-31"},
}
SCHEDULE = {"type": "exchange_flows", "format": "json", "cron": "0 9 1 * *"}
SCHEDULE["timezone"] = "Asia/Kolkata"


@pytest.fixture
def organisation(reports_service) -> dict[str, Any]:
    """An organisation the read model knows, with CONTACT as its contact address."""
    data = {**f.organisation("JP"), "contact_email": CONTACT}
    with transaction(reports_service.sessions) as session:
        apply_event(session, f.event(EventType.ORGANISATION_REGISTERED, data))
    return data


def _count(service, model) -> int:
    with service.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "recipients",
    [[CONTACT], ["LAB@Tokyo.Example.JP"], ["secretariat@setu.local", CONTACT], []],
)
def test_the_secretariat_has_reports_emailed_to_contacts_and_itself(
    reports_client, organisation, recipients
):
    answer = reports_client.post(
        "/v1/reports", json={**REPORT, "recipients": recipients}, headers=SECRETARIAT
    )
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["recipients"] == recipients


@pytest.mark.parametrize(
    "recipients",
    [["someone@elsewhere.example"], [CONTACT, "attacker@evil.example"]],
)
def test_any_other_recipient_is_refused_and_nothing_is_made(
    reports_service, reports_client, organisation, recipients
):
    before = (_count(reports_service, ReportJob), _count(reports_service, ReportSchedule))
    for path, body in (("/v1/reports", REPORT), ("/v1/report-schedules", SCHEDULE)):
        answer = reports_client.post(
            path, json={**body, "recipients": recipients}, headers=SECRETARIAT
        )
        assert answer.status_code == 422, answer.get_json()
        assert "not a recipient of Setu" in answer.get_json()["errors"]["recipients"][-1]
    after = (_count(reports_service, ReportJob), _count(reports_service, ReportSchedule))
    assert after == before


def test_a_schedule_cannot_be_changed_to_email_anyone_else(reports_client, organisation):
    created = reports_client.post(
        "/v1/report-schedules", json={**SCHEDULE, "recipients": [CONTACT]}, headers=SECRETARIAT
    )
    assert created.status_code == 201, created.get_json()
    path = f"/v1/report-schedules/{created.get_json()['id']}"
    changed = reports_client.patch(
        path, json={"recipients": ["attacker@evil.example"]}, headers=SECRETARIAT
    )
    assert changed.status_code == 422, changed.get_json()
    assert reports_client.get(path, headers=SECRETARIAT).get_json()["recipients"] == [CONTACT]


def test_an_auditor_reads_reports_but_has_none_emailed(reports_client, organisation):
    emailed = reports_client.post(
        "/v1/reports", json={**REPORT, "recipients": [CONTACT]}, headers=AUDITOR
    )
    assert emailed.status_code == 403, emailed.get_json()
    assert "secretariat" in emailed.get_json()["message"]
    read = reports_client.post("/v1/reports", json=REPORT, headers=AUDITOR)
    assert read.status_code == 202, read.get_json()


@pytest.fixture
def refusing_report_jobs(reports_service, database_url: str):
    """Every insert into report_jobs fails with an integrity error of the database's own,
    as a constraint unrelated to the Idempotency-Key would."""
    if database_url.startswith("sqlite"):
        statements = [
            "CREATE TRIGGER refuse BEFORE INSERT ON report_jobs "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ]
    else:
        statements = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE unique_violation USING MESSAGE = 'refused by the test'; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON report_jobs "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    with transaction(reports_service.sessions) as session:
        for statement in statements:
            session.execute(text(statement))


def test_an_unrelated_integrity_error_under_an_idempotency_key_answers_409(
    reports_client, refusing_report_jobs
):
    answer = reports_client.post(
        "/v1/reports", json=REPORT, headers={**SECRETARIAT, "Idempotency-Key": "k-1"}
    )
    assert answer.status_code == 409, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == 409
