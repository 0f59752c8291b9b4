"""The programmes service's commands: migrate, bootstrap, relay, export-events."""

from __future__ import annotations

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
    from programmes.store.db import make_engine
    from programmes.store.models import outbox
    from programmes.worker import make_celery
    from setu_contract.metrics import serve_relay
    from setu_contract.observability import configure_logging
    from setu_contract.outbox import OutboxRelay, celery_publisher

    config = Config.from_env()
    configure_logging("programmes-relay", config.log_level)
    engine = make_engine(config.database_url)
    celery_app = make_celery(config.redis_url)
    click.echo("programmes outbox relay started", err=True)
    try:
        outbox_relay = OutboxRelay(engine, outbox, celery_publisher(celery_app), batch_size)
        serve_relay(outbox_relay, "programmes")
    finally:
        celery_app.close()
        engine.dispose()
    click.echo("programmes outbox relay stopped", err=True)


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
