"""Workers killed or stopped while they send: every event is handled, one email each.

A pool process SIGKILLed mid-send; a whole worker node SIGKILLed while it holds a running
task and the next one it has taken for its process (``worker_prefetch_multiplier``); and the
same node stopped with SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from celery import Celery
from kombu import Connection
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notifications.services.erasure import ERASED_TABLES
from notifications.store.models import Delivery, reclaims_due
from setu_contract import reclaims
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


def _status(engine: Engine, event_id: str) -> str | None:
    """The status of the event's one email, or None before it is written."""
    delivery = _delivery(engine, event_id)
    return delivery.status if delivery else None


def _sweep_until_sent(producer: Celery, smtp_server: SmtpServer, count: int) -> None:
    """Ask the sweeper, once a second, until ``count`` emails have arrived."""

    def swept_and_sent() -> bool:
        _sweep(producer)
        return len(smtp_server.messages) >= count

    wait_until(swept_and_sent, 30, interval=1.0, message=f"the sweeper to send {count}")


def test_the_sweeper_does_a_reclaim_an_erasure_left_due(
    notifications_worker: Process, notifications_db: Engine, producer: Celery
) -> None:
    """An erasure whose reclaim gave up (an older transaction ran past its wait) leaves it
    due; the worker's next sweep does it."""
    with Session(notifications_db) as session, session.begin():
        reclaims.record(session, reclaims_due, ERASED_TABLES)

    def due() -> int:
        return reclaims.due(notifications_db, reclaims_due).erasures

    assert due() == 1
    _sweep(producer)
    wait_until(lambda: due() == 0, 20, message="the sweeper to reclaim")


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
        lambda: _status(notifications_db, envelope["id"]) == "sending",
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

    _sweep_until_sent(producer, smtp_server, 1)
    wait_until(
        lambda: _status(notifications_db, envelope["id"]) == "sent",
        message="the delivery to be sent",
    )
    before = notifications_worker.output().count("sweep_deliveries")
    for _ in range(3):  # more sweeps change nothing
        _sweep(producer)
    # Each sweep logs "received" and "succeeded".
    wait_until(
        lambda: notifications_worker.output().count("sweep_deliveries") >= before + 6,
        message="the extra sweeps to run",
    )
    [message] = smtp_server.messages
    assert message["X-Setu-Event-Id"] == envelope["id"]
    assert _delivery(notifications_db, envelope["id"]).attempts == 2


def _restore_as_after_the_visibility_timeout(redis_url: str) -> None:
    """What kombu does with a dead node's unacknowledged tasks once the visibility timeout
    (15 minutes) has passed, done now: each goes back on its queue."""
    with Connection(redis_url, transport_options={"visibility_timeout": 0}) as connection:
        connection.default_channel.qos.restore_visible(num=100)


@dataclass
class HoldingNode:
    """A worker node with one pool process that runs the first event (its email stalled at
    the SMTP server until ``release``) and holds the second; the third waits in Redis."""

    worker: Process
    events: tuple[dict[str, Any], ...]
    release: threading.Event
    broker: redis.Redis


@pytest.fixture
def holding_node(
    start_notifications_worker: WorkerStarter,
    notifications_db: Engine,
    smtp_server: SmtpServer,
    publish,
    redis_url: str,
) -> Iterator[HoldingNode]:
    assert PREFETCH_MULTIPLIER == 2  # what the node holds: a running task and one more
    release = threading.Event()
    _hold_recipients(smtp_server, release)
    worker = start_notifications_worker()  # one pool process
    first, second, third = events = tuple(programme_status_changed() for _ in range(3))
    publish(first)
    wait_until(
        lambda: _status(notifications_db, first["id"]) == "sending",
        20,
        message="the first delivery to be claimed",
    )
    publish(second)
    publish(third)
    with redis.Redis.from_url(redis_url) as broker:
        # Redis marks the task taken before the node logs that it received it.
        wait_until(
            lambda: (
                broker.hlen("unacked") == 2
                and broker.llen(NOTIFICATIONS_QUEUE) == 1
                and f"handle_event[{second['id']}] received" in worker.output()
            ),
            20,
            message="the node to hold two tasks",
        )
        assert _delivery(notifications_db, second["id"]) is None  # taken, not started
        yield HoldingNode(worker, events, release, broker)
        release.set()


def _sent_once_each(smtp_server: SmtpServer, events: tuple[dict[str, Any], ...]) -> None:
    sent = sorted(message["X-Setu-Event-Id"] for message in smtp_server.messages)
    assert sent == sorted(envelope["id"] for envelope in events)


def test_a_worker_node_killed_holding_tasks_loses_none_and_sends_one_email_each(
    holding_node: HoldingNode,
    start_notifications_worker: WorkerStarter,
    notifications_db: Engine,
    smtp_server: SmtpServer,
    producer: Celery,
    redis_url: str,
) -> None:
    node = holding_node
    node.worker.kill()  # SIGKILL to the node's main process and its pool process
    node.worker.popen.wait(10)
    node.release.set()
    assert node.broker.hlen("unacked") == 2  # the running one and the held one
    _restore_as_after_the_visibility_timeout(redis_url)
    assert node.broker.hlen("unacked") == 0 and node.broker.llen(NOTIFICATIONS_QUEUE) == 3

    start_notifications_worker()
    # The first event's email was claimed when the node died: the sweeper sends it.
    wait_until(
        lambda: len(smtp_server.messages) >= 2, 30, message="the second and third to be sent"
    )
    _sweep_until_sent(producer, smtp_server, 3)
    for envelope in node.events:
        wait_until(
            lambda envelope=envelope: _status(notifications_db, envelope["id"]) == "sent",
            message="every delivery to be sent",
        )
    _sent_once_each(smtp_server, node.events)


def test_a_worker_node_stopped_sends_what_it_runs_and_puts_back_what_it_holds(
    holding_node: HoldingNode,
    start_notifications_worker: WorkerStarter,
    notifications_db: Engine,
    smtp_server: SmtpServer,
) -> None:
    node = holding_node
    first, second, _ = node.events
    node.worker.popen.send_signal(signal.SIGTERM)  # as `docker stop` and `setu up` stop it
    wait_until(lambda: "warm shutdown" in node.worker.output().lower(), 10, message="warm shutdown")
    node.release.set()
    node.worker.popen.wait(30)

    [message] = smtp_server.messages  # the running one was finished, the held one not begun
    assert message["X-Setu-Event-Id"] == first["id"]
    assert _delivery(notifications_db, second["id"]) is None
    # Back on the queue at once, not after the visibility timeout.
    assert node.broker.hlen("unacked") == 0 and node.broker.llen(NOTIFICATIONS_QUEUE) == 2

    start_notifications_worker()
    wait_until(lambda: len(smtp_server.messages) == 3, 30, message="the other two to be sent")
    _sent_once_each(smtp_server, node.events)
