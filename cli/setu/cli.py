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
