"""The organisation read model as the planner's Directory, and its upkeep from events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from notifications.domain.recipients import Contact, Recipient
from notifications.store.models import Organisation, Person

_organisations = Organisation.__table__
_CONTACT = select(
    _organisations.c.id,
    _organisations.c.name,
    _organisations.c.country,
    _organisations.c.contact_email,
    _organisations.c.preferred_language,
).where(_organisations.c.id == bindparam("id"))


_people = Person.__table__
_RECIPIENT = select(
    _people.c.email,
    _people.c.language,
    _people.c.time_zone,
    _people.c.organisation_id,
    _people.c.name,
).where(_people.c.active.is_(True), _people.c.email.is_not(None))
_PERSON = _RECIPIENT.where(_people.c.id == bindparam("id"))
_SIDE = (
    _RECIPIENT.join_from(_people, _organisations, _organisations.c.id == _people.c.organisation_id)
    .where(
        _organisations.c.kind == "secretariat",
        _organisations.c.country == bindparam("side"),
        _people.c.role == "secretariat",
    )
    .order_by(_people.c.id)
)


def _recipient(row: Any) -> Recipient:
    return Recipient(row.email, row.language, (row.time_zone,), row.organisation_id, row.name)


class PeopleLookups:
    """The people half of the Directory (mixed into SqlDirectory)."""

    session: Session | Connection

    def person(self, person_id: str) -> Recipient | None:
        row = self.session.execute(_PERSON, {"id": person_id}).first()
        return _recipient(row) if row is not None else None

    def secretariat_people(self, side: str) -> list[Recipient]:
        return [_recipient(row) for row in self.session.execute(_SIDE, {"side": side})]


class SqlDirectory(PeopleLookups):
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
