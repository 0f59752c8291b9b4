"""The notifications service's commands: `migrate` and the dead-letter tools."""

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
