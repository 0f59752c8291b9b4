"""Run a creating POST at most once per Idempotency-Key (setu_contract.idempotency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from flask import Response, jsonify, make_response, request
from marshmallow import Schema
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reports.api.context import context
from reports.store.db import transaction
from reports.store.models import idempotency_records as _TABLE
from setu_contract import idempotency
from setu_contract.edge import abort
from setu_contract.idempotency import HEADER, IdempotencyRefused, PendingKey, StoredAnswer


def _respond(body: dict[str, Any], status: int) -> Response:
    return make_response(jsonify(body), status)


def _replayed(stored: StoredAnswer) -> Response:
    response = _respond(stored.body, stored.status)
    response.headers.update(stored.headers)
    return response


def _refuse(refused: IdempotencyRefused) -> NoReturn:
    abort(422, refused.message, refused.errors)


def _requested(caller_id: str) -> PendingKey | None:
    try:
        return idempotency.requested_key(
            caller_id,
            request.headers.get(HEADER),
            request.method,
            request.path,
            request.get_json(silent=True),
        )
    except IdempotencyRefused as refused:
        _refuse(refused)


def _stored(session: Session, requested: PendingKey) -> StoredAnswer | None:
    try:
        return idempotency.replay(session, _TABLE, requested)
    except IdempotencyRefused as refused:
        _refuse(refused)


def once(
    caller_id: str, status: int, schema: Schema, create: Callable[[Session], Any]
) -> tuple[Response, Any]:
    """(response to send, created object, or None when the response is a replay).

    ``create(session)`` makes the resource inside the transaction that also records the key,
    which belongs to ``caller_id`` (``Principal.caller_id``).
    """
    requested = _requested(caller_id)
    sessions = context().sessions
    if requested is None:
        with transaction(sessions) as session:
            created = create(session)
            body = schema.dump(created)
        return _respond(body, status), created
    try:
        with transaction(sessions) as session:
            previous = _stored(session, requested)
            if previous is not None:
                return _replayed(previous), None
            created = create(session)
            body = schema.dump(created)
            idempotency.remember(session, _TABLE, requested, body, status)
    except IntegrityError:
        # The same key raced us and won: answer what it answered. Any other conflict (no
        # answer recorded under the key) is the client's to retry.
        with transaction(sessions) as session:
            previous = _stored(session, requested)
        if previous is None:  # no answer under the key: the write conflicted with another
            abort(409, "The request conflicted with a concurrent change; send it again.")
        return _replayed(previous), None
    return _respond(body, status), created
