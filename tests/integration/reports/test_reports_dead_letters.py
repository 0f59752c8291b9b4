"""An event whose handling keeps failing becomes a dead letter; an operator lists it, fixes the
fault and re-queues it, and the event is then applied once (real worker, Redis, databases).
The event's producer is told both: dead-lettered, then applied."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import Row, func, select, text

from reports.cli import cli
from reports.store.models import Organisation, ProcessedEvent, dead_letters
from setu_contract.events import EventType
from setu_contract.messaging import PROGRAMMES_PRODUCER, REPORTS_QUEUE, confirmations_key
from tests.integration.reports import factories as f
from tests.support.infra import wait_until
from tests.support.processes import Process, celery_worker

MAX_RETRIES = 2
# Short retries through the service's own settings (the defaults wait up to a minute).
FAST_RETRIES = {
    "REPORTS_EVENT_MAX_RETRIES": str(MAX_RETRIES),
    "REPORTS_EVENT_RETRY_BASE": "0.2",
    "REPORTS_EVENT_RETRY_MAX": "1",
}

SQLITE_FAULT = (
    "CREATE TRIGGER reports_test_fault BEFORE INSERT ON organisations "
    "BEGIN SELECT RAISE(ABORT, 'organisations refuse inserts (test fault)'); END"
)
POSTGRES_FAULT = (
    "CREATE FUNCTION reports_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'organisations refuse inserts (test fault)' "
    "USING ERRCODE = 'check_violation'; END $$",
    "CREATE TRIGGER reports_test_fault BEFORE INSERT ON organisations "
    "FOR EACH ROW EXECUTE FUNCTION reports_test_fault()",
)
POSTGRES_FIX = (
    "DROP TRIGGER reports_test_fault ON organisations",
    "DROP FUNCTION reports_test_fault()",
)


@pytest.fixture
def fast_retry_worker(reports_service, tmp_path: Path) -> Iterator[Process]:
    worker = celery_worker(
        "reports.worker",
        REPORTS_QUEUE,
        {**reports_service.env, **FAST_RETRIES},
        tmp_path,
        concurrency=1,
        name="reports-dead-letter-worker",
    )
    try:
        yield worker
    finally:
        worker.stop()


def _is_sqlite(service) -> bool:
    return service.config.database_url.startswith("sqlite")


def _execute(service, *statements: str) -> None:
    with service.sessions() as session, session.begin():
        for statement in statements:
            session.execute(text(statement))


def _letter(service, event_id: str) -> Row[Any] | None:
    with service.sessions() as session:
        return session.execute(
            select(dead_letters).where(dead_letters.c.event_id == event_id)
        ).one_or_none()


def _processed(service, event_id: str) -> int:
    with service.sessions() as session:
        query = select(func.count()).where(ProcessedEvent.event_id == event_id)
        return session.execute(query).scalar_one()


def _cli(service, *args: str):
    return CliRunner().invoke(cli, list(args), env=service.env)


def _confirmations(service) -> list[str]:
    client = redis.Redis.from_url(service.config.redis_url, socket_timeout=5)
    with client:
        lines = client.lrange(confirmations_key(PROGRAMMES_PRODUCER), 0, -1)
    return [line.decode() for line in lines]


def test_an_event_failing_past_its_retries_is_listed_then_requeued_once(
    reports_service, fast_retry_worker
) -> None:
    """A database error is retried, then dead-lettered; once fixed, requeue applies it once."""
    sqlite = _is_sqlite(reports_service)
    _execute(reports_service, *((SQLITE_FAULT,) if sqlite else POSTGRES_FAULT))
    organisation = f.organisation("JP")
    envelope = f.event(EventType.ORGANISATION_REGISTERED, organisation)
    reports_service.send_event(envelope)

    letter = wait_until(lambda: _letter(reports_service, envelope["id"]), 30, message="a letter")
    assert letter.attempts == MAX_RETRIES + 1 and "IntegrityError" in letter.error
    assert (letter.event_type, letter.requeued_at) == ("organisation.registered", None)
    assert _processed(reports_service, envelope["id"]) == 0
    dead = f"reports dead_lettered {envelope['id']}"
    wait_until(lambda: _confirmations(reports_service) == [dead], message="confirmed dead")
    listing = _cli(reports_service, "dead-letters")
    assert listing.exit_code == 0, listing.output
    assert letter.id in listing.output and envelope["id"] in listing.output
    assert f"attempts={MAX_RETRIES + 1}" in listing.output and "test fault" in listing.output

    _execute(reports_service, *(("DROP TRIGGER reports_test_fault",) if sqlite else POSTGRES_FIX))
    requeued = _cli(reports_service, "requeue", letter.id)
    assert requeued.exit_code == 0, requeued.output
    assert f"re-queued {letter.id}" in requeued.output
    wait_until(lambda: _processed(reports_service, envelope["id"]) == 1, 30, message="applied")
    with reports_service.sessions() as session:
        assert session.get(Organisation, organisation["id"]).country == "JP"
    applied = f"reports applied {envelope['id']}"
    wait_until(lambda: _confirmations(reports_service) == [dead, applied], message="confirmed")

    again = _cli(reports_service, "requeue", letter.id)
    assert again.exit_code != 0 and "re-queued already" in again.output
    assert letter.id not in _cli(reports_service, "dead-letters").output
    everything = _cli(reports_service, "dead-letters", "--all").output
    assert letter.id in everything and "requeued" in everything
    assert _processed(reports_service, envelope["id"]) == 1
    with reports_service.sessions() as session:
        assert session.scalar(select(func.count()).select_from(dead_letters)) == 1


def test_a_missing_table_also_ends_as_a_dead_letter_never_silently_lost(
    reports_service, fast_retry_worker
) -> None:
    """SQLite reports a missing table as an OperationalError (retried); PostgreSQL as a
    ProgrammingError, which is not retried: either way the event is kept as a dead letter."""
    _execute(reports_service, "ALTER TABLE organisations RENAME TO organisations_away")
    envelope = f.event(EventType.ORGANISATION_REGISTERED, f.organisation("IN"))
    reports_service.send_event(envelope)

    letter = wait_until(lambda: _letter(reports_service, envelope["id"]), 30, message="a letter")
    if _is_sqlite(reports_service):
        assert letter.attempts == MAX_RETRIES + 1 and "OperationalError" in letter.error
    else:
        assert letter.attempts == 1 and "ProgrammingError" in letter.error
    assert letter.payload == {"args": [envelope]}

    _execute(reports_service, "ALTER TABLE organisations_away RENAME TO organisations")
    assert _cli(reports_service, "requeue", letter.id).exit_code == 0
    wait_until(lambda: _processed(reports_service, envelope["id"]) == 1, 30, message="applied")
    assert _cli(reports_service, "requeue", "no-such-letter").exit_code != 0
