"""The notifications worker confirms each event to its producer once it is done with it; a
confirmation that Redis loses costs one resend of the event, and still one email.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from prometheus_client import REGISTRY

from setu_contract.confirmations import APPLIED
from setu_contract.deliveries import RedeliveryPolicy
from setu_contract.messaging import (
    NOTIFICATIONS_QUEUE,
    PROGRAMMES_PRODUCER,
    REPORTS_QUEUE,
    confirmations_key,
)
from tests.integration.notifications.conftest import WorkerStarter
from tests.support.deliveries import Producer, confirm
from tests.support.infra import RedisServer, postgres_database, sqlite_database, wait_until
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import programme_status_changed


def _confirmations(redis_url: str) -> list[str]:
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    with client:
        lines = client.lrange(confirmations_key(PROGRAMMES_PRODUCER), 0, -1)
    return [line.decode() for line in lines]


def test_each_event_is_confirmed_applied_or_dead_lettered(
    notifications_worker, smtp_server: SmtpServer, publish, redis_url: str
) -> None:
    envelope = programme_status_changed()
    invalid = {**programme_status_changed(), "data": {"id": "not a programme"}}
    publish(envelope)
    smtp_server.wait_for(1)
    publish(invalid)
    publish(envelope)  # a second copy: applied already, confirmed again
    wait_until(lambda: len(_confirmations(redis_url)) == 3, message="three confirmations")
    assert sorted(_confirmations(redis_url)) == sorted(
        [
            f"notifications applied {envelope['id']}",
            f"notifications applied {envelope['id']}",
            f"notifications dead_lettered {invalid['id']}",
        ]
    )
    assert len(smtp_server.messages) == 1


@pytest.fixture
def producer_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The producer's own database, of the same kind as the worker's."""
    if database_url.startswith("sqlite"):
        yield sqlite_database(tmp_path)
    else:
        with postgres_database() as url:
            yield url


def _redelivered() -> float:
    labels = {"service": PROGRAMMES_PRODUCER, "consumer": NOTIFICATIONS_QUEUE}
    return REGISTRY.get_sample_value("setu_relay_redelivered_total", labels) or 0.0


def test_a_confirmation_lost_with_redis_costs_one_resend_and_no_second_email(
    start_notifications_worker: WorkerStarter,
    private_redis: RedisServer,
    producer_database_url: str,
    smtp_server: SmtpServer,
) -> None:
    worker = start_notifications_worker(REDIS_URL=private_redis.url)
    producer = Producer(producer_database_url, private_redis.url, RedeliveryPolicy())
    try:
        [event] = producer.append([programme_status_changed()])
        assert producer.relay.relay_batch() == 1
        [email] = smtp_server.wait_for(1)
        wait_until(
            lambda: f"notifications applied {event['id']}" in _confirmations(private_redis.url),
            message="the worker's confirmation",
        )

        # Redis dies before the relay takes the confirmation, and comes back empty.
        private_redis.crash()
        private_redis.forget_everything()
        private_redis.start()
        confirm(private_redis.url, REPORTS_QUEUE, APPLIED, event)  # not the consumer here
        producer.tracker.take_confirmations()
        assert set(producer.rows()) == {(event["id"], NOTIFICATIONS_QUEUE)}

        producer.make_due()
        before = _redelivered()
        assert producer.tracker.resend_due() == 1

        def confirmed_again() -> bool:
            producer.tracker.take_confirmations()
            return producer.rows() == {}

        wait_until(confirmed_again, timeout=30, message="the copy applied and confirmed")
        assert _redelivered() - before == 1
        assert worker.output().count(f"handle_event[{event['id']}:notifications] received") == 2
        assert smtp_server.messages == [email]
    finally:
        producer.close()
