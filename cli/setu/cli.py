"""The `setu` command. Each service's own commands are mounted under its name."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

SERVICE_GROUPS = ("programmes", "notifications", "reports")


class SetuGroup(click.Group):
    """Service groups load on first use, so `setu up` does not import every service."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *SERVICE_GROUPS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in SERVICE_GROUPS:
            return importlib.import_module(f"{name}.cli").cli
        return super().get_command(ctx, name)


@click.group(cls=SetuGroup)
def main() -> None:
    """Setu: the Japan-India partnership programme platform."""
    from setu_contract.observability import configure_logging
    from setu_contract.process import keep_new_files_private

    # Every command, and every process `setu up` starts, writes files for its user alone.
    keep_new_files_private()
    configure_logging("setu-cli", os.environ.get("LOG_LEVEL", "WARNING"))


def _service_command(service: str, *args: str) -> None:
    group = importlib.import_module(f"{service}.cli").cli
    group.main(list(args), prog_name=f"setu {service}", standalone_mode=False)


@main.command()
def up() -> None:
    """Install nothing, start everything: gateway, APIs, relays, workers, beat, SMTP sink."""
    from setu.up import run

    sys.exit(run(dict(os.environ)))


@main.command()
def migrate() -> None:
    """Bring every service's database to the latest schema."""
    for service in SERVICE_GROUPS:
        _service_command(service, "migrate")


@main.command()
@click.option("--side", type=click.Choice(["JP", "IN"]), default="JP", show_default=True)
def bootstrap(side: str) -> None:
    """Create both secretariat sides if missing; print a new key for one side, last."""
    _service_command("programmes", "bootstrap", "--side", side)


@main.command("smtp-sink")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1025, show_default=True, type=int)
@click.option("--dir", "directory", default="var/mail", show_default=True, type=click.Path())
def smtp_sink(host: str, port: int, directory: str) -> None:
    """A local SMTP server writing each message as an .eml file."""
    from setu.smtp_sink import serve

    serve(host, port, Path(directory))


@main.command()
@click.option("--check", is_flag=True, help="Fail if the committed document is out of date.")
def openapi(check: bool) -> None:
    """Write (or check) the merged OpenAPI document the gateway serves."""
    from setu.openapi import COMMITTED, build, render

    text = render(build())
    if check:
        if not COMMITTED.exists() or COMMITTED.read_text() != text:
            raise click.ClickException(
                f"{COMMITTED} is out of date with the code: run `make openapi` and commit it."
            )
        click.echo("openapi.json matches the code")
        return
    COMMITTED.write_text(text)
    click.echo(f"wrote {COMMITTED}")


@main.group()
def events() -> None:
    """The event backbone: dead letters, re-queueing, replays from the event log, and what
    each consumer has confirmed."""


# Where each consumer keeps what failed for good, and how it takes a replayed log.
DEAD_LETTER_HOLDERS = ("notifications", "reports")
REPLAY_COMMANDS = {
    "reports": ("reports", "rebuild", "-"),
    "notifications": ("notifications", "replay", "-"),
}


@events.command("dead-letters")
def dead_letters() -> None:
    """List events and deliveries that failed past their retries."""
    for service in DEAD_LETTER_HOLDERS:
        click.echo(f"# {service}")
        _service_command(service, "dead-letters")


@events.command()
@click.argument("dead_letter_id")
def requeue(dead_letter_id: str) -> None:
    """Put a dead letter back to work (after fixing what made it fail)."""
    refusals = []
    for service in DEAD_LETTER_HOLDERS:
        try:
            _service_command(service, "requeue", dead_letter_id)
            return
        except click.ClickException as refused:  # not this service's letter, or refused
            refusals.append(f"{service}: {refused.format_message()}")
    raise click.ClickException("; ".join(refusals))


@events.command()
@click.option("--to", "consumer", type=click.Choice(sorted(REPLAY_COMMANDS)), required=True)
@click.option(
    "--mark-processed",
    is_flag=True,
    help="notifications only: also record the events as processed, so that none of their "
    "emails is ever sent (not even for an event still on its way).",
)
def replay(consumer: str, mark_processed: bool) -> None:
    """Rebuild a consumer from the programmes event log (notifications sends no email)."""
    import subprocess

    command = list(REPLAY_COMMANDS[consumer])
    if mark_processed:
        if consumer != "notifications":
            raise click.UsageError("--mark-processed is for --to notifications only")
        command.insert(-1, "--mark-processed")
    setu = str(Path(sys.executable).with_name("setu"))
    export = subprocess.Popen([setu, "programmes", "export-events"], stdout=subprocess.PIPE)
    try:
        applied = subprocess.run([setu, *command], stdin=export.stdout)
    finally:
        assert export.stdout is not None
        export.stdout.close()
        exported = export.wait()
    if exported or applied.returncode:
        raise click.ClickException(f"replay to {consumer} failed")


@events.command()
def status() -> None:
    """Per producer and consumer: events not confirmed yet (and the oldest's age), and
    events the consumer dead-lettered."""
    from setu_contract.messaging import PRODUCERS

    for producer in PRODUCERS:
        _service_command(producer, "unconfirmed")


@events.command()
@click.option("--to", "consumer", required=True, help="notifications or reports")
@click.option("--since", help="Only events that occurred from then (ISO 8601, UTC by default).")
@click.option("--until", help="Only events that occurred before then.")
def redeliver(consumer: str, since: str | None, until: str | None) -> None:
    """Send a consumer again, now, every event it has not confirmed (after a Redis loss)."""
    from setu_contract.messaging import PRODUCERS, QUEUES, consumers_of

    if consumer not in QUEUES:
        raise click.BadParameter(f"not one of {', '.join(QUEUES)}", param_hint="--to")
    window = [*(["--since", since] if since else []), *(["--until", until] if until else [])]
    for producer in PRODUCERS:
        if consumer in consumers_of(producer):
            _service_command(producer, "redeliver", "--to", consumer, *window)
