"""Redis stopped or frozen under partner traffic: every write answers, nothing is lost or doubled.

The whole topology runs as processes (`setu up`) against a redis-server of the test's own,
which the test stops, restarts and freezes. Events are counted one by one: each event the
programmes service wrote must be applied once by the reports consumer, and each submission
must produce exactly one email.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.topology import RunningSetu, propose_and_submit, running_setu, setup_partners
from tests.support.infra import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.fault]


def produced_event_ids(system: RunningSetu) -> set[str]:
    return {row.event_id for row in system.rows("programmes", "SELECT event_id FROM outbox")}


def applied_event_ids(system: RunningSetu) -> list[str]:
    return [row.event_id for row in system.rows("reports", "SELECT event_id FROM processed_events")]


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
        partners = setup_partners(system)
        propose_and_submit(system, partners, 0)
        smtp_server.wait_for(1)

        private_redis.stop()
        slowest = max(propose_and_submit(system, partners, n) for n in range(1, 11))
        assert slowest < 5, f"a write waited {slowest:.1f}s on the stopped Redis"
        # Nothing can have been delivered while the broker was down.
        assert len(smtp_server.messages) == 1

        private_redis.start()
        assert_each_event_once(system, smtp_server, submissions=11)


def test_a_frozen_redis_blocks_no_request_for_long(tmp_path, private_redis, smtp_server):
    with running_setu(tmp_path / "data", private_redis.url, smtp_server.port) as system:
        partners = setup_partners(system)
        private_redis.freeze()
        try:
            slowest = max(propose_and_submit(system, partners, n) for n in range(3))
        finally:
            private_redis.thaw()
        assert slowest < 6, f"a write waited {slowest:.1f}s on the frozen Redis"
        assert_each_event_once(system, smtp_server, submissions=3)
