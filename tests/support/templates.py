"""Migrated databases copied from a template instead of migrated test by test.

A test whose ``schema`` fixture names a service gets, as its ``database_url``, a copy of a
database that Alembic migrated once: SQLite by copying the file, PostgreSQL with ``CREATE
DATABASE ... TEMPLATE``, a copy that goes from test to test (``PostgresCopies``). A template
is named by a hash of the service's migrations folder: a changed migration makes a new one,
and the test sessions of other checkouts sharing the server (with other migrations) find
their own. The tests of the migrations themselves keep running Alembic on an empty database.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg
from sqlalchemy import Connection, Engine, MetaData, Row, Table, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from tests.support.infra import (
    DROPPER,
    POSTGRES_ADMIN_URL,
    postgres_database,
    sqlite_database,
    terminate_connections,
)


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


class MigratedRows:
    """A database's rows as migrated, to put it back to them: every row added since is
    deleted, every row it had is written back and its sequences start again. Alembic's table
    stays as is."""

    def __init__(self, engine: Engine):
        self.engine = engine
        schema = MetaData()
        schema.reflect(engine)
        self.tables = [t for t in schema.sorted_tables if t.name != "alembic_version"]
        with engine.connect() as conn:
            found = {table: list(conn.execute(table.select())) for table in self.tables}
        self.rows: dict[Table, list[Row]] = {table: rows for table, rows in found.items() if rows}
        self.emptying = _emptying([table.name for table in reversed(self.tables)])

    def restore(self, conn: Connection | None = None) -> None:
        """Put this database back (or, in ``conn``'s transaction, a copy of the same
        template)."""
        if conn is None:
            with self.engine.begin() as own:
                self.restore(own)
            return
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(self.emptying))
        else:
            for table in reversed(self.tables):
                conn.execute(table.delete())
        for table, rows in self.rows.items():
            conn.execute(table.insert(), [row._asdict() for row in rows])


def _emptying(tables: list[str]) -> str:
    """One statement that deletes the rows of ``tables`` (children first) and starts every
    sequence again, on PostgreSQL: a table with no rows is only read. (``TRUNCATE`` makes new
    files for every table and index: four times the server's CPU on a test's few rows.)"""
    names = ", ".join(f"'{name}'" for name in tables)
    return f"""
DO $$
DECLARE
    name text;
    found boolean;
BEGIN
    FOREACH name IN ARRAY ARRAY[{names}]::text[] LOOP
        EXECUTE format('SELECT EXISTS (SELECT FROM %I)', name) INTO found;
        IF found THEN
            EXECUTE format('DELETE FROM %I', name);
        END IF;
    END LOOP;
    FOR name IN SELECT sequencename FROM pg_sequences
                WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', name);
    END LOOP;
END
$$"""


# A PostgreSQL database's schema as one hash: its tables, columns, defaults, indexes,
# sequences, constraints, triggers, functions, schemas and settings. A copy whose hash is not
# its template's was changed by its test (a trigger that injects a fault, a renamed table).
SCHEMA_HASH = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
    SELECT concat_ws(' ', c.relkind, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                     a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) AS item
    FROM pg_class c
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index
    WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
    UNION ALL
    SELECT concat_ws(' ', 'constraint', conrelid::regclass, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT concat_ws(' ', 'trigger', tgrelid::regclass, tgname) FROM pg_trigger
    WHERE NOT tgisinternal
    UNION ALL
    SELECT 'function ' || oid::regprocedure FROM pg_proc
    WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'schema ' || nspname FROM pg_namespace
    UNION ALL
    SELECT 'setting ' || array_to_string(setconfig, ' ') FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) schema
"""


class PostgresCopies:
    """Copies of the services' PostgreSQL templates, handed from test to test.

    ``CREATE DATABASE ... TEMPLATE`` writes every page of the copy to the WAL, the system
    catalogues' too: 0.3 s of the server's CPU a copy, and a drop waits for a checkpoint. A
    test gives its copy back; the copy's connections are ended, its rows put back to the
    template's (``MigratedRows``), and it goes to the next test under a URL of its own (a
    Redis key that names a database by its URL is then a new one). A copy whose schema its
    test changed, or that cannot be put back, is dropped instead.
    """

    def __init__(self) -> None:
        self.free: defaultdict[str, list[str]] = defaultdict(list)
        self.rows: dict[str, MigratedRows] = {}
        self.schemas: dict[str, str] = {}

    @contextmanager
    def copy(self, service: str) -> Iterator[str]:
        """A copy of ``service``'s template as migrated, for the block; its URL."""
        name = self.free[service].pop() if self.free[service] else self._new(service)
        try:
            yield f"{_database_url(name)}?application_name=setu-test-{uuid.uuid4().hex[:12]}"
        finally:
            if self._put_back(service, name):
                self.free[service].append(name)
            else:
                DROPPER.drop(name)

    def _new(self, service: str) -> str:
        name = f"setu_t_{uuid.uuid4().hex[:12]}"
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template(service)}"')
        if service not in self.rows:
            # Read off the first copy: a connection to the template itself would stop
            # another test process copying it at that moment.
            engine = create_engine(_database_url(name), poolclass=NullPool)
            try:
                self.rows[service] = MigratedRows(engine)
                with engine.connect() as conn:
                    self.schemas[service] = conn.execute(text(SCHEMA_HASH)).scalar_one()
            finally:
                engine.dispose()
        return name

    def _put_back(self, service: str, name: str) -> bool:
        url = _database_url(name)
        try:
            terminate_connections(url)
            engine = create_engine(url, poolclass=NullPool)
            try:
                with engine.begin() as conn:
                    if conn.execute(text(SCHEMA_HASH)).scalar_one() != self.schemas[service]:
                        return False
                    self.rows[service].restore(conn)
            finally:
                engine.dispose()
        except (SQLAlchemyError, psycopg.Error, AssertionError):
            return False
        return True

    def drop_all(self) -> None:
        """Drop every copy no test holds (at the end of the session)."""
        for names in self.free.values():
            while names:
                DROPPER.drop(names.pop())


COPIES = PostgresCopies()


@contextmanager
def migrated_database(kind: str, schema: str | None, directory: Path) -> Iterator[str]:
    """A database of ``kind`` (``sqlite``, a file in ``directory``, or ``postgresql``) for
    the block: a copy of ``schema``'s template as migrated, or a new empty one when
    ``schema`` is None; its URL."""
    if kind == "sqlite":
        url = sqlite_database(directory)
        if schema:
            copy_sqlite_template(schema, url)
        yield url
    elif schema:
        with COPIES.copy(schema) as url:
            yield url
    else:
        with postgres_database() as url:
            yield url
