"""The walking skeleton, end to end: every part of the architecture crossed over HTTP.

`setu up` starts the gateway, the three APIs, the relays, the workers and beat as separate
processes, against the real Redis and an SMTP server that this test owns.
"""

from __future__ import annotations

import csv
import io
import socket
import uuid

import pytest
import requests

from tests.e2e.topology import confirm_participation, running_setu
from tests.support.infra import wait_until

pytestmark = pytest.mark.e2e


def _organisation(system, key: str, name: str, country: str) -> dict:
    answer = system.api(
        "POST",
        "/v1/organisations",
        key,
        json={
            "name": name,
            "country": country,
            "kind": "university",
            "contact_email": f"office@{country.lower()}.example.org",
            "preferred_language": "en",
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_programme_submitted_is_emailed_and_reported(tmp_path, redis_url, smtp_server):
    with running_setu(tmp_path, redis_url, smtp_server.port) as system:
        secretariat = system.bootstrap_key("JP")
        tokyo = _organisation(system, secretariat, f"Tokyo Tech {uuid.uuid4().hex[:6]}", "JP")
        iitm = _organisation(system, secretariat, f"IIT Madras {uuid.uuid4().hex[:6]}", "IN")
        key = system.api(
            "POST",
            f"/v1/organisations/{tokyo['id']}/api-keys",
            secretariat,
            json={"name": "tokyo-ci", "role": "partner"},
        )
        assert key.status_code == 201, key.text
        partner = key.json()["key"]
        madras = system.api(
            "POST",
            f"/v1/organisations/{iitm['id']}/api-keys",
            secretariat,
            json={"name": "iitm-ci", "role": "partner"},
        )
        assert madras.status_code == 201, madras.text

        created = system.api(
            "POST",
            "/v1/programmes",
            partner,
            json={
                "title": "Chiplet packaging for edge AI accelerators",
                "summary": "Joint work on 2.5D packaging.",
                "focus_area": "semiconductor_packaging",
                "partners": [
                    {"organisation_id": tokyo["id"], "role": "lead"},
                    {"organisation_id": iitm["id"], "role": "lead"},
                ],
                "start_date": "2027-04-01",
                "end_date": "2029-03-31",
                "budget": [
                    {"organisation_id": tokyo["id"], "currency": "JPY", "amount": "50000000"},
                    {"organisation_id": iitm["id"], "currency": "INR", "amount": "25000000.50"},
                ],
                "exchange_slots": 10,
            },
        )
        assert created.status_code == 201, created.text
        programme = created.json()
        assert programme["status"] == "draft"
        path = f"/v1/programmes/{programme['id']}/transitions"
        early = system.api("POST", path, partner, json={"action": "submit"})
        assert early.status_code == 409 and iitm["name"] in early.json()["message"]
        confirm_participation(system, madras.json()["key"], programme["id"])
        submitted = system.api(
            "POST",
            f"/v1/programmes/{programme['id']}/transitions",
            partner,
            json={"action": "submit"},
        )
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["status"] == "submitted"

        [email] = smtp_server.wait_for(1, timeout=30)
        assert email["To"] == "secretariat@setu.test"
        assert email["X-Setu-Event-Id"]
        assert email["X-Setu-Notification-Id"]
        assert programme["reference"] in email.get_body(("plain",)).get_content()

        requested = system.api(
            "POST",
            "/v1/reports",
            secretariat,
            json={
                "type": "programme_portfolio",
                "format": "csv",
                "period": {"start": "2026-01-01", "end": "2030-12-31"},
            },
        )
        assert requested.status_code == 202, requested.text
        report_id = requested.json()["id"]

        def finished() -> dict | None:
            report = system.api("GET", f"/v1/reports/{report_id}", secretariat).json()
            assert report["status"] != "failed", report
            return report if report["status"] == "succeeded" else None

        wait_until(finished, timeout=60, interval=0.2, message="the report")
        download = system.api("GET", f"/v1/reports/{report_id}/download", secretariat)
        assert download.status_code == 200
        assert download.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(download.text)))
        submitted_rows = [
            r
            for r in rows
            if r.get("focus_area") == "semiconductor_packaging" and r.get("status") == "submitted"
        ]
        assert submitted_rows, rows
        assert sum(int(r["programmes"]) for r in submitted_rows) == 1

        # Nothing else was sent for that one event.
        assert len(smtp_server.messages) == 1

    # Ctrl-C stopped every process: the gateway's port is free again.
    gateway_port = int(system.env["GATEWAY_PORT"])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", gateway_port)) != 0
    with pytest.raises(requests.ConnectionError):
        requests.get(system.base_url + "/healthz", timeout=2)
