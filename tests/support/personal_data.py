"""Looking for a person's name and email wherever Setu may have kept them: database files,
PostgreSQL tables (what a query reads and what the pages hold), text such as logs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import make_url


def spellings(value: str) -> set[bytes]:
    """The byte strings ``value`` may be stored as, in lower case: UTF-8 (JSON written by
    orjson, text columns, log lines) and JSON with its non-ASCII characters escaped."""
    return {form.lower().encode() for form in (value, json.dumps(value)[1:-1])}


def found_in_bytes(data: bytes, values: Iterable[str]) -> set[str]:
    """Which of ``values`` appear in ``data`` in any of their spellings, whatever the case
    of their ASCII letters (an address as a mail server or a lookup may write it)."""
    lowered = data.lower()
    return {value for value in values if any(form in lowered for form in spellings(value))}


def found_in_text(text: str, values: Iterable[str]) -> set[str]:
    return found_in_bytes(text.encode(errors="replace"), values)


def files_holding(paths: Iterable[Path], values: Iterable[str]) -> dict[str, set[str]]:
    """Each file whose raw bytes hold any of ``values``, with those it holds."""
    values = list(values)
    found = {str(path): found_in_bytes(path.read_bytes(), values) for path in paths}
    return {path: hits for path, hits in found.items() if hits}


def _connect(url: str) -> psycopg.Connection:
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(plain, autocommit=True)


def _tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
    ).fetchall()
    return [name for (name,) in rows]


def postgres_rows_holding(url: str, values: Iterable[str]) -> dict[str, set[str]]:
    """What a query reads: each table of the database at ``url`` with a row whose text
    holds any of ``values`` (any case, JSON escapes included)."""
    values = list(values)
    found: dict[str, set[str]] = {}
    with _connect(url) as conn:
        for table in _tables(conn):
            text = "\n".join(row[0] for row in conn.execute(f"SELECT t::text FROM {table} t"))
            hits = found_in_text(text, values)
            if hits:
                found[table] = hits
    return found


# The pages of a relation, from the first one a query names (a btree's 0 is its metapage).
_PAGES = (
    "generate_series({first}, pg_relation_size(%s::regclass)"
    " / current_setting('block_size')::int - 1) AS page"
)
_HEAP_ITEMS = (
    f"SELECT t_data FROM {_PAGES.format(first=0)},"
    " heap_page_items(get_raw_page(%s, page::int)) WHERE t_data IS NOT NULL"
)
_INDEX_ITEMS = (
    f"SELECT decode(replace(data, ' ', ''), 'hex') FROM {_PAGES.format(first=1)},"
    " bt_page_items(%s, page::int) WHERE data IS NOT NULL"
)


def postgres_tuples_holding(url: str, values: Iterable[str]) -> dict[str, set[str]]:
    """What the pages hold, live and dead row versions alike (pageinspect, as the superuser
    the tests connect as): each table, TOAST table or btree index with an item whose bytes
    hold any of ``values``."""
    values = list(values)
    found: dict[str, set[str]] = {}
    with _connect(url) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        relations = conn.execute(
            "SELECT c.oid::regclass::text, c.relkind FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 't', 'i')"
            " AND (c.relkind <> 'i' OR c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree'))"
            " AND (n.nspname = 'public' OR c.oid IN (SELECT reltoastrelid FROM pg_class"
            " r JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE rn.nspname = 'public'))"
        ).fetchall()
        for relation, kind in relations:
            items = _INDEX_ITEMS if kind == "i" else _HEAP_ITEMS
            rows = conn.execute(items, (relation, relation)).fetchall()
            hits = found_in_bytes(b"".join(bytes(row[0]) for row in rows), values)
            if hits:
                found[relation] = hits
    return found


@dataclass(frozen=True)
class Person:
    """An applicant no other test writes: a name, an address and texts about them that an
    erasure must leave nowhere."""

    full_name: str
    email: str
    statement: str
    comment: str

    @property
    def values(self) -> set[str]:
        """What must be found nowhere once the person is erased (the statement and the
        comment contain the name too, so a scan for the name also finds them)."""
        return {self.full_name, self.email, self.statement, self.comment}

    def applicant(self, nationality: str = "JP", language: str = "en") -> dict[str, str]:
        return {
            "full_name": self.full_name,
            "email": self.email,
            "nationality": nationality,
            "preferred_language": language,
        }


NAMES = {
    "latin": "Zephyrine Quaglio-Ndiaye",
    "japanese": "鷹司 澪音",
    "devanagari": "ज़ेफ़िरीन क्वाग्लियो",
}


def distinctive_person(script: str = "latin") -> Person:
    token = uuid.uuid4().hex[:8]
    name = f"{NAMES[script]} {token}"
    return Person(
        full_name=name,
        email=f"zq.{token}@applicant.example.org",
        statement=f"{name} will study chiplet packaging at the host laboratory for a term. " * 2,
        comment=f"{name} is expected in April",
    )


def sqlite_files(database_url: str) -> list[Path]:
    """A SQLite database's file and those beside it (its write-ahead log and index)."""
    path = Path(make_url(database_url).database or "")
    return [p for p in path.parent.iterdir() if p.name.startswith(path.name)]


def database_holding(database_url: str, values: Iterable[str]) -> dict[str, set[str]]:
    """Where a database keeps any of ``values``: SQLite, its files' raw bytes; PostgreSQL,
    what a query reads and every row version its pages hold."""
    values = list(values)
    if database_url.startswith("sqlite"):
        return files_holding(sqlite_files(database_url), values)
    rows = postgres_rows_holding(database_url, values)
    tuples = postgres_tuples_holding(database_url, values)
    return {**{f"row of {k}": v for k, v in rows.items()}, **tuples}
