"""The organisation read model as the planner's Directory, and its upkeep from events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from notifications.domain.recipients import Contact
from notifications.store.models import Organisation

_organisations = Organisation.__table__
_CONTACT = select(
    _organisations.c.id,
    _organisations.c.name,
    _organisations.c.country,
    _organisations.c.contact_email,
    _organisations.c.preferred_language,
).where(_organisations.c.id == bindparam("id"))


class SqlDirectory:
    """Organisations as contacts, read on a session or a plain connection (one row each)."""

    def __init__(self, session: Session | Connection):
        self.session = session

    def get(self, organisation_id: str) -> Contact | None:
        row = self.session.execute(_CONTACT, {"id": organisation_id}).first()
        if row is None:
            return None
        return Contact(row.id, row.name, row.country, row.contact_email, row.preferred_language)


def apply_organisation(session: Session, data: dict[str, Any]) -> bool:
    """Store an organisation snapshot unless a newer one is already applied."""
    row = session.get(Organisation, data["id"], with_for_update=True)
    if row is not None and row.version >= data["version"]:
        return False
    if row is None:
        row = Organisation(id=data["id"])
        session.add(row)
    row.name = data["name"]
    row.country = data["country"]
    row.kind = data["kind"]
    row.contact_email = data.get("contact_email")
    row.preferred_language = data.get("preferred_language") or "en"
    row.version = data["version"]
    return True
