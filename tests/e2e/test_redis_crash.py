"""Redis SIGKILLed in the middle of a burst and brought back, empty or from its append-only
file, on SQLite and on PostgreSQL: every email arrives exactly once within two minutes of
Redis answering again, every report figure equals the programmes database, no process of
`setu up` exits, and a replay run during the outage loses nothing.

The whole topology runs as processes (`setu up`) against a redis-server of the test's own.
The SMTP server answers slowly, so that when Redis dies the notifications worker has a
backlog: events queued, held by the worker, and emails on their way. The producers' delivery
deadline is lowered to 10 s, so that a lost event is sent again within the test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e import consistency_model as model
from tests.e2e.topology import RunningSetu, propose_and_submit, running_setu, setup_partners
from tests.support.infra import RedisServer, postgres_database, wait_until
from tests.support.smtp import SmtpServer

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

BEFORE, DURING, AFTER = 30, 10, 10  # programmes submitted before, during and after the outage
DEADLINE = 10  # SETU_DELIVERY_DEADLINE, seconds
WITHIN = 120  # every email arrives this soon after Redis answers again
SERVICES = ("programmes", "notifications", "reports")


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The services' database URLs: none (`setu up`'s SQLite files) or one PostgreSQL
    database each."""
    if request.param == "sqlite":
        yield {}
        return
    with ExitStack() as stack:
        yield {
            f"{service.upper()}_DATABASE_URL": stack.enter_context(postgres_database())
            for service in SERVICES
        }


def submitted_events(system: RunningSetu) -> set[str]:
    rows = system.rows(
        "programmes", "SELECT event_id FROM outbox WHERE type = 'programme.status_changed'"
    )
    return {row.event_id for row in rows}


def settled(system: RunningSetu, smtp_server: SmtpServer, submissions: int) -> bool:
    """Every event confirmed by both consumers, every email sent and received."""
    [unconfirmed] = system.rows("programmes", "SELECT count(*) AS n FROM outbox_deliveries")
    [unsent] = system.rows(
        "notifications", "SELECT count(*) AS n FROM deliveries WHERE status <> 'sent'"
    )
    return unconfirmed.n == unsent.n == 0 and len(smtp_server.messages) >= submissions


def no_process_exited(system: RunningSetu) -> None:
    output = system.process.output()
    assert " stopped (rc=" not in output, output[-6000:]


@pytest.mark.parametrize("comes_back", ["empty", "from_its_append_only_file"])
def test_a_redis_crash_mid_burst_loses_nothing_and_doubles_nothing(
    tmp_path, private_redis: RedisServer, smtp_server: SmtpServer, databases, comes_back: str
):
    smtp_server.handler.delay = 0.2  # five emails a second: the burst outruns the worker
    settings = {"SETU_DELIVERY_DEADLINE": str(DEADLINE), "SETU_RATE_LIMIT": "100000/minute"}
    data = tmp_path / "data"
    with running_setu(data, private_redis.url, smtp_server.port, **settings, **databases) as system:
        secretariat = system.bootstrap_key("IN")
        partners = setup_partners(system)
        for n in range(BEFORE):
            propose_and_submit(system, partners, n)
        assert len(smtp_server.messages) < BEFORE, "no backlog when Redis dies"

        private_redis.crash()
        if comes_back == "empty":
            private_redis.forget_everything()
        for n in range(BEFORE, BEFORE + DURING):
            propose_and_submit(system, partners, n)
        for consumer in ("notifications", "reports"):
            system.setu("events", "replay", "--to", consumer)
        private_redis.start()
        answering = time.monotonic()
        for n in range(BEFORE + DURING, BEFORE + DURING + AFTER):
            propose_and_submit(system, partners, n)

        submissions = BEFORE + DURING + AFTER
        wait_until(
            lambda: settled(system, smtp_server, submissions),
            timeout=WITHIN - (time.monotonic() - answering),
            interval=0.5,
            message="every event confirmed and every email sent",
        )
        emails = [message["X-Setu-Event-Id"] for message in smtp_server.messages]
        assert sorted(emails) == sorted(submitted_events(system))
        assert len(emails) == submissions
        no_process_exited(system)

        today = datetime.now(UTC).date()
        period = model.Period(today - timedelta(days=1), today + timedelta(days=1))
        documents = model.generate(system, secretariat, period)
        # The other producer: notifications confirms the reports' report.generated events.
        wait_until(
            lambda: not system.rows("reports", "SELECT event_id FROM outbox_deliveries"),
            message="notifications to confirm every report.generated event",
        )
        no_process_exited(system)

    db = model.read_programmes_database(system.database_url("programmes"))
    assert len(db.programmes) == submissions
    model.assert_reports_match(documents, db, period)
