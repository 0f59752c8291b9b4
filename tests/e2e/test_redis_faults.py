"""Redis stopped or frozen under partner traffic: every write answers, nothing is lost or doubled.

The whole topology runs as processes (`setu up`) against a redis-server of the test's own,
which the test stops, restarts and freezes. Events are counted one by one: each event the
programmes service wrote must be applied once by the reports consumer, and each submission
must produce exactly one email.
"""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.topology import RunningSetu, running_setu
from tests.support.infra import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.fault]


def setup_partners(system: RunningSetu) -> tuple[str, str, str]:
    secretariat = system.bootstrap_key("JP")
    ids = []
    for country in ("JP", "IN"):
        answer = system.api(
            "POST",
            "/v1/organisations",
            secretariat,
            json={
                "name": f"{country} lab {uuid.uuid4().hex[:6]}",
                "country": country,
                "kind": "research_institute",
                "contact_email": f"lab@{country.lower()}.example.org",
            },
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    key = system.api(
        "POST",
        f"/v1/organisations/{ids[0]}/api-keys",
        secretariat,
        json={"name": "writer", "role": "partner"},
    )
    assert key.status_code == 201, key.text
    return key.json()["key"], ids[0], ids[1]


def propose_and_submit(system: RunningSetu, key: str, jp: str, india: str, n: int) -> float:
    """Create and submit one programme; the slowest of the two answers, in seconds."""
    started = time.monotonic()
    created = system.api(
        "POST",
        "/v1/programmes",
        key,
        json={
            "title": f"Fault-tolerant AI inference {n}",
            "focus_area": "ai_research",
            "partners": [
                {"organisation_id": jp, "role": "lead"},
                {"organisation_id": india, "role": "lead"},
            ],
            "start_date": "2027-01-01",
            "end_date": "2028-01-01",
            "budget": [{"organisation_id": jp, "currency": "JPY", "amount": "1000000"}],
            "exchange_slots": 2,
        },
    )
    first = time.monotonic() - started
    assert created.status_code == 201, created.text
    started = time.monotonic()
    submitted = system.api(
        "POST",
        f"/v1/programmes/{created.json()['id']}/transitions",
        key,
        json={"action": "submit"},
    )
    assert submitted.status_code == 200, submitted.text
    return max(first, time.monotonic() - started)


def produced_event_ids(system: RunningSetu) -> set[str]:
    engine = create_engine(f"sqlite:///{system.env['SETU_DATA_DIR']}/programmes.db")
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT event_id FROM outbox")).scalars().all()
    engine.dispose()
    return set(ids)


def applied_event_ids(system: RunningSetu) -> list[str]:
    engine = create_engine(f"sqlite:///{system.env['SETU_DATA_DIR']}/reports.db")
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT event_id FROM processed_events")).scalars().all()
    engine.dispose()
    return list(ids)


def assert_each_event_once(system: RunningSetu, smtp_server, submissions: int) -> None:
    produced = produced_event_ids(system)

    def settled() -> bool:
        return set(applied_event_ids(system)) == produced

    wait_until(settled, timeout=90, interval=0.5, message="every event applied by reports")
    applied = applied_event_ids(system)
    assert len(applied) == len(set(applied)) == len(produced)
    emails = smtp_server.wait_for(submissions, timeout=60)
    time.sleep(1)  # a second email for any event would arrive by now
    emails = smtp_server.messages
    event_ids = [m["X-Setu-Event-Id"] for m in emails]
    assert len(emails) == submissions
    assert len(set(event_ids)) == submissions
    assert set(event_ids) <= produced


def test_redis_stopped_while_partners_write(tmp_path, private_redis, smtp_server):
    with running_setu(tmp_path / "data", private_redis.url, smtp_server.port) as system:
        key, jp, india = setup_partners(system)
        propose_and_submit(system, key, jp, india, 0)
        smtp_server.wait_for(1)

        private_redis.stop()
        slowest = max(propose_and_submit(system, key, jp, india, n) for n in range(1, 11))
        assert slowest < 5, f"a write waited {slowest:.1f}s on the stopped Redis"
        # Nothing can have been delivered while the broker was down.
        assert len(smtp_server.messages) == 1

        private_redis.start()
        assert_each_event_once(system, smtp_server, submissions=11)


def test_a_frozen_redis_blocks_no_request_for_long(tmp_path, private_redis, smtp_server):
    with running_setu(tmp_path / "data", private_redis.url, smtp_server.port) as system:
        key, jp, india = setup_partners(system)
        private_redis.freeze()
        try:
            slowest = max(propose_and_submit(system, key, jp, india, n) for n in range(3))
        finally:
            private_redis.thaw()
        assert slowest < 6, f"a write waited {slowest:.1f}s on the frozen Redis"
        assert_each_event_once(system, smtp_server, submissions=3)
