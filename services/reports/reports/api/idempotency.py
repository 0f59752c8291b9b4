"""Run a creating POST at most once per Idempotency-Key (per organisation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, make_response, request
from marshmallow import Schema
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reports.api.context import context
from reports.services import idempotency
from reports.store.db import transaction
from setu_contract.edge import abort

HEADER = "Idempotency-Key"


def _respond(body: dict[str, Any], status: int) -> Response:
    return make_response(jsonify(body), status)


def once(
    organisation_id: str, status: int, schema: Schema, create: Callable[[Session], Any]
) -> tuple[Response, Any]:
    """(response to send, created object, or None when the response is a replay).

    ``create(session)`` makes the resource inside the transaction that also records the key.
    """
    key = request.headers.get(HEADER)
    sessions = context().sessions
    if key is None:
        with transaction(sessions) as session:
            created = create(session)
            body = schema.dump(created)
        return _respond(body, status), created
    if not 1 <= len(key) <= 200:
        abort(
            422,
            "Invalid Idempotency-Key.",
            errors={HEADER: ["between 1 and 200 characters"]},
        )
    print_ = idempotency.fingerprint(request.method, request.path, request.get_json(silent=True))
    try:
        with transaction(sessions) as session:
            previous = idempotency.replay(session, organisation_id, key, print_)
            if previous is not None:
                return _respond(*previous), None
            created = create(session)
            body = schema.dump(created)
            idempotency.remember(session, organisation_id, key, print_, body, status)
    except IntegrityError:
        # The same key raced us and won: answer what it answered. Any other conflict (no
        # answer recorded under the key) is the client's to retry.
        with transaction(sessions) as session:
            previous = idempotency.replay(session, organisation_id, key, print_)
        if previous is None:  # no answer under the key: the write conflicted with another
            abort(409, "The request conflicted with a concurrent change; send it again.")
        return _respond(*previous), None
    return _respond(body, status), created
