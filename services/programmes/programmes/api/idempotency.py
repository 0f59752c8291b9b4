"""Idempotency-Key on creating POSTs (setu_contract.idempotency), in the programmes API.

The answer is stored in the same transaction as the thing created (``remember``), so a
retried request either finds it and gets the first answer again, or creates nothing. Two
racing requests with one key: the unique constraint lets one commit; the other rolls back
and answers the winner's stored answer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from programmes.api import etag_header, unit_of_work
from programmes.store.models import idempotency_records as _TABLE
from setu_contract import idempotency
from setu_contract.edge import abort, caller
from setu_contract.idempotency import HEADER, IdempotencyRefused, PendingKey, StoredAnswer


def _replay(requested: PendingKey) -> tuple[Any, int, dict] | None:
    """The stored answer to send again (with its ETag), None if there is none; or a 422."""
    try:
        with unit_of_work() as session:
            stored: StoredAnswer | None = idempotency.replay(session, _TABLE, requested)
    except IdempotencyRefused as refused:
        abort(422, refused.message, refused.errors)
    if stored is None:
        return None
    headers = dict(stored.headers)
    if isinstance(stored.body, dict) and "version" in stored.body:
        headers.update(etag_header(stored.body))
    return stored.body, stored.status, headers


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a creating POST view (innermost decorator: the body is already valid)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            requested = idempotency.requested_key(
                caller().caller_id,
                request.headers.get(HEADER),
                request.method,
                request.path,
                request.get_json(silent=True),
            )
        except IdempotencyRefused as refused:
            abort(422, refused.message, refused.errors)
        if requested is None:
            return view(*args, **kwargs)
        replayed = _replay(requested)
        if replayed is not None:
            return replayed
        g.idempotency = requested
        try:
            return view(*args, **kwargs)
        except IntegrityError:
            replayed = _replay(requested)
            if replayed is None:
                raise
            return replayed

    return wrapper


def answer_kept() -> bool:
    """Whether this request's answer is stored (``remember``) with what it creates: one
    more write in the view's transaction."""
    return "idempotency" in g


def remember(session: Session, body: dict[str, Any], status: int) -> None:
    """Store the answer to this request under its Idempotency-Key, if it has one."""
    requested = g.get("idempotency")
    if requested is not None:
        idempotency.remember(session, _TABLE, requested, body, status)
