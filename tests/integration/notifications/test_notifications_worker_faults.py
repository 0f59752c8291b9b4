"""A worker's pool process SIGKILLed while it sends: the event is handled again, one email."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading

from celery import Celery
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notifications.store.models import Delivery
from setu_contract.messaging import NOTIFICATIONS_QUEUE
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
