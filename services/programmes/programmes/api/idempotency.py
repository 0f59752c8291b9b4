"""Idempotency-Key on creating POSTs, stored in the service's database with the response.

The record is written in the same transaction as the thing created (``remember``), so a
retried request either finds the record and gets the first answer again, or creates
nothing. Two racing requests with one key: the unique constraint lets one commit; the
other rolls back and answers the winner's response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from programmes.api import etag_header, unit_of_work
from programmes.store.models import IdempotencyRecord
from setu_contract.edge import abort, caller

HEADER = "Idempotency-Key"
MAX_KEY = 200


def _request_hash() -> str:
    body = request.get_json(silent=True)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _find(key: str) -> IdempotencyRecord | None:
    with unit_of_work() as session:
        return session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.key_id == caller().caller_id,
                IdempotencyRecord.idempotency_key == key,
            )
        )


def _replay(record: IdempotencyRecord, request_hash: str) -> tuple[Any, int, dict]:
    if record.request_hash != request_hash:
        abort(
            422,
            "this Idempotency-Key was used with a different request",
            {HEADER: ["already used with a different body or path"]},
        )
    headers = {"Idempotent-Replayed": "true"}
    if isinstance(record.response, dict) and "version" in record.response:
        headers.update(etag_header(record.response))
    return record.response, record.status_code, headers


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a creating POST view (innermost decorator: the body is already valid)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not 0 < len(key) <= MAX_KEY or not key.isprintable():
            abort(
                422, "invalid Idempotency-Key", {HEADER: [f"1 to {MAX_KEY} printable characters"]}
            )
        request_hash = _request_hash()
        record = _find(key)
        if record is not None:
            return _replay(record, request_hash)
        g.idempotency = (key, request_hash)
        try:
            return view(*args, **kwargs)
        except IntegrityError:
            record = _find(key)
            if record is None:
                raise
            return _replay(record, request_hash)

    return wrapper


def remember(session: Session, body: dict[str, Any], status: int) -> None:
    """Store the answer to this request under its Idempotency-Key, if it has one."""
    pending = g.get("idempotency")
    if pending is not None:
        key, request_hash = pending
        session.add(
            IdempotencyRecord(
                key_id=caller().caller_id,
                idempotency_key=key,
                method_path=f"{request.method} {request.path}"[:300],
                request_hash=request_hash,
                status_code=status,
                response=body,
            )
        )
        session.flush()
