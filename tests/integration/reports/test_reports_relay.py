"""`setu reports relay` publishes report.generated to the notifications queue and stops cleanly."""

from __future__ import annotations

import json
from datetime import date

import redis
from sqlalchemy import select

from reports.services import generate, jobs
from reports.store.db import transaction
from reports.store.models import outbox
from setu_contract.messaging import NOTIFICATIONS_QUEUE
from tests.support.infra import wait_until
from tests.support.processes import VENV_BIN, Process


def test_relay_publishes_report_generated(reports_service, tmp_path):
    request = jobs.ReportRequest(
        "partner_activity",
        "csv",
        date(2026, 1, 1),
        date(2026, 1, 31),
        {},
        ["office@example.org"],
        "cid-relay",
    )
    with transaction(reports_service.sessions) as session:
        report_id = jobs.request_report(session, request)
    assert (
        generate.generate_report(
            reports_service.sessions, reports_service.config.reports_dir, report_id
        )
        == "succeeded"
    )

    relay = Process(
        "reports-relay", [str(VENV_BIN / "setu"), "reports", "relay"], reports_service.env, tmp_path
    )
    try:
        relay.wait_for_output("reports relay started")

        def published():
            with reports_service.sessions() as session:
                return session.execute(select(outbox.c.published_at)).scalar_one()

        wait_until(published, timeout=20, message="report.generated published")
    finally:
        relay.stop()
    assert "reports relay stopped" in relay.output()
    assert relay.popen.returncode == 0

    client = redis.Redis.from_url(reports_service.config.redis_url, socket_timeout=5)
    with client:
        messages = [json.loads(m) for m in client.lrange(NOTIFICATIONS_QUEUE, 0, -1)]
    tasks = [m["headers"] for m in messages if m["headers"]["task"] == "notifications.handle_event"]
    assert len(tasks) == 1
    assert tasks[0]["correlation_id"] == "cid-relay"
    assert tasks[0]["id"].endswith(":notifications")
