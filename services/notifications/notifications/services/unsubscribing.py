"""One-click unsubscribe from report emails (decision emails have no such option)."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from notifications.store.models import Unsubscription


def unsubscribe(session: Session, email: str, list_name: str) -> None:
    """Idempotent: asking twice is fine (inside the caller's transaction)."""
    if session.get(Unsubscription, (email.lower(), list_name)) is None:
        session.add(Unsubscription(email=email.lower(), list_name=list_name))


def unsubscribed(session: Session | Connection, emails: list[str], list_name: str) -> set[str]:
    """Which of ``emails`` (lower-cased) have left ``list_name`` (inside the caller's txn)."""
    if not emails:
        return set()
    lowered = [e.lower() for e in emails]
    query = select(Unsubscription.email).where(
        Unsubscription.list_name == list_name, Unsubscription.email.in_(lowered)
    )
    return set(session.scalars(query))
