"""The reports service's commands: ``migrate``, ``relay`` and ``rebuild``."""

from __future__ import annotations

import click

from reports.config import Config
from reports.runtime import build_runtime
from reports.services.rebuild import envelopes_from_lines
from reports.services.rebuild import rebuild as rebuild_read_model
from reports.store import migrate as migrations
from reports.store.db import transaction
from reports.store.models import outbox
from setu_contract.events import InvalidEvent
from setu_contract.observability import configure_logging
from setu_contract.outbox import OutboxRelay, celery_publisher, serve


@click.group()
def cli() -> None:
    """The reports service."""


@cli.command()
def migrate() -> None:
    """Create or upgrade the reports database schema."""
    config = Config.from_env()
    migrations.upgrade(config.database_url)
    click.echo("reports database is up to date")


@cli.command()
@click.option("--poll-interval", default=0.05, show_default=True, type=float)
def relay(poll_interval: float) -> None:
    """Publish the reports outbox (report.generated) to the broker until SIGTERM or SIGINT."""
    from reports.worker import app as celery_app

    configure_logging("reports-relay")
    runtime = build_runtime(Config.from_env())
    click.echo("reports relay started", err=True)
    try:
        serve(
            OutboxRelay(runtime.engine, outbox, celery_publisher(celery_app)),
            "relay",
            poll_interval,
        )
    finally:
        runtime.engine.dispose()
    click.echo("reports relay stopped", err=True)


@cli.command()
@click.argument("events", type=click.File("r", encoding="utf-8"), default="-")
def rebuild(events) -> None:
    """Rebuild the read model from EVENTS, a JSON-lines file of envelopes ('-': stdin)."""
    runtime = build_runtime(Config.from_env())
    try:
        with transaction(runtime.sessions) as session:
            counts = rebuild_read_model(session, envelopes_from_lines(events))
    except InvalidEvent as exc:
        raise click.ClickException(f"not rebuilt, an event is invalid: {exc.errors}") from exc
    finally:
        runtime.engine.dispose()
    click.echo(" ".join(f"{name}={value}" for name, value in counts.items()))


if __name__ == "__main__":  # pragma: no cover
    cli()
