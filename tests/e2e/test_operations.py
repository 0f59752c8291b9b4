"""What an operator relies on, on the whole running system: one correlation id from the
request to the email, metrics on every process that serves HTTP, and replays from the event
log that rebuild consumers without sending a second email.
"""

from __future__ import annotations

import pytest

from tests.e2e.topology import confirm_participation, metric, running_setu, setup_partners
from tests.support.infra import wait_until

pytestmark = pytest.mark.e2e


def test_correlation_metrics_and_replays(tmp_path, redis_url, smtp_server):
    with running_setu(tmp_path, redis_url, smtp_server.port) as system:
        partners = setup_partners(system)
        key, jp, india = partners.key, partners.jp, partners.india
        trace = "e2e-trace-7f3a"
        created = system.api(
            "POST",
            "/v1/programmes",
            key,
            headers={"X-Correlation-Id": trace},
            json={
                "title": "Traceable semiconductor supply chain study",
                "focus_area": "supply_chain_resilience",
                "partners": [
                    {"organisation_id": jp, "role": "lead"},
                    {"organisation_id": india, "role": "lead"},
                ],
                "start_date": "2027-01-01",
                "end_date": "2028-06-30",
                "budget": [],
                "exchange_slots": 0,
            },
        )
        assert created.status_code == 201, created.text
        assert created.headers["X-Correlation-Id"] == trace
        confirm_participation(system, partners.india_key, created.json()["id"])
        submitted = system.api(
            "POST",
            f"/v1/programmes/{created.json()['id']}/transitions",
            key,
            headers={"X-Correlation-Id": trace},
            json={"action": "submit"},
        )
        assert submitted.status_code == 200
        [email] = smtp_server.wait_for(1)
        assert email["X-Correlation-Id"] == trace

        # Metrics: the gateway sees the queues (on its metrics port: its public one serves
        # none); each service counts its own records.
        assert system.api("GET", "/metrics").status_code == 404

        def scrape(service: str) -> str:
            return system.scrape(f"{service.upper()}_PORT")

        gateway = scrape("gateway_metrics")
        assert metric(gateway, "setu_queue_depth", queue="notifications") >= 0
        assert (
            metric(
                gateway,
                "setu_http_requests_total",
                service="gateway",
                route="/v1/programmes",
                status="200",
            )
            >= 1
        )
        assert (
            metric(
                scrape("programmes"),
                "setu_http_requests_total",
                service="programmes",
                route="/v1/programmes/{programme_id}/transitions",
                status="200",
            )
            >= 1
        )
        wait_until(
            lambda: (
                metric(scrape("programmes"), "setu_outbox_events_total", state="published") >= 4
            ),
            message="events relayed",
        )
        assert metric(scrape("notifications"), "setu_email_deliveries_total", status="sent") == 1
        assert system.api("GET", "/v1/reports", key).status_code == 403
        reports = scrape("reports")
        assert (
            metric(
                reports,
                "setu_http_requests_total",
                service="reports",
                route="/v1/reports",
                status="403",
            )
            == 1
        )

        # Replays from the event log: state rebuilt, no email sent again.
        out = system.setu("events", "replay", "--to", "notifications")
        assert "no email was sent" in out
        out = system.setu("events", "replay", "--to", "reports")
        counts = dict(pair.split("=") for pair in out.split())
        assert counts["programmes"] == "1", out
        assert len(smtp_server.messages) == 1
        assert metric(scrape("notifications"), "setu_email_deliveries_total", status="sent") == 1
