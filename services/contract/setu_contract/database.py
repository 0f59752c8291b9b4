"""How every service opens its database: one engine per process, the same settings.

SQLite is set up for several processes sharing one file (the API, the relay and the
workers of `setu up`): WAL, a busy timeout and foreign keys, and ``secure_delete``, so that
what a write frees in a page (an erased applicant's name, say) is overwritten with zeros
instead of lingering in the file. PostgreSQL connections fail fast when the server is
unreachable. No engine writes a statement's parameters into its errors (``hide_parameters``):
an error is logged and kept in dead letters, and parameters carry personal data.

A transaction on SQLite begins ``IMMEDIATE``: it takes the database's one write lock
before its first statement, so its reads and its writes run as if alone, as PostgreSQL's
row locks (``SELECT ... FOR UPDATE``) make them there. pysqlite would otherwise run the
reads before any ``BEGIN`` and take the lock only at the first write, after its checks
were made on what another writer was about to change. Work that only reads says so
(``reading``): its transactions begin ``DEFERRED`` and wait for no writer; connections in
autocommit begin no transaction at all.

Pooled PostgreSQL connections are not pinged before each use (``pool_pre_ping``): the ping
was one more round trip on every request and task (16-20% of a request's time in the
benchmarks). Only a connection that sat in the pool for ``IDLE_PING_AFTER`` or longer is
pinged when it is taken, which a busy process never pays for: after a database restart,
a process that was idle meanwhile (an API worker, a Celery pool process, ``/readyz``)
finds its dead connections at the ping and replaces them all, instead of failing its next
piece of work on each. A process busy at the moment of the restart fails the statement
in flight; SQLAlchemy then discards every connection pooled before it, and the caller's
ordinary retry answers: the APIs a 503 with Retry-After, the Celery tasks their retry
with backoff, the relays their backoff. Connections are also replaced after
``POOL_RECYCLE`` seconds, so none outlives a server-side idle timeout.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Connection,
    CursorResult,
    DateTime,
    Dialect,
    Engine,
    Result,
    TypeDecorator,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    InvalidatePoolError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from setu_contract import jsonio

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
POOL_RECYCLE = 1800
# Seconds a pooled connection may sit unused before it is pinged when taken.
IDLE_PING_AFTER = 1.0
# ConnectionPoolEntry.info key: when the connection went back to the pool (time.monotonic).
_RETURNED_AT = "setu_returned_at"
# The execution option that marks a transaction as one that only reads (``reading``).
READS_ONLY = "setu_reads_only"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={CONNECT_TIMEOUT * 1000}")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Begin every transaction ourselves: pysqlite would begin it only at the first write."""
    if connection.connection.dbapi_connection.isolation_level is None:  # type: ignore[union-attr]
        return  # autocommit: every statement stands alone
    if connection.get_execution_options().get(READS_ONLY):
        connection.exec_driver_sql("BEGIN DEFERRED")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def reading(engine: Engine) -> Engine:
    """``engine`` for work that only reads: on SQLite its transactions take no write lock
    (a write in one would fail when another writer got there first)."""
    return engine.execution_options(**{READS_ONLY: True})


class SecondWrite(RuntimeError):
    """A unit of work in autocommit (``one_write``) sent a second statement that may write,
    or a locking read: its writes would not be atomic, its lock would guard nothing."""


# ConnectionPoolEntry.info key: whether the unit of work of ``one_write`` has written.
_WROTE = "setu_one_write_wrote"
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.I)


def one_write(engine: Engine, **kwargs: Any) -> Engine:
    """An engine beside ``engine`` (``make_engine``'s, with ``kwargs``) for units of work that
    write with one statement, in autocommit: no ``BEGIN`` and ``COMMIT`` round trips, and
    atomic only while the unit is one statement. Its pool's connections stay in autocommit
    for their life: switched at each checkout and back at each checkin (``execution_options``
    on ``engine``), autocommit costs more CPU than the two round trips it saves. Nothing
    listens on ``engine`` for it: a listener of its connections' events (``engine_disposed``
    too) sends every statement of ``engine`` through SQLAlchemy's slower path.

    Each unit (from its begin, which SQLAlchemy signals in autocommit too, to its end) may
    send reads, then one statement that writes (anything but a plain ``SELECT``, a
    data-modifying ``WITH`` included); a second one, or a ``SELECT ... FOR UPDATE`` (whose
    lock would end with it), raises ``SecondWrite`` before it is sent. On SQLite, whose
    writes must hold its write lock from the first read (``BEGIN IMMEDIATE``), it is
    ``engine`` itself: its units stay transactions.
    """
    if engine.dialect.name == "sqlite":
        return engine
    url = engine.url.render_as_string(hide_password=False)
    alone = make_engine(url, isolation_level="AUTOCOMMIT", **kwargs)

    def begin(connection: Connection) -> None:
        connection.info[_WROTE] = False

    def before_cursor_execute(connection: Connection, _c: Any, statement: str, *_: Any) -> None:
        read = statement.lstrip()[:6].upper() == "SELECT"
        if read and not _LOCKING.search(statement):
            return
        if not read and not connection.info.get(_WROTE):
            connection.info[_WROTE] = True
            return
        raise SecondWrite(f"not one write in an autocommit unit: {statement[:80]!r}")

    event.listen(alone, "begin", begin)
    event.listen(alone, "before_cursor_execute", before_cursor_execute)
    return alone


def _note_return(_dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
    entry.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(dialect: Dialect) -> Callable[[Any, ConnectionPoolEntry, Any], None]:
    """A pool "checkout" listener: a connection idle for ``IDLE_PING_AFTER`` is pinged, and
    a dead one makes the pool replace it (and every connection pooled before it)."""

    def checkout(dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: Any) -> None:
        returned_at = entry.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < IDLE_PING_AFTER:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            if dialect.is_disconnect(error, dbapi_connection, None):  # type: ignore[arg-type]  # a DBAPI error
                raise InvalidatePoolError() from error
            raise

    return checkout


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, **kwargs: Any) -> Engine:
    # JSON columns (the outbox's payloads, the read models' arrays) go through jsonio.
    kwargs.setdefault("json_serializer", jsonio.dumps)
    kwargs.setdefault("json_deserializer", jsonio.loads)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"timeout": CONNECT_TIMEOUT}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_recycle=POOL_RECYCLE,
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
        **kwargs,
    )
    event.listen(engine, "checkin", _note_return)
    event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
    return engine


# How long a reclaim waits for the transactions that could still see an erased row's old
# version (PostgreSQL), polling at SNAPSHOTS_POLL; erasures are rare, and run after their commit.
SNAPSHOTS_WAIT = 10.0
SNAPSHOTS_POLL = 0.02
# Other sessions of this database whose snapshot or transaction began before ``marker``.
_OLDER_SNAPSHOTS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND pid <> pg_backend_pid() AND (age(backend_xmin) > age(%(marker)s::text::xid)"
    " OR age(backend_xid) > age(%(marker)s::text::xid))"
)


def reclaim_freed_space(
    engine: Engine, tables: Sequence[str], wait_seconds: float = SNAPSHOTS_WAIT
) -> bool:
    """After an erasure has committed, leave no old copy of the rows it rewrote where the
    database keeps freed space; False (and a warning logged) when that could not be done now.

    SQLite zeroes what a write frees in a page (``secure_delete``), but its write-ahead log
    still holds the pages as they were: they are checkpointed into the file and the log is
    truncated. PostgreSQL keeps a rewritten row's old version as a dead tuple, which no query
    can read but which stays in the table's pages until a vacuum prunes it: the tables are
    vacuumed now rather than whenever autovacuum's thresholds are reached, with their indexes'
    entries for those versions (an address, say), which a vacuum finding few may leave. A
    vacuum keeps every version a transaction still running may see, so it waits first (up to
    ``wait_seconds``) for the transactions of this database that began before the erasure's
    commit (another request, a worker's task, the relay) to end.

    That wait cannot see a transaction that begins just after it: one whose snapshot is
    older than the erasure because a transaction of another database was running when it
    began. Such a transaction makes the vacuum keep the erased versions, and the vacuum
    counts what it kept (the tables' ``n_dead_tup``). So the vacuum is done again, within
    ``wait_seconds``, until it kept none; a version deleted after the erasure, which it may
    also have had to keep, makes it try again too.
    """
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if engine.dialect.name == "sqlite":
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
                if busy:
                    log.warning("the write-ahead log could not be emptied yet (readers)")
                return not busy
            quote = engine.dialect.identifier_preparer.quote
            quoted = [quote(name) for name in tables]
            deadline = time.monotonic() + wait_seconds
            while True:
                settled = _older_snapshots_ended(conn, max(0.0, deadline - time.monotonic()))
                conn.exec_driver_sql(f"VACUUM (INDEX_CLEANUP ON) {', '.join(quoted)}")
                settled = settled and not _versions_kept(conn, quoted)
                if settled or time.monotonic() >= deadline:
                    break
                time.sleep(SNAPSHOTS_POLL)
    except DBAPIError as exc:
        log.warning("freed space not reclaimed now: %r", exc)
        return False
    if not settled:
        log.warning("freed space not all reclaimed: a transaction older than the erasure runs")
    return settled


# The row versions the last vacuum of the tables (and of their TOAST tables) had to keep.
_VERSIONS_KEPT = (
    "SELECT coalesce(sum(s.n_dead_tup), 0) FROM pg_class c"
    " JOIN pg_stat_all_tables s ON s.relid IN (c.oid, c.reltoastrelid)"
    " WHERE c.oid = ANY(%(tables)s::text[]::regclass[])"
)


def _versions_kept(conn: Connection, quoted_tables: Sequence[str]) -> int:
    return int(conn.exec_driver_sql(_VERSIONS_KEPT, {"tables": list(quoted_tables)}).scalar() or 0)


def _older_snapshots_ended(conn: Connection, wait_seconds: float) -> bool:
    """Whether every other transaction of this database that began before now has ended,
    waiting up to ``wait_seconds``: a new transaction id marks now (ours, made for it)."""
    marker = str(conn.exec_driver_sql("SELECT xid(pg_current_xact_id())").scalar())
    deadline = time.monotonic() + wait_seconds
    while conn.exec_driver_sql(_OLDER_SNAPSHOTS, {"marker": marker}).scalar():
        if time.monotonic() >= deadline:
            return False
        time.sleep(SNAPSHOTS_POLL)
    return True


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def reading_sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions like ``sessions`` (made by ``make_sessionmaker``) for work that only reads."""
    return make_sessionmaker(reading(sessions.kw["bind"]))


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite (which keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade(migrations: Path, url: str, revision: str = "head") -> None:
    """Run a service's Alembic migrations (the only way its schema is created).

    ``migrations`` is the service's migrations folder, with its ``alembic.ini``. The URL
    reaches env.py both as ``sqlalchemy.url`` and as the ``database_url`` attribute.
    """
    from alembic import command

    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)  # e.g. var/ on the first run
    command.upgrade(_alembic_config(migrations, url), revision)


def downgrade(migrations: Path, url: str, revision: str) -> None:
    """Take a service's schema back to ``revision`` (to undo a release)."""
    from alembic import command

    command.downgrade(_alembic_config(migrations, url), revision)


def _alembic_config(migrations: Path, url: str) -> Any:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig(str(migrations / "alembic.ini"))
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["database_url"] = url
    return config


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through ``Session.execute`` changed (its result
    is typed as a plain Result, which has no ``rowcount``)."""
    return cast(CursorResult[Any], result).rowcount


# Seconds an API asks a client to wait when its database is away (Retry-After).
RETRY_AFTER_UNAVAILABLE = 1


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database is away, restarting or (SQLite) busy past its
    timeout: the request may succeed if sent again, so the APIs answer 503 with Retry-After
    instead of a 500."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated
