"""The delivery tools of a producer's command line, the same for every producer: ``unconfirmed``
(per consumer, what it has not confirmed and what it dead-lettered) and ``redeliver`` (send a
consumer again what it has not confirmed, due or not). A service adds them to its click group
with the tracker of its own relay."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import click
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from setu_contract.deliveries import now_utc
from setu_contract.redelivery import DeliveryTracker, operator_time

Trackers = Callable[[], AbstractContextManager[DeliveryTracker]]


def add_delivery_commands(group: click.Group, producer: str, trackers: Trackers) -> None:
    """Add ``unconfirmed`` and ``redeliver`` to ``group``; ``trackers()`` opens the producer's
    tracker and closes it (and what it holds) afterwards."""

    @group.command()
    def unconfirmed() -> None:
        """Per consumer: the events it has not confirmed yet, and those it dead-lettered."""
        with trackers() as tracker:
            for backlog in tracker.backlog():
                click.echo(backlog.describe(producer, now_utc()))

    @group.command()
    @click.option("--to", "consumer", required=True, help="The consumer (its queue's name).")
    @click.option("--since", help="Only events that occurred from then (ISO 8601, UTC by default).")
    @click.option("--until", help="Only events that occurred before then.")
    def redeliver(consumer: str, since: str | None, until: str | None) -> None:
        """Send a consumer again every event it has not confirmed, due or not."""
        try:
            window = operator_time(since), operator_time(until)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        with trackers() as tracker:
            if consumer not in tracker.consumers:
                raise click.ClickException(f"{consumer} is sent no {producer} event")
            try:
                sent = tracker.redeliver(consumer, *window)
            except (OSError, KombuError, RedisError) as exc:
                raise click.ClickException(f"stopped, the broker is unreachable: {exc}") from exc
        click.echo(f"{producer}: sent {sent} unconfirmed events to {consumer} again")
