"""Workers SIGKILLed while they send: every event is handled again, one email each.

A pool process killed mid-send, and a whole worker node killed while it holds a running
task and the next one it has taken for its process (``worker_prefetch_multiplier``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading

import redis
from celery import Celery
from kombu import Connection
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notifications.store.models import Delivery
from setu_contract.messaging import NOTIFICATIONS_QUEUE, PREFETCH_MULTIPLIER
from tests.integration.notifications.conftest import WorkerStarter
from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import programme_status_changed

# The sweeper's deadlines are minutes; the test asks it to take 2 s as stuck.
SWEEP_NOW = {"stuck_after_seconds": 2}


def _sweep(producer: Celery) -> None:
    producer.send_task(
        "notifications.sweep_deliveries", kwargs=SWEEP_NOW, queue=NOTIFICATIONS_QUEUE
    )


def _pool_children(worker: Process) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(worker.popen.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


def _hold_recipients(smtp_server: SmtpServer, release: threading.Event) -> None:
    """The server stalls at RCPT until released: the message is never accepted meanwhile."""

    async def handle_RCPT(server, session, envelope, address, options):
        while not release.is_set():
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handler.handle_RCPT = handle_RCPT


def _delivery(engine: Engine, event_id: str) -> Delivery | None:
    with Session(engine) as session:
        return session.scalar(select(Delivery).where(Delivery.event_id == event_id))


def test_a_pool_process_killed_mid_send_leads_to_exactly_one_email(
    notifications_worker: Process,
    notifications_db: Engine,
    smtp_server: SmtpServer,
    publish,
    producer: Celery,
) -> None:
    release = threading.Event()
    _hold_recipients(smtp_server, release)
    envelope = programme_status_changed()
    publish(envelope)
    wait_until(
        lambda: (_delivery(notifications_db, envelope["id"]) or Delivery()).status == "sending",
        20,
        message="the delivery to be claimed",
    )
    [child] = _pool_children(notifications_worker)
    os.kill(child, signal.SIGKILL)

    # task_reject_on_worker_lost: the broker gives the event to the new pool process.
    wait_until(
        lambda: (
            notifications_worker.output().count(f"handle_event[{envelope['id']}] received") >= 2
            or "WorkerLostError" in notifications_worker.output()
        ),
        30,
        message="the event to be handled again",
    )
    release.set()
    assert smtp_server.messages == []

    def swept_and_sent() -> bool:
        producer.send_task(
            "notifications.sweep_deliveries", kwargs=SWEEP_NOW, queue=NOTIFICATIONS_QUEUE
        )
        return len(smtp_server.messages) >= 1

    wait_until(swept_and_sent, 30, interval=1.0, message="the sweeper to send it")
    wait_until(
        lambda: _delivery(notifications_db, envelope["id"]).status == "sent",
        message="the delivery to be sent",
    )
    before = notifications_worker.output().count("sweep_deliveries")
    for _ in range(3):  # more sweeps change nothing
        producer.send_task(
            "notifications.sweep_deliveries", kwargs=SWEEP_NOW, queue=NOTIFICATIONS_QUEUE
        )
    # Each sweep logs "received" and "succeeded".
    wait_until(
        lambda: notifications_worker.output().count("sweep_deliveries") >= before + 6,
        message="the extra sweeps to run",
    )
    [message] = smtp_server.messages
    assert message["X-Setu-Event-Id"] == envelope["id"]
    assert _delivery(notifications_db, envelope["id"]).attempts == 2


def _restore_as_after_the_visibility_timeout(redis_url: str) -> int:
    """What kombu does with a dead node's unacknowledged tasks once the visibility timeout
    (15 minutes) has passed, done now: each goes back on its queue. Returns how many."""
    with redis.Redis.from_url(redis_url) as client:
        held = client.hlen("unacked")
    with Connection(redis_url, transport_options={"visibility_timeout": 0}) as connection:
        connection.default_channel.qos.restore_visible(num=100)
    return held


def test_a_worker_node_killed_holding_tasks_loses_none_and_sends_one_email_each(
    start_notifications_worker: WorkerStarter,
    notifications_db: Engine,
    smtp_server: SmtpServer,
    publish,
    producer: Celery,
    redis_url: str,
) -> None:
    assert PREFETCH_MULTIPLIER == 2  # what this test holds: a running task and one more
    release = threading.Event()
    _hold_recipients(smtp_server, release)
    worker = start_notifications_worker()  # one pool process
    first, second, third = (programme_status_changed() for _ in range(3))
    publish(first)
    wait_until(
        lambda: (_delivery(notifications_db, first["id"]) or Delivery()).status == "sending",
        20,
        message="the first delivery to be claimed",
    )
    publish(second)
    publish(third)
    broker = redis.Redis.from_url(redis_url)
    # The node holds the first (running) and the second (waiting for the process); the third
    # waits in Redis.
    wait_until(
        lambda: broker.hlen("unacked") == 2 and broker.llen(NOTIFICATIONS_QUEUE) == 1,
        20,
        message="the node to hold two tasks",
    )
    assert f"handle_event[{second['id']}] received" in worker.output()
    assert _delivery(notifications_db, second["id"]) is None  # taken, not started

    worker.kill()  # SIGKILL to the node's main process and its pool process
    worker.popen.wait(10)
    release.set()
    assert _restore_as_after_the_visibility_timeout(redis_url) == 2
    assert broker.llen(NOTIFICATIONS_QUEUE) == 3

    start_notifications_worker()
    # The first event's email was claimed when the node died: the sweeper sends it.
    wait_until(
        lambda: len(smtp_server.messages) >= 2, 30, message="the second and third to be sent"
    )

    def swept_and_sent() -> bool:
        _sweep(producer)
        return len(smtp_server.messages) >= 3

    wait_until(swept_and_sent, 30, interval=1.0, message="the sweeper to send the first")
    for envelope in (first, second, third):
        wait_until(
            lambda envelope=envelope: _delivery(notifications_db, envelope["id"]).status == "sent",
            message="every delivery to be sent",
        )
    sent = sorted(message["X-Setu-Event-Id"] for message in smtp_server.messages)
    assert sent == sorted(envelope["id"] for envelope in (first, second, third))


def test_a_worker_node_stopped_sends_what_it_runs_and_puts_back_what_it_holds(
    start_notifications_worker: WorkerStarter,
    notifications_db: Engine,
    smtp_server: SmtpServer,
    publish,
    redis_url: str,
) -> None:
    release = threading.Event()
    _hold_recipients(smtp_server, release)
    worker = start_notifications_worker()  # one pool process
    first, second, third = (programme_status_changed() for _ in range(3))
    publish(first)
    wait_until(
        lambda: (_delivery(notifications_db, first["id"]) or Delivery()).status == "sending",
        20,
        message="the first delivery to be claimed",
    )
    publish(second)
    publish(third)
    broker = redis.Redis.from_url(redis_url)
    wait_until(lambda: broker.hlen("unacked") == 2, 20, message="the node to hold two tasks")

    worker.popen.send_signal(signal.SIGTERM)  # as `docker stop` and `setu up` stop it
    wait_until(lambda: "warm shutdown" in worker.output().lower(), 10, message="warm shutdown")
    release.set()
    worker.popen.wait(30)

    [message] = smtp_server.messages  # the running one was finished, the held one not begun
    assert message["X-Setu-Event-Id"] == first["id"]
    assert _delivery(notifications_db, second["id"]) is None
    # Back on the queue at once, not after the visibility timeout.
    assert broker.hlen("unacked") == 0 and broker.llen(NOTIFICATIONS_QUEUE) == 2

    start_notifications_worker()
    wait_until(lambda: len(smtp_server.messages) == 3, 30, message="the other two to be sent")
    sent = sorted(message["X-Setu-Event-Id"] for message in smtp_server.messages)
    assert sent == sorted(envelope["id"] for envelope in (first, second, third))
