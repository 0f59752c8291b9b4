"""Delivery confirmed end to end, the producer's half, on SQLite and PostgreSQL and real Redis.

The relay writes down what it published to each consumer; the consumers' confirmations,
pushed to Redis as the workers push them, clear it; what stays unconfirmed past its
deadline is published again to that consumer alone, with the event's task id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from setu_contract.confirmations import APPLIED, DEAD_LETTERED
from setu_contract.deliveries import DEAD_LETTERED as DEAD
from setu_contract.deliveries import UNCONFIRMED, RedeliveryPolicy
from setu_contract.messaging import (
    NOTIFICATIONS_QUEUE,
    PROGRAMMES_PRODUCER,
    REPORTS_QUEUE,
    confirmations_key,
)
from tests.support.deliveries import QUEUES, Producer, confirm
from tests.support.infra import forget_queued_tasks


@pytest.fixture
def producer(database_url: str, redis_url: str):
    forget_queued_tasks(redis_url)
    made = []

    def make(**policy: float) -> Producer:
        made.append(Producer(database_url, redis_url, RedeliveryPolicy(**policy)))
        return made[-1]

    yield make
    for one in made:
        one.close()
    forget_queued_tasks(redis_url)


def test_each_consumer_has_a_row_until_it_confirms(producer, redis_url):
    p = producer()
    events = p.write(3)
    assert p.relay.relay_batch() == 3
    assert p.rows() == {(e["id"], q): (UNCONFIRMED, 0) for e in events for q in QUEUES}

    confirm(redis_url, NOTIFICATIONS_QUEUE, APPLIED, events[0])
    confirm(redis_url, NOTIFICATIONS_QUEUE, DEAD_LETTERED, events[1])
    confirm(redis_url, REPORTS_QUEUE, APPLIED, *events)
    p.broker.rpush(confirmations_key(PROGRAMMES_PRODUCER), "not a confirmation")
    assert p.tracker.take_confirmations(count=2, batches=1) == 2  # the relay's pass next
    assert p.tracker.take_confirmations(count=2) == 3  # in two batches; the junk dropped

    assert p.rows() == {
        (events[1]["id"], NOTIFICATIONS_QUEUE): (DEAD, 0),
        (events[2]["id"], NOTIFICATIONS_QUEUE): (UNCONFIRMED, 0),
    }
    notifications, reports = p.tracker.backlog()
    assert (notifications.consumer, notifications.unconfirmed, notifications.dead_lettered) == (
        NOTIFICATIONS_QUEUE,
        1,
        1,
    )
    assert notifications.oldest_sent_at is not None
    assert notifications.oldest_sent_at.tzinfo is not None
    assert (reports.unconfirmed, reports.dead_lettered, reports.oldest_sent_at) == (0, 0, None)
    assert p.broker.llen(confirmations_key(PROGRAMMES_PRODUCER)) == 0


def test_an_event_unconfirmed_past_its_deadline_goes_again_to_that_consumer_only(
    producer, redis_url
):
    p = producer(deadline=60)
    first, second = p.write(2)
    p.relay.relay_batch()
    confirm(redis_url, REPORTS_QUEUE, APPLIED, first, second)
    confirm(redis_url, NOTIFICATIONS_QUEUE, APPLIED, first)
    p.tracker.take_confirmations()
    p.empty_queues()

    assert p.tracker.resend_due() == 0  # not due yet
    p.make_due()
    before = datetime.now(UTC)
    assert p.tracker.resend_due() == 1
    assert p.queued_ids(NOTIFICATIONS_QUEUE) == [f"{second['id']}:{NOTIFICATIONS_QUEUE}"]
    assert p.queued_ids(REPORTS_QUEUE) == []
    assert p.rows() == {(second["id"], NOTIFICATIONS_QUEUE): (UNCONFIRMED, 1)}
    # The next resend waits twice the deadline.
    with p.engine.connect() as conn:
        [resend_at] = conn.execute(select(p.deliveries.c.resend_at)).scalars()
    assert resend_at >= before + timedelta(seconds=120)
    assert p.tracker.resend_due() == 0

    confirm(redis_url, NOTIFICATIONS_QUEUE, APPLIED, second)  # the copy was applied
    p.tracker.take_confirmations()
    assert p.rows() == {}


def test_nothing_goes_again_to_a_consumer_whose_queue_is_long(producer):
    p = producer(queue_limit=1)
    [event] = p.write(1)
    p.relay.relay_batch()  # one task in each queue
    p.broker.lpush(NOTIFICATIONS_QUEUE, "another task")
    p.make_due()
    assert p.tracker.resend_due() == 1
    assert p.queued_ids(REPORTS_QUEUE) == [f"{event['id']}:{REPORTS_QUEUE}"] * 2
    assert p.rows()[(event["id"], NOTIFICATIONS_QUEUE)] == (UNCONFIRMED, 0)


def test_a_dead_lettered_event_is_not_sent_again(producer, redis_url):
    p = producer()
    [event] = p.write(1)
    p.relay.relay_batch()
    confirm(redis_url, NOTIFICATIONS_QUEUE, DEAD_LETTERED, event)
    confirm(redis_url, REPORTS_QUEUE, DEAD_LETTERED, event)
    p.tracker.take_confirmations()
    p.empty_queues()
    p.make_due()
    assert p.tracker.resend_due() == 0


def test_redeliver_sends_a_consumer_its_unconfirmed_events_of_a_window_due_or_not(producer):
    p = producer(batch=2)
    day = datetime(2027, 3, 1, tzinfo=UTC)
    early = p.write(1, occurred_at=day)
    middle = p.write(3, occurred_at=day + timedelta(hours=1))
    late = p.write(1, occurred_at=day + timedelta(hours=2))
    p.relay.relay_batch()
    p.empty_queues()

    sent = p.tracker.redeliver(
        NOTIFICATIONS_QUEUE, day + timedelta(minutes=30), day + timedelta(minutes=90)
    )
    assert sent == 3  # in two batches
    assert p.queued_ids(NOTIFICATIONS_QUEUE)[::-1] == [
        f"{e['id']}:{NOTIFICATIONS_QUEUE}" for e in middle
    ]
    rows = p.rows()
    assert {rows[(e["id"], NOTIFICATIONS_QUEUE)] for e in middle} == {(UNCONFIRMED, 1)}
    assert {rows[(e["id"], NOTIFICATIONS_QUEUE)] for e in early + late} == {(UNCONFIRMED, 0)}
    assert p.tracker.redeliver(REPORTS_QUEUE) == 5


def test_an_event_published_again_by_hand_is_unconfirmed_again(producer, redis_url):
    p = producer()
    [event] = p.write(1)
    p.relay.relay_batch()
    confirm(redis_url, NOTIFICATIONS_QUEUE, DEAD_LETTERED, event)
    p.tracker.take_confirmations()
    with p.engine.begin() as conn:  # what an operator did before confirmations were kept
        conn.execute(update(p.outbox).values(published_at=None))
    assert p.relay.relay_batch() == 1
    assert p.rows() == {(event["id"], q): (UNCONFIRMED, 0) for q in QUEUES}
