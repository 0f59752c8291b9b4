"""The programmes service's commands: migrate, bootstrap, relay, export-events, and the
delivery tools (unconfirmed, redeliver)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from programmes.config import Config
from programmes.store import migrate as migrations


@click.group()
def cli() -> None:
    """Setu programmes service."""


@cli.command()
def migrate() -> None:
    """Create or upgrade the programmes database to the latest schema."""
    migrations.upgrade(Config.from_env().database_url)
    click.echo("programmes database is up to date")


@cli.command()
@click.option("--side", type=click.Choice(["JP", "IN"]), default="JP", show_default=True)
def bootstrap(side: str) -> None:
    """Create both secretariat sides if missing; print a new key for SIDE as the last line."""
    from programmes.services.organisations import bootstrap as make_secretariat
    from programmes.store.db import make_engine, make_sessionmaker
    from setu_contract.observability import new_correlation_id, set_correlation_id

    config = Config.from_env()
    migrations.upgrade(config.database_url)
    set_correlation_id(new_correlation_id())
    engine = make_engine(config.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            key, secret = make_secretariat(session, side, config.secretariat_email)
            click.echo(f"secretariat key for the {side} side ({key.name}), shown once:")
    finally:
        engine.dispose()
    click.echo(secret)


@cli.command()
@click.option("--batch-size", default=200, show_default=True, type=int)
def relay(batch_size: int) -> None:
    """Publish committed outbox rows to Redis through Celery until SIGTERM or SIGINT."""
    from programmes.store.models import outbox
    from setu_contract.metrics import serve_relay
    from setu_contract.observability import configure_logging
    from setu_contract.outbox import OutboxRelay

    config = Config.from_env()
    configure_logging("programmes-relay", config.log_level)
    click.echo("programmes outbox relay started", err=True)
    with _delivery(config) as (engine, publisher, tracker):
        outbox_relay = OutboxRelay(engine, outbox, publisher, batch_size, tracker)
        serve_relay(outbox_relay, "programmes")
    click.echo("programmes outbox relay stopped", err=True)


@contextmanager
def _delivery(config: Config) -> Iterator[tuple[Any, Any, Any]]:
    """The engine, the Celery publisher and the delivery tracker of the relay and the
    delivery tools, closed afterwards."""
    from programmes.store.db import make_engine
    from programmes.store.models import outbox, outbox_deliveries
    from programmes.worker import make_celery
    from setu_contract.messaging import PROGRAMMES_PRODUCER
    from setu_contract.outbox import celery_publisher
    from setu_contract.redelivery import delivery_tracker

    engine = make_engine(config.database_url)
    celery_app = make_celery(config.redis_url)
    publisher = celery_publisher(celery_app)
    tracker = delivery_tracker(
        engine,
        outbox,
        outbox_deliveries,
        PROGRAMMES_PRODUCER,
        config.redis_url,
        publisher.publish_to,
        config.delivery_deadline,
    )
    try:
        yield engine, publisher, tracker
    finally:
        tracker.broker.close()
        celery_app.close()
        engine.dispose()


@cli.command()
def unconfirmed() -> None:
    """Per consumer: the events it has not confirmed yet, and those it dead-lettered."""
    from setu_contract.deliveries import now_utc

    with _delivery(Config.from_env()) as (_, _, tracker):
        for backlog in tracker.backlog():
            click.echo(backlog.describe("programmes", now_utc()))


@cli.command()
@click.option("--to", "consumer", required=True, help="The consumer (its queue's name).")
@click.option("--since", help="Only events that occurred from then (ISO 8601, UTC by default).")
@click.option("--until", help="Only events that occurred before then.")
def redeliver(consumer: str, since: str | None, until: str | None) -> None:
    """Send a consumer again every event it has not confirmed, due or not."""
    from kombu.exceptions import KombuError
    from redis.exceptions import RedisError

    from setu_contract.redelivery import operator_time

    try:
        window = operator_time(since), operator_time(until)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    with _delivery(Config.from_env()) as (_, _, tracker):
        if consumer not in tracker.consumers:
            raise click.ClickException(f"{consumer} is sent no programmes event")
        try:
            sent = tracker.redeliver(consumer, *window)
        except (OSError, KombuError, RedisError) as exc:
            raise click.ClickException(f"stopped, the broker is unreachable: {exc}") from exc
    click.echo(f"programmes: sent {sent} unconfirmed events to {consumer} again")


@cli.command("export-events")
def export_events() -> None:
    """Write the whole event log to standard output, oldest first, one JSON envelope a line."""
    import json

    from programmes.store.db import make_engine
    from programmes.store.models import outbox
    from setu_contract.outbox import iter_events

    engine = make_engine(Config.from_env().database_url)
    try:
        for envelope in iter_events(engine, outbox):
            click.echo(json.dumps(envelope, ensure_ascii=False))
    finally:
        engine.dispose()
