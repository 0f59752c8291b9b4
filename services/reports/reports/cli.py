"""The reports service's commands: ``migrate``, ``relay``, ``rebuild``, ``dead-letters``,
``requeue``, and the delivery tools of its own events (``unconfirmed``, ``redeliver``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from kombu.exceptions import KombuError

from reports.config import Config
from reports.runtime import Runtime, build_runtime
from reports.services import dead_letters as letters
from reports.services.rebuild import envelopes_from_lines
from reports.services.rebuild import rebuild as rebuild_read_model
from reports.store import migrate as migrations
from reports.store.db import transaction
from reports.store.models import outbox, outbox_deliveries
from setu_contract.dead_letters import DeadLetterRefused
from setu_contract.delivery_commands import add_delivery_commands
from setu_contract.events import InvalidEvent
from setu_contract.messaging import REPORTS_PRODUCER, REPORTS_QUEUE, task_reprs
from setu_contract.observability import configure_logging
from setu_contract.outbox import CeleryPublisher, OutboxRelay, celery_publisher
from setu_contract.redelivery import DeliveryTracker, delivery_tracker
from setu_contract.worker_metrics import serve_relay


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
    configure_logging("reports-relay")
    click.echo("reports relay started", err=True)
    with _delivery() as (runtime, publisher, tracker):
        serve_relay(
            OutboxRelay(runtime.engine, outbox, publisher, tracker=tracker),
            "reports",
            poll_interval=poll_interval,
        )
    click.echo("reports relay stopped", err=True)


@contextmanager
def _delivery() -> Iterator[tuple[Runtime, CeleryPublisher, DeliveryTracker]]:
    """The runtime, the Celery publisher and the delivery tracker of the relay and the
    delivery tools, closed afterwards."""
    from reports.worker import app as celery_app

    runtime = build_runtime(Config.from_env())
    publisher = celery_publisher(celery_app)
    tracker = delivery_tracker(
        runtime.engine,
        outbox,
        outbox_deliveries,
        REPORTS_PRODUCER,
        runtime.config.redis_url,
        publisher.publish_to,
        runtime.config.delivery_deadline,
    )
    try:
        yield runtime, publisher, tracker
    finally:
        tracker.broker.close()
        runtime.engine.dispose()


@contextmanager
def _trackers() -> Iterator[DeliveryTracker]:
    with _delivery() as (_, _, tracker):
        yield tracker


add_delivery_commands(cli, "reports", _trackers)


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


@cli.command("dead-letters")
@click.option("--all", "include_requeued", is_flag=True, help="Include re-queued ones.")
def dead_letters(include_requeued: bool) -> None:
    """List the events whose handling failed for good (oldest first)."""
    runtime = build_runtime(Config.from_env())
    try:
        with transaction(runtime.sessions) as session:
            found = letters.list_dead_letters(session, include_requeued)
    finally:
        runtime.engine.dispose()
    if not found:
        click.echo("no dead letters")
    for letter in found:
        state = f"requeued {letter.requeued_at:%Y-%m-%d %H:%M}" if letter.requeued_at else "dead"
        click.echo(
            f"{letter.id}  {letter.created_at:%Y-%m-%d %H:%M:%S}  {letter.event_type or '-'}  "
            f"{letter.event_id or '-'}  attempts={letter.attempts}  {state}  {letter.error[:120]}"
        )


@cli.command("requeue")
@click.argument("dead_letter_id")
def requeue(dead_letter_id: str) -> None:
    """Send a dead letter's event to the worker again (once per dead letter)."""
    from reports.worker import app as celery_app

    runtime = build_runtime(Config.from_env())
    try:
        # Sent before the mark commits: if Redis refuses, the letter stays dead (not lost);
        # if the commit fails after the send, the consumer's processed_events skips a copy.
        with transaction(runtime.sessions) as session:
            work = letters.requeue(session, dead_letter_id)
            celery_app.send_task(
                work.task_name,
                args=work.args,
                queue=REPORTS_QUEUE,
                retry=False,
                **task_reprs(work.args),
            )
    except DeadLetterRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, KombuError) as exc:
        raise click.ClickException(f"not re-queued, the broker is unreachable: {exc}") from exc
    finally:
        runtime.engine.dispose()
    click.echo(f"re-queued {dead_letter_id} as {work.task_name}")


if __name__ == "__main__":  # pragma: no cover
    cli()
