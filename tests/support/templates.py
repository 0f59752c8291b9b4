"""Migrated databases copied from a template instead of migrated test by test.

A test whose ``schema`` fixture names a service gets, as its ``database_url``, a copy of a
database that Alembic migrated once: PostgreSQL makes it with ``CREATE DATABASE ...
TEMPLATE`` (no dearer than an empty one), SQLite by copying the file. A template is named
by a hash of the service's migrations folder: a changed migration makes a new one, and the
test sessions of other checkouts sharing the server (with other migrations) find their own.
The tests of the migrations themselves keep running Alembic on an empty database.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg
from sqlalchemy import make_url

from tests.support.infra import POSTGRES_ADMIN_URL, postgres_database, sqlite_database


def _migrations(service: str) -> tuple[Path, Callable[[str], None]]:
    if service == "programmes":
        from programmes.store import migrate
    elif service == "notifications":
        from notifications.store import migrate
    elif service == "reports":
        from reports.store import migrate
    else:
        raise ValueError(f"no service named {service!r}")
    return migrate.MIGRATIONS, migrate.upgrade


@cache
def _fingerprint(service: str) -> str:
    """A hash of every file of the service's migrations: what its schema at head is made of."""
    folder, _ = _migrations(service)
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _admin() -> psycopg.Connection:
    return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)


def _database_url(name: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"


@cache
def postgres_template(service: str) -> str:
    """The template's name, migrated now if no session made it before.

    It is migrated under a name of its own and renamed when complete, so that a session
    never copies a half-migrated template; of two sessions racing, the second to rename
    drops its copy and uses the first's.
    """
    name = f"setu_tpl_{service}_{_fingerprint(service)}"
    with _admin() as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found:
            return name
        scratch = f"setu_tmp_{service}_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{scratch}"')
        try:
            _migrations(service)[1](_database_url(scratch))
            admin.execute(f'ALTER DATABASE "{scratch}" RENAME TO "{name}"')
        except psycopg.errors.DuplicateDatabase:
            pass  # another session finished first: its template is the same schema
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    return name


@cache
def _sqlite_template(service: str) -> Path:
    folder = Path(tempfile.gettempdir()) / f"setu-test-templates-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{service}-{_fingerprint(service)}.db"
    if not path.exists():
        scratch = folder / f"{service}-{uuid.uuid4().hex[:12]}.tmp"
        _migrations(service)[1](f"sqlite:///{scratch}")
        # Out of WAL mode: the template is then one file, whole, to copy (each copy's
        # first connection puts it back in WAL mode, as every Setu connection does).
        connection = sqlite3.connect(scratch)
        try:
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
        os.replace(scratch, path)  # atomic: a racing session sees all of it or none
    return path


def copy_sqlite_template(service: str, database_url: str) -> None:
    """Make the SQLite file of ``database_url`` a copy of ``service``'s template."""
    target = make_url(database_url).database
    assert target, database_url
    shutil.copyfile(_sqlite_template(service), target)


@contextmanager
def migrated_database(kind: str, schema: str | None, directory: Path) -> Iterator[str]:
    """A new database of ``kind`` (``sqlite``, a file in ``directory``, or ``postgresql``):
    a copy of ``schema``'s template, or empty when ``schema`` is None; its URL."""
    if kind == "sqlite":
        url = sqlite_database(directory)
        if schema:
            copy_sqlite_template(schema, url)
        yield url
    else:
        with postgres_database(postgres_template(schema) if schema else None) as url:
            yield url
