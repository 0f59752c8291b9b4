"""In-memory stand-ins for the notifications unit tests."""

from __future__ import annotations

from notifications.domain.recipients import Contact


class FakeDirectory:
    def __init__(self, *contacts: Contact):
        self.contacts = {c.id: c for c in contacts}

    def get(self, organisation_id: str) -> Contact | None:
        return self.contacts.get(organisation_id)
