"""Bad input, missing identity and the wrong role get clear JSON errors, never a 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict

from reports.api.idempotency import once
from reports.app import create_app
from reports.schemas import ReportSchema
from setu_contract.edge import BODY_NOT_JSON
from setu_contract.http import Principal

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "IN").headers()
PARTNER = Principal("org-p", "partner", "key-3").headers()
AUDITOR_HEADERS = Principal("org-a", "auditor", "key-4").headers()
GOOD = {
    "type": "programme_portfolio",
    "format": "csv",
    "period": {"start": "2026-01-01", "end": "2026-03-31"},
}


def _error(response, code: int) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code and body["status"] and body["message"]
    return body


def test_identity_is_required(reports_client):
    _error(reports_client.post("/v1/reports", json=GOOD), 401)
    _error(reports_client.get("/v1/reports/abc"), 401)


def test_partners_may_not_request_reports(reports_client):
    _error(reports_client.post("/v1/reports", json=GOOD, headers=PARTNER), 403)


def test_malformed_json_is_400(reports_client):
    response = reports_client.post(
        "/v1/reports", data="{not json", headers={**SECRETARIAT, "Content-Type": "application/json"}
    )
    _error(response, 400)


def test_wrong_content_type_is_415(reports_client):
    response = reports_client.post(
        "/v1/reports", data="type=csv", headers={**SECRETARIAT, "Content-Type": "text/plain"}
    )
    assert _error(response, 415)["message"] == BODY_NOT_JSON
    # The view reads a JSON body: none at all is not one either.
    assert _error(reports_client.post("/v1/reports", headers=SECRETARIAT), 415)["message"] == (
        BODY_NOT_JSON
    )


def test_oversized_body_is_413(reports_client):
    body = '{"x": "' + "a" * (1024 * 1024 + 10) + '"}'
    response = reports_client.post(
        "/v1/reports", data=body, headers={**SECRETARIAT, "Content-Type": "application/json"}
    )
    _error(response, 413)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD, "type": "everything"}, "type"),
        ({**GOOD, "format": "docx"}, "format"),
        ({**GOOD, "period": {"start": "2026-05-01", "end": "2026-04-01"}}, "period"),
        ({**GOOD, "period": {"start": "yesterday", "end": "2026-04-01"}}, "period"),
        ({**GOOD, "recipients": ["not-an-address"]}, "recipients"),
        ({**GOOD, "filters": {"focus_area": ["astrology"]}}, "filters"),
        ({k: v for k, v in GOOD.items() if k != "period"}, "period"),
    ],
)
def test_invalid_fields_are_422_field_by_field(reports_client, body, field):
    errors = _error(reports_client.post("/v1/reports", json=body, headers=SECRETARIAT), 422)
    assert field in errors["errors"]


@pytest.mark.parametrize("body", [[1, 2], "text", 7, None, {"type": {"nested": True}}])
def test_odd_json_is_422(reports_client, body):
    # Written out: the test client's ``json=None`` sends no body at all, not JSON's null.
    sent = reports_client.post(
        "/v1/reports", data=json.dumps(body), content_type="application/json", headers=SECRETARIAT
    )
    _error(sent, 422)


def test_unknown_report_is_404_and_unfinished_download_409(reports_client):
    _error(reports_client.get("/v1/reports/nope", headers=SECRETARIAT), 404)
    _error(reports_client.get("/v1/reports/nope/download", headers=SECRETARIAT), 404)
    created = reports_client.post("/v1/reports", json=GOOD, headers=SECRETARIAT)
    assert created.status_code == 202
    report_id = created.get_json()["id"]
    _error(reports_client.get(f"/v1/reports/{report_id}/download", headers=SECRETARIAT), 409)


def test_service_endpoints(reports_client):
    assert reports_client.get("/healthz").get_json() == {"status": "ok"}
    ready = reports_client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {
        "database": "ok",
        "redis": "ok",
    }
    spec = reports_client.get("/openapi.json").get_json()
    assert "/v1/reports" in spec["paths"]
    assert reports_client.get("/healthz").headers["X-Correlation-Id"]


def test_idempotency_key_answers_the_first_response_again(reports_client, reports_service):
    headers = {**SECRETARIAT, "Idempotency-Key": "order-42"}
    first = reports_client.post("/v1/reports", json=GOOD, headers=headers)
    again = reports_client.post("/v1/reports", json=GOOD, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.get_json() == first.get_json()
    assert (
        again.headers["Idempotent-Replayed"] == "true"
        and "Idempotent-Replayed" not in first.headers
    )
    listing = reports_client.get("/v1/reports", headers=SECRETARIAT).get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == first.get_json()["id"]

    other = reports_client.post("/v1/reports", json={**GOOD, "format": "json"}, headers=headers)
    assert _error(other, 422)["message"].startswith("This Idempotency-Key")
    # Another organisation's identical key is its own.
    mine = reports_client.post(
        "/v1/reports", json=GOOD, headers={**AUDITOR_HEADERS, "Idempotency-Key": "order-42"}
    )
    assert mine.status_code == 202 and mine.get_json()["id"] != first.get_json()["id"]


def test_schedule_creation_is_idempotent_too(reports_client):
    body = {
        "type": "partner_activity",
        "format": "html",
        "cron": "30 8 * * 5",
        "timezone": "Asia/Kolkata",
    }
    headers = {**SECRETARIAT, "Idempotency-Key": "sched-1"}
    first = reports_client.post("/v1/report-schedules", json=body, headers=headers)
    again = reports_client.post("/v1/report-schedules", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert reports_client.get("/v1/report-schedules", headers=SECRETARIAT).get_json()["total"] == 3


def test_a_write_that_conflicts_with_no_key_behind_it_is_409_not_an_error(reports_service):
    """An IntegrityError that no stored Idempotency-Key explains (the write itself collided)
    is a 409, not an Optional unpacked into a 500."""

    def collide(_session):
        raise IntegrityError("INSERT", {}, Exception("unique"))

    app = create_app(reports_service.config)
    with (
        app.test_request_context(
            "/v1/reports", method="POST", json=GOOD, headers={"Idempotency-Key": "k-1"}
        ),
        pytest.raises(Conflict),
    ):
        once("org-s", 202, ReportSchema(), collide)
