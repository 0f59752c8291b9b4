"""Who is told what: recipients with their language and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

TIMEZONES = {"JP": "Asia/Tokyo", "IN": "Asia/Kolkata"}
# The joint secretariat sits in both countries: its emails show both local times.
SECRETARIAT_TIMEZONES = ("Asia/Tokyo", "Asia/Kolkata")
LANGUAGES = ("en", "ja", "hi")


@dataclass(frozen=True)
class Contact:
    """An organisation as the read model knows it."""

    id: str
    name: str
    country: str
    contact_email: str | None
    preferred_language: str


class Directory(Protocol):
    """Looks up organisations and people in the read model (a fake in unit tests)."""

    def get(self, organisation_id: str) -> Contact | None: ...

    def person(self, person_id: str) -> Recipient | None:
        """An active person with an address, as a recipient in its language and time zone."""
        ...

    def secretariat_people(self, side: str) -> list[Recipient]:
        """The active secretariat people of one side (JP or IN)."""
        ...


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    timezones: tuple[str, ...]
    organisation_id: str | None = None
    name: str | None = None


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "en"


def timezone_of(country: str | None) -> tuple[str, ...]:
    zone = TIMEZONES.get(country or "")
    return (zone,) if zone else ("UTC",)


def secretariat(email: str) -> Recipient:
    return Recipient(email, "en", SECRETARIAT_TIMEZONES, name="Joint Secretariat")


def organisation(directory: Directory, organisation_id: str | None) -> Recipient | None:
    """The organisation's contact, or None when it has none (or is not known yet)."""
    contact = directory.get(organisation_id) if organisation_id else None
    if contact is None or not contact.contact_email:
        return None
    return Recipient(
        contact.contact_email,
        language_of(contact.preferred_language),
        timezone_of(contact.country),
        contact.id,
        contact.name,
    )
