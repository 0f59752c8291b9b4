"""The HTTP layer: the request's session and who is calling (the one error shape is
``setu_contract.edge.ServiceApi``'s)."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy.orm import Session

from setu_contract.edge import identify_signed


def request_session() -> Session:
    """A session for this request's work: a GET's only reads (on SQLite it takes no write
    lock), any other's is a unit of work. The view owns the transaction: it opens
    ``with session.begin():`` around each use case it calls."""
    kind = "read_sessions" if request.method in ("GET", "HEAD") else "sessions"
    return current_app.extensions[f"notifications.{kind}"]()


def require_principal() -> None:
    """before_request of /v1 blueprints: the gateway's signed identity headers, or 401."""
    identify_signed(current_app.extensions["notifications.config"].internal_secret)
