"""Ctrl-C on `setu up` while an email is on its way: the worker finishes it, then stops.

Honcho signals each process's group; Celery's pool processes die of SIGTERM mid-task, so
the task went back on the queue and its email stayed `sending` until the sweeper's deadline
after the next start. `setu up` signals the process alone, as `docker stop` does.
"""

from __future__ import annotations

import pytest
import redis

from setu_contract.messaging import NOTIFICATIONS_QUEUE
from tests.e2e.topology import propose_and_submit, running_setu, setup_partners
from tests.support.infra import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.fault]


def test_ctrl_c_lets_a_worker_finish_the_email_it_is_sending(tmp_path, redis_url, smtp_server):
    smtp_server.handler.delay = 2.0  # the relay answers the message 2 s after its data
    with running_setu(tmp_path / "data", redis_url, smtp_server.port) as system:
        partners = setup_partners(system)
        propose_and_submit(system, partners, 0)
        wait_until(lambda: smtp_server.handler.receiving == 1, 30, message="the email's data")
        system.stop()

    deliveries = system.rows("notifications", "SELECT event_id, status FROM deliveries")
    assert [(m["X-Setu-Event-Id"], "sent") for m in smtp_server.messages] == [
        tuple(d) for d in deliveries
    ]
    broker = redis.Redis.from_url(redis_url)
    with broker:  # nothing was put back to be done again
        assert broker.llen(NOTIFICATIONS_QUEUE) == 0
        assert broker.hlen("unacked") == 0
