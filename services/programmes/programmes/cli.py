"""The programmes service's commands: migrate, bootstrap, relay, export-events, and the
delivery tools (unconfirmed, redeliver)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from programmes.config import Config
from programmes.store import migrate as migrations
from setu_contract.delivery_commands import add_delivery_commands


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
@click.option(
    "--clock-seconds",
    default=30.0,
    show_default=True,
    type=float,
    envvar="CALL_CLOCK_SECONDS",
    help="how often the calls' clock runs in this process (0: not here)",
)
def relay(batch_size: int, clock_seconds: float) -> None:
    """Publish committed outbox rows to Redis through Celery until SIGTERM or SIGINT; run
    the calls' clock (opening, closing, reminders) beside it."""
    from programmes import clock as call_clock
    from programmes.store.db import make_sessionmaker
    from programmes.store.models import outbox
    from setu_contract.observability import configure_logging
    from setu_contract.outbox import OutboxRelay
    from setu_contract.worker_metrics import serve_relay

    config = Config.from_env()
    configure_logging("programmes-relay", config.log_level)
    click.echo("programmes outbox relay started", err=True)
    with _delivery(config) as (engine, publisher, tracker):
        # The relay is the service's one long-running process besides its API: the clock
        # runs here. Two relays (a failover) run two clocks, which do each thing once.
        clock = (
            call_clock.start(make_sessionmaker(engine), clock_seconds) if clock_seconds else None
        )
        outbox_relay = OutboxRelay(engine, outbox, publisher, batch_size, tracker)
        try:
            serve_relay(outbox_relay, "programmes")
        finally:
            if clock is not None:
                clock.set()
    click.echo("programmes outbox relay stopped", err=True)


@cli.command("tick-calls")
@click.option(
    "--now",
    "moment",
    default=None,
    help="the time to tick at (ISO 8601, with its offset), for catching up and tests",
)
def tick_calls(moment: str | None) -> None:
    """Run the calls' clock once now: open and close calls due, send reminders due, and the
    notices of export licences expiring (30 days before) and expired (on the day), and an
    erasure's reclaim that had to wait (setu_contract.reclaims)."""
    from datetime import UTC, datetime

    from programmes import clock as call_clock
    from programmes.store.db import make_engine, make_sessionmaker

    at = datetime.fromisoformat(moment) if moment else datetime.now(UTC)
    if at.tzinfo is None:
        raise click.BadParameter("give the time with its offset, e.g. 2027-04-01T09:00:00+00:00")
    engine = make_engine(Config.from_env().database_url)
    try:
        done = call_clock.tick(make_sessionmaker(engine), at)
    finally:
        engine.dispose()
    click.echo(", ".join(f"{name}: {count}" for name, count in done.items()))


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


@contextmanager
def _trackers() -> Iterator[Any]:
    with _delivery(Config.from_env()) as (_, _, tracker):
        yield tracker


add_delivery_commands(cli, "programmes", _trackers)


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
