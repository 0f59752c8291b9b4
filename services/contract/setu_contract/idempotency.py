"""Idempotency-Key on creating POSTs: one meaning in every service.

A client may send ``Idempotency-Key`` with a POST that creates something. The key is 1 to
``MAX_KEY`` printable characters (``checked_key``; blanks around it are dropped). It belongs
to the caller that sent it (``Principal.caller_id``: the signed-in person, else the API key),
so two callers' equal keys never meet. The first answer is stored under (caller, key) in the
same transaction as the thing created (``remember``), with a fingerprint of the method, the
path and the body (``fingerprint``). The same caller sending the same key again gets that
answer again, marked with ``REPLAYED_HEADER`` (``replay``); with another method, path or body,
the key is refused (``IdempotencyKeyReused``, a 422).

Two racing requests with one key: the unique constraint on (caller, key) lets one commit; the
other's ``remember`` fails (``IntegrityError``), its transaction rolls back, and it answers
the winner's stored answer. An ``IntegrityError`` with no answer stored under the key is
another constraint's, a conflict the client may send again (409).

Each service keeps the table in its own database (``idempotency_table`` on its metadata);
these functions take the caller's session and never begin or commit a transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.orm import Session

from setu_contract.database import UtcDateTime

HEADER = "Idempotency-Key"
# Set to "true" on an answer that is the stored answer to an earlier request.
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY = 200
# What the stored answer keeps of the request's method and path, for reading it back later
# (an erasure finds the answer to a resource's creating POST by it).
MAX_METHOD_PATH = 300


def idempotency_table(metadata: MetaData, name: str = "idempotency_records") -> Table:
    """The stored answers in ``metadata`` (each service's migrations create it).

    ``key_id`` is the caller the key belongs to (``Principal.caller_id``).
    """
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("key_id", String(36), nullable=False),
        Column("idempotency_key", String(MAX_KEY), nullable=False),
        Column("method_path", String(MAX_METHOD_PATH), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response", JSON, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False, default=lambda: datetime.now(UTC)),
        UniqueConstraint("key_id", "idempotency_key", name="uq_idempotency"),
    )


class IdempotencyRefused(ValueError):
    """The key cannot be used for this request: a 422 with ``message`` and field ``errors``."""

    message = "The Idempotency-Key cannot be used."
    reason = ""

    def __init__(self) -> None:
        super().__init__(self.message)
        self.errors = {HEADER: [self.reason]}


class InvalidIdempotencyKey(IdempotencyRefused):
    message = "Invalid Idempotency-Key."
    reason = f"1 to {MAX_KEY} printable characters"


class IdempotencyKeyReused(IdempotencyRefused):
    message = "This Idempotency-Key was used with a different request."
    reason = "already used with a different body or path"


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer given under a key, to send again."""

    body: Any
    status: int
    headers: dict[str, str] = field(default_factory=lambda: {REPLAYED_HEADER: "true"})


@dataclass(frozen=True)
class PendingKey:
    """A request's valid key, its caller and its fingerprint, until its answer is stored."""

    caller_id: str
    key: str
    method_path: str
    request_hash: str


def checked_key(raw: str | None) -> str | None:
    """The request's key without surrounding blanks; None without one; refused if invalid."""
    if raw is None:
        return None
    key = raw.strip()
    if not 0 < len(key) <= MAX_KEY or not key.isprintable():
        raise InvalidIdempotencyKey()
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    """What must match for a key to be replayed: the method, the path and the JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def requested_key(
    caller_id: str, raw_key: str | None, method: str, path: str, body: Any
) -> PendingKey | None:
    """The request's key (``checked_key``) with what identifies the request, or None."""
    key = checked_key(raw_key)
    if key is None:
        return None
    return PendingKey(
        caller_id=caller_id,
        key=key,
        method_path=f"{method} {path}"[:MAX_METHOD_PATH],
        request_hash=fingerprint(method, path, body),
    )


def replay(session: Session, table: Table, request: PendingKey) -> StoredAnswer | None:
    """The answer stored under the request's key, None if there is none; a key used for a
    different request is refused (``IdempotencyKeyReused``)."""
    row = session.execute(
        select(table.c.request_hash, table.c.response, table.c.status_code).where(
            table.c.key_id == request.caller_id, table.c.idempotency_key == request.key
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request.request_hash:
        raise IdempotencyKeyReused()
    return StoredAnswer(row.response, row.status_code)


def remember(session: Session, table: Table, request: PendingKey, body: Any, status: int) -> None:
    """Store the answer under the request's key, in the caller's transaction. The INSERT runs
    at once: a concurrent request that stored the key first makes it raise IntegrityError
    here (on PostgreSQL once that request commits), before anything is committed."""
    session.execute(
        insert(table),
        {
            "key_id": request.caller_id,
            "idempotency_key": request.key,
            "method_path": request.method_path,
            "request_hash": request.request_hash,
            "status_code": status,
            "response": body,
        },
    )
