"""The notifications service's commands: `migrate`, `replay` and the dead-letter tools."""

from __future__ import annotations

import click

from notifications.config import Config
from notifications.store import migrate as migrations


@click.group()
def cli() -> None:
    """Setu notifications service."""


@cli.command()
def migrate() -> None:
    """Create or upgrade the notifications database to the latest schema."""
    url = Config.from_env().database_url
    migrations.upgrade(url)
    click.echo("notifications database is up to date")


def _sessions():
    from notifications.store.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(Config.from_env().database_url))


@cli.command("dead-letters")
@click.option("--all", "include_requeued", is_flag=True, help="Include re-queued ones.")
def dead_letters(include_requeued: bool) -> None:
    """List work that failed for good (oldest first)."""
    from notifications.services.dead_letters import list_dead_letters

    with _sessions()() as session, session.begin():
        letters = list_dead_letters(session, include_requeued)
    if not letters:
        click.echo("no dead letters")
    for letter in letters:
        state = f"requeued {letter.requeued_at:%Y-%m-%d %H:%M}" if letter.requeued_at else "dead"
        subject = letter.delivery_id or letter.event_id or "-"
        click.echo(
            f"{letter.id}  {letter.created_at:%Y-%m-%d %H:%M:%S}  {letter.source:<8}  "
            f"{subject}  attempts={letter.attempts}  {state}  {letter.error[:120]}"
        )


@cli.command("requeue")
@click.argument("dead_letter_id")
def requeue_command(dead_letter_id: str) -> None:
    """Put a dead letter back to work."""
    from notifications.publishing import publish
    from notifications.services.dead_letters import Conflict, requeue
    from setu_contract.dead_letters import DeadLetterRefused

    with _sessions()() as session:
        try:
            with session.begin():
                work = requeue(session, dead_letter_id)
        except (DeadLetterRefused, Conflict) as exc:
            raise click.ClickException(str(exc)) from exc
    if publish(Config.from_env().redis_url, work):
        click.echo(f"re-queued {dead_letter_id} as {work.task_name}")
    else:
        click.echo(f"marked {dead_letter_id} for retry; the sweeper will send it (Redis down)")


if __name__ == "__main__":
    cli()


@cli.command()
@click.option(
    "--mark-processed",
    is_flag=True,
    help="Also record each event as processed: none of their emails will ever be sent, not "
    "even for an event still on its way.",
)
@click.argument("events", type=click.File("r", encoding="utf-8"), default="-")
def replay(events, mark_processed: bool) -> None:
    """Rebuild state from EVENTS, a JSON-lines event log ('-': stdin). Sends no email."""
    import json

    from notifications.handling import replay_event
    from notifications.runtime import Runtime
    from setu_contract.events import InvalidEvent, parse_event

    runtime = Runtime(Config.from_env())
    replayed = new = 0
    for number, line in enumerate(events, start=1):
        if not line.strip():
            continue
        try:
            envelope = parse_event(json.loads(line))
        except (ValueError, InvalidEvent) as exc:
            raise click.ClickException(f"line {number} is not an event: {exc}") from exc
        with runtime.sessions() as session:
            new += replay_event(session, envelope, runtime.settings, mark_processed)
        replayed += 1
    click.echo(f"replayed {replayed} events into the read model; no email was sent")
    if mark_processed:
        click.echo(
            f"marked {new} events processed that had not been: their emails will never be "
            "sent, and copies still on their way will be dropped as duplicates"
        )
    else:
        click.echo(
            "no event was marked processed: those not applied yet are applied, and emailed, "
            "when they arrive"
        )
