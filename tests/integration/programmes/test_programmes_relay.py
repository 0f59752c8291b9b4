"""`setu programmes relay` as a real process publishes committed outbox rows to real Redis."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import select

from programmes.store.models import outbox
from setu_contract.messaging import HANDLE_EVENT_TASK, NOTIFICATIONS_QUEUE, REPORTS_QUEUE
from tests.integration.programmes.conftest import Partners, propose
from tests.support.infra import private_redis_db, wait_until
from tests.support.processes import VENV_BIN, Process


@pytest.fixture
def relay_redis_url() -> Iterator[str]:
    """A Redis database of this test's own: no worker of another test takes these tasks."""
    with private_redis_db() as url:
        yield url


def queued(client: redis.Redis, queue: str) -> list[dict]:
    return [json.loads(raw) for raw in client.lrange(queue, 0, -1)]


def test_relay_publishes_outbox_rows_to_each_queue_and_stops_on_sigterm(
    partners: Partners, engine, programmes_env, relay_redis_url, tmp_path
):
    programme = propose(partners)
    partners.jp_caller.post(f"/v1/programmes/{programme['id']}/transitions", {"action": "submit"})
    with engine.connect() as conn:
        expected = [row.event_id for row in conn.execute(select(outbox.c.event_id))]
    assert len(expected) >= 6  # two secretariat sides, two partners, created, submitted

    env = {**programmes_env, "REDIS_URL": relay_redis_url}
    relay = Process(
        "programmes-relay", [str(VENV_BIN / "setu"), "programmes", "relay"], env, tmp_path
    )
    try:
        relay.wait_for_output("relay started")
        client = redis.Redis.from_url(relay_redis_url, socket_timeout=5)

        def all_published() -> bool:
            with engine.connect() as conn:
                waiting = conn.execute(
                    select(outbox.c.event_id).where(outbox.c.published_at.is_(None))
                ).all()
            return not waiting and client.llen(NOTIFICATIONS_QUEUE) == len(expected)

        wait_until(all_published, timeout=20, message="every outbox row published")
        for queue in (NOTIFICATIONS_QUEUE, REPORTS_QUEUE):
            messages = queued(client, queue)
            assert {m["headers"]["task"] for m in messages} == {HANDLE_EVENT_TASK[queue]}
            assert sorted(m["headers"]["id"] for m in messages) == sorted(
                f"{event_id}:{queue}" for event_id in expected
            )
        submitted = [
            m
            for m in queued(client, NOTIFICATIONS_QUEUE)
            if m["headers"]["id"].startswith(expected[-1])
        ]
        assert submitted and submitted[0]["headers"]["correlation_id"]

        relay.kill(signal.SIGTERM)
        assert relay.popen.wait(timeout=10) == 0
        assert "relay stopped" in relay.output()
    finally:
        relay.stop()
