"""Workers and relays serve /metrics of their own (issue 7), scraped over HTTP from real
processes on the real Redis.

A worker node started by `setu up` with two pool children answers for both: its count of
events handled equals the number of events in the programmes event log. A relay counts what
it published and the passes the broker refused.
"""

from __future__ import annotations

import sys
from datetime import date

import pytest
import redis
import requests
from sqlalchemy.orm import Session

from setu_contract.messaging import QUEUES
from setu_contract.metrics import metrics_port_variable
from setu_contract.outbox import append
from tests.e2e.topology import (
    RunningSetu,
    metric,
    propose_and_submit,
    running_setu,
    setup_partners,
)
from tests.support.infra import free_port, wait_until
from tests.support.outbox import bare_outbox, registered
from tests.support.processes import Process

pytestmark = pytest.mark.e2e

PROCESSES = ("notifications-worker", "reports-worker", "programmes-relay", "reports-relay")


def scrape(port: int) -> str:
    answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert answer.status_code == 200
    return answer.text


def sample(text: str, name: str, **labels: str) -> float:
    """A sample's value; 0 while the process has not counted it yet."""
    try:
        return metric(text, name, **labels)
    except AssertionError:
        return 0.0


def request_report(system: RunningSetu, key: str) -> None:
    period = {"start": "2020-01-01", "end": date.today().isoformat()}
    body = {"type": "programme_portfolio", "format": "json", "period": period}
    requested = system.api("POST", "/v1/reports", key, json=body)
    assert requested.status_code == 202, requested.text
    report_id = requested.json()["id"]

    def finished() -> bool:
        report = system.api("GET", f"/v1/reports/{report_id}", key).json()
        assert report["status"] != "failed", report
        return report["status"] == "succeeded"

    wait_until(finished, timeout=60, interval=0.2, message="the report")


def reports_tasks(text: str, task: str, outcome: str) -> float:
    labels = {"service": "reports", "task": f"reports.{task}", "outcome": outcome}
    return sample(text, "setu_worker_tasks_total", **labels)


def reports_results(text: str, task: str, result: str) -> float:
    labels = {"service": "reports", "task": f"reports.{task}", "result": result}
    return sample(text, "setu_worker_task_results_total", **labels)


def total(text: str, name: str, **labels: str) -> float:
    """The sum of every sample of ``name`` with these labels (whatever its other labels)."""
    found = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            found += float(line.rsplit(" ", 1)[1])
    return found


def test_every_worker_node_and_relay_serves_what_it_did(tmp_path, redis_url, smtp_server):
    ports = {p: free_port() for p in PROCESSES}
    settings = {metrics_port_variable(p): str(number) for p, number in ports.items()}
    port = ports["reports-worker"]
    two_children = {"NOTIFICATIONS_WORKER_CONCURRENCY": "2", "REPORTS_WORKER_CONCURRENCY": "2"}
    with running_setu(tmp_path, redis_url, smtp_server.port, **two_children, **settings) as system:
        partners = setup_partners(system)
        for n in range(3):
            propose_and_submit(system, partners, n)
        secretariat = system.bootstrap_key("IN")
        request_report(system, secretariat)
        log = system.api("GET", "/v1/events?page_size=1", secretariat)
        assert log.status_code == 200, log.text
        written = log.json()["total"]
        assert written >= 2 + 3 * 2  # two organisations; each programme created and submitted

        # Every programmes event goes to the reports queue, once.
        wait_until(
            lambda: reports_tasks(scrape(port), "handle_event", "succeeded") == written,
            timeout=60,
            interval=0.25,
            message=f"the reports worker to count {written} events handled",
        )
        text = scrape(port)
        assert reports_tasks(text, "handle_event", "received") >= written
        assert reports_tasks(text, "handle_event", "failed") == 0
        # What the tasks did, by the word they return: each event applied (or seen before).
        applied = sum(
            reports_results(text, "handle_event", result)
            for result in ("applied", "duplicate", "stale")
        )
        assert applied == written
        assert reports_tasks(text, "generate_report", "succeeded") == 1
        assert reports_results(text, "generate_report", "succeeded") == 1
        timed = {"service": "reports", "task": "reports.handle_event"}
        assert sample(text, "setu_worker_task_duration_seconds_count", **timed) == written

        # The relays: every programmes event, and the one report.generated.
        assert relayed(ports["programmes-relay"], "programmes") == written
        wait_until(
            lambda: relayed(ports["reports-relay"], "reports") == 1,
            timeout=30,
            interval=0.25,
            message="the reports relay to count report.generated",
        )
        # Notifications hears every event of both (report.generated too), and counts each
        # email it sent as the SMTP server received it.
        notifications = ports["notifications-worker"]

        def notifications_handled() -> float:
            labels = {"task": "notifications.handle_event", "outcome": "succeeded"}
            return total(scrape(notifications), "setu_worker_tasks_total", **labels)

        wait_until(
            lambda: notifications_handled() == written + 1,
            timeout=60,
            interval=0.25,
            message="the notifications worker to count every event",
        )
        assert smtp_server.messages
        wait_until(
            lambda: (
                total(scrape(notifications), "setu_emails_total", status="sent")
                == len(smtp_server.messages)
            ),
            timeout=30,
            interval=0.25,
            message="the notifications worker to count every email the SMTP server received",
        )


def relayed(port: int, service: str) -> float:
    return sample(scrape(port), "setu_relay_events_total", service=service)


RELAY = """
import sys
from celery import Celery
from sqlalchemy import MetaData, create_engine
from setu_contract.messaging import celery_settings
from setu_contract.worker_metrics import serve_relay
from setu_contract.outbox import OutboxRelay, celery_publisher, outbox_table

database_url, broker_url = sys.argv[1:]
table = outbox_table(MetaData())
app = Celery("relay-under-test", set_as_current=False)
app.config_from_object(celery_settings(broker_url))
serve_relay(OutboxRelay(create_engine(database_url), table, celery_publisher(app)), "programmes")
"""


def write_events(database_url: str, count: int) -> None:
    with bare_outbox(database_url) as (engine, table), Session(engine) as s, s.begin():
        for n in range(count):
            append(s, table, registered(n, correlation_id="c"))


def start_relay(tmp_path, name: str, database_url: str, broker_url: str) -> tuple[Process, int]:
    port = free_port()
    env = {metrics_port_variable("programmes-relay"): str(port)}
    argv = [sys.executable, "-c", RELAY, database_url, broker_url]
    return Process(name, argv, env, tmp_path), port


def relay_sample(port: int, name: str) -> float:
    return sample(scrape(port), name, service="programmes")


def test_a_relay_serves_what_it_published_and_what_failed(tmp_path, redis_url):
    database_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    write_events(database_url, 5)
    relay, port = start_relay(tmp_path, "relay", database_url, redis_url)
    # A relay of another outbox, where nothing answers on the broker's port: every pass fails.
    stuck_database_url = f"sqlite:///{tmp_path / 'stuck-outbox.db'}"
    write_events(stuck_database_url, 2)
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    stuck, stuck_port = start_relay(tmp_path, "stuck-relay", stuck_database_url, unreachable)
    try:
        wait_until(
            lambda: relay_sample(port, "setu_relay_events_total") == 5,
            timeout=30,
            interval=0.1,
            message="the relay to count 5 events",
        )
        assert relay_sample(port, "setu_relay_batch_duration_seconds_count") >= 1
        assert relay_sample(port, "setu_relay_publish_failures_total") == 0
        wait_until(
            lambda: relay_sample(stuck_port, "setu_relay_publish_failures_total") >= 1,
            timeout=30,
            interval=0.1,
            message="the relay without a broker to count a failed pass",
        )
        assert relay_sample(stuck_port, "setu_relay_events_total") == 0
    finally:
        relay.stop()
        stuck.stop()
        # The events went to the consumers' queues of this session's Redis database.
        redis.Redis.from_url(redis_url).delete(*QUEUES)
    assert relay.popen.returncode == 0, relay.output()[-3000:]
