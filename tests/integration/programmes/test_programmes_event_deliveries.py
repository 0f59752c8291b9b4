"""What each consumer has confirmed of the event log, as the secretariat and an operator see
it: per event in GET /v1/events, per consumer in GET /v1/events/consumers and in
`setu programmes unconfirmed`; and `setu programmes redeliver` sends it again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from click.testing import CliRunner

from programmes.cli import cli
from programmes.store.models import outbox, outbox_deliveries
from programmes.worker import make_celery
from setu_contract.confirmations import APPLIED, DEAD_LETTERED, Confirmer
from setu_contract.messaging import NOTIFICATIONS_QUEUE, PROGRAMMES_PRODUCER, REPORTS_QUEUE
from setu_contract.outbox import OutboxRelay, celery_publisher
from setu_contract.redelivery import DeliveryTracker, delivery_tracker
from tests.integration.programmes.conftest import Caller, Partners, programme_body
from tests.support.infra import forget_queued_tasks


@contextmanager
def _relayed(engine, redis_url: str) -> Iterator[DeliveryTracker]:
    """The whole outbox published as `setu programmes relay` does; the relay's tracker."""
    celery_app = make_celery(redis_url)
    publisher = celery_publisher(celery_app)
    tracker = delivery_tracker(
        engine, outbox, outbox_deliveries, PROGRAMMES_PRODUCER, redis_url, publisher.publish_to, 60
    )
    relay = OutboxRelay(engine, outbox, publisher, tracker=tracker)
    try:
        while relay.relay_batch():
            pass
        yield tracker
    finally:
        tracker.broker.close()
        celery_app.close()


def _deliveries(caller: Caller, aggregate_id: str) -> list[dict[str, str]]:
    answer = caller.get("/v1/events", query_string={"aggregate_id": aggregate_id})
    assert answer.status_code == 200, answer.json
    return [event["deliveries"] for event in answer.json["items"]]


def _cli(env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, list(args), env=env)


def test_the_event_log_shows_what_each_consumer_confirmed(
    partners: Partners, secretariat: Caller, engine, redis_url: str, programmes_env
):
    forget_queued_tasks(redis_url)
    programme = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    both = {NOTIFICATIONS_QUEUE: "waiting", REPORTS_QUEUE: "waiting"}
    assert _deliveries(secretariat, programme["id"]) == [both]

    with _relayed(engine, redis_url) as tracker:
        published = _deliveries(secretariat, programme["id"])
        about = secretariat.get("/v1/events", query_string={"aggregate_id": programme["id"]})
        [created] = about.json["items"]
        Confirmer(redis_url, NOTIFICATIONS_QUEUE).confirm(created, APPLIED)
        Confirmer(redis_url, REPORTS_QUEUE).confirm(created, DEAD_LETTERED)
        assert tracker.take_confirmations() == 2
    assert published == [{NOTIFICATIONS_QUEUE: "unconfirmed", REPORTS_QUEUE: "unconfirmed"}]
    assert _deliveries(secretariat, programme["id"]) == [
        {NOTIFICATIONS_QUEUE: "confirmed", REPORTS_QUEUE: "dead_lettered"}
    ]

    total = secretariat.get("/v1/events").json["total"]
    answer = secretariat.get("/v1/events/consumers")
    assert answer.status_code == 200, answer.json
    notifications, reports = answer.json["consumers"]
    assert (notifications["consumer"], notifications["unconfirmed"]) == (
        NOTIFICATIONS_QUEUE,
        total - 1,
    )
    assert (reports["unconfirmed"], reports["dead_lettered"]) == (total - 1, 1)
    assert notifications["oldest_unconfirmed_sent_at"] is not None
    assert notifications["oldest_unconfirmed_age_seconds"] >= 0
    assert partners.jp_caller.get("/v1/events/consumers").status_code == 403

    shown = _cli(programmes_env, "unconfirmed")
    assert shown.exit_code == 0, shown.output
    assert f"programmes -> notifications: {total - 1} unconfirmed, the oldest sent" in shown.output
    assert "programmes -> reports: " in shown.output and "1 dead-lettered" in shown.output

    broker = redis.Redis.from_url(redis_url, socket_timeout=5)
    broker.delete(REPORTS_QUEUE)  # as a Redis that came back empty
    sent = _cli(programmes_env, "redeliver", "--to", "reports", "--since", "2000-01-01")
    assert sent.exit_code == 0, sent.output
    assert f"programmes: sent {total - 1} unconfirmed events to reports again" in sent.output
    queued = {json.loads(raw)["headers"]["id"] for raw in broker.lrange(REPORTS_QUEUE, 0, -1)}
    assert len(queued) == total - 1 and f"{created['id']}:reports" not in queued
    broker.close()

    assert _cli(programmes_env, "redeliver", "--to", "nobody").exit_code != 0
    assert _cli(programmes_env, "redeliver", "--to", "reports", "--since", "soon").exit_code == 2
    forget_queued_tasks(redis_url)
