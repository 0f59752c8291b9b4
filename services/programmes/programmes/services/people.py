"""People: named accounts of an organisation, managed by the organisation itself or by its
own secretariat side (never the other side's), invited by email, deactivated for good.

Deactivation ends every session at once (sessions are read from the database on every
request: services.sessions) and erases the person's personal data everywhere this service
keeps it (services.person_erasure).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from programmes.domain import people as rules
from programmes.domain.versioning import check_if_match
from programmes.services.access import require_own_side, require_writer
from programmes.services.events import emit
from programmes.services.organisations import get_organisation
from programmes.services.person_erasure import erase_person
from programmes.store.models import Organisation, Person, PersonSession, SignInLink
from setu_contract.errors import Conflict, Forbidden, Invalid, NotFound
from setu_contract.events import EventType
from setu_contract.http import Principal


def person_snapshot(person: Any) -> dict[str, Any]:
    """The person as the API shows it and person.* events carry it."""
    return {
        "id": person.id,
        "organisation_id": person.organisation_id,
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "language": person.language,
        "time_zone": person.time_zone,
        "active": person.active,
        "totp_enrolled": person.totp_enrolled_at is not None,
        "version": person.version,
        "created_at": person.created_at.isoformat(),
    }


def may_manage(principal: Principal, organisation: Organisation) -> bool:
    """The organisation itself, or a secretariat side for partner organisations, expert panels
    and its own side (the other side's: 403, require_own_side)."""
    if principal.role in ("auditor", "reviewer"):
        return False
    return principal.organisation_id == organisation.id or principal.is_secretariat


def allowed_actions(principal: Principal, person: Person) -> list[str]:
    if not person.active:
        return []
    actions: list[str] = []
    organisation = person.organisation
    managing = may_manage(principal, organisation) and not _other_side(principal, organisation)
    if managing:
        actions += ["edit", "deactivate"]
    if managing or principal.person_id == person.id:
        actions.append("end_sessions")
    return actions


def _other_side(principal: Principal, organisation: Organisation) -> bool:
    return (
        principal.is_secretariat
        and organisation.kind == "secretariat"
        and organisation.id != principal.organisation_id
    )


def _require_manager(principal: Principal, organisation: Organisation) -> None:
    require_writer(principal)
    require_own_side(principal, organisation)
    if not may_manage(principal, organisation):
        raise Forbidden("only the organisation itself or the secretariat manages its people")


def _require_reader(principal: Principal, organisation: Organisation) -> None:
    if principal.can_read_everything or principal.organisation_id == organisation.id:
        require_own_side(principal, organisation)
        return
    raise Forbidden("only the organisation itself or the secretariat reads its people")


def _check_role(organisation: Organisation, role: str) -> None:
    allowed = rules.roles_for(organisation.kind)
    if role not in allowed:
        message = f"people of a {organisation.kind} organisation are {' or '.join(allowed)}"
        raise Invalid(message, {"role": [message]})


def _check_time_zone(time_zone: str) -> None:
    if not rules.is_time_zone(time_zone):
        raise Invalid("unknown time zone", {"time_zone": ["not an IANA time zone"]})


def create_person(
    session: Session, principal: Principal, organisation_id: str, fields: dict[str, Any]
) -> Person:
    """A new person, invited by email (person.invited carries a sign-in link's id only)."""
    organisation = get_organisation(session, organisation_id)
    _require_manager(principal, organisation)
    _check_role(organisation, fields["role"])
    time_zone = fields.get("time_zone") or rules.DEFAULT_TIME_ZONES[organisation.country]
    _check_time_zone(time_zone)
    key = rules.email_key(fields["email"])
    if session.scalar(select(Person.id).where(Person.email_key == key)) is not None:
        raise Conflict("a person with this email exists", {"email": ["already a person's"]})
    person = Person(
        organisation_id=organisation.id,
        name=fields["name"],
        email=fields["email"].strip(),
        email_key=key,
        role=fields["role"],
        language=fields["language"],
        time_zone=time_zone,
        active=True,
        failed_codes=0,
    )
    session.add(person)
    session.flush()
    session.refresh(person)
    link = new_link(session, person.id, None)
    emit(session, EventType.PERSON_INVITED, link_event(person, link))
    return person


def new_link(
    session: Session, person_id: str | None, next_path: str | None, now: datetime | None = None
) -> SignInLink:
    """A sign-in link's row (for no person: a request for an address nobody has)."""
    now = now or datetime.now(UTC)
    link = SignInLink(
        person_id=person_id, next=next_path, created_at=now, expires_at=now + rules.LINK_LIFETIME
    )
    session.add(link)
    session.flush()
    return link


def link_event(person: Any, link: SignInLink) -> dict[str, Any]:
    """A sign-in link's event: the person (a Person, or a row of its columns) and the link's
    id, never a usable link (setu_contract.sign_in)."""
    return {
        **person_snapshot(person),
        "link_id": link.id,
        "link_expires_at": link.expires_at.isoformat(),
        "next": link.next,
    }


def get_person(session: Session, principal: Principal, person_id: str, lock: bool = False):
    """A person the caller may read (else 404, as if it did not exist)."""
    query = select(Person).where(Person.id == person_id)
    person = session.scalar(query.with_for_update(of=Person) if lock else query)
    if person is None or not (
        principal.person_id == person.id
        or principal.can_read_everything
        or principal.organisation_id == person.organisation_id
    ):
        raise NotFound(f"no person {person_id}")
    if principal.person_id != person.id:
        require_own_side(principal, person.organisation)
    return person


def list_people(
    session: Session, principal: Principal, organisation_id: str, page: int, page_size: int
) -> tuple[list[Person], int]:
    organisation = get_organisation(session, organisation_id)
    _require_reader(principal, organisation)
    query = select(Person).where(Person.organisation_id == organisation_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = session.scalars(
        query.order_by(Person.created_at, Person.id).offset((page - 1) * page_size).limit(page_size)
    )
    return list(people), total


def update_person(
    session: Session,
    principal: Principal,
    person_id: str,
    changes: dict[str, Any],
    if_match: str | None = None,
) -> Person:
    person = get_person(session, principal, person_id, lock=True)
    _require_manager(principal, person.organisation)
    check_if_match(if_match, person.id, person.version)
    if not person.active:
        raise Conflict("the person is deactivated", {"active": ["false"]})
    if "role" in changes:
        _check_role(person.organisation, changes["role"])
    if "time_zone" in changes:
        _check_time_zone(changes["time_zone"])
    for name, value in changes.items():
        setattr(person, name, value)
    person.version += 1
    person.updated_at = datetime.now(UTC)
    session.flush()
    emit(session, EventType.PERSON_UPDATED, person_snapshot(person))
    return person


def end_sessions(session: Session, person_id: str, now: datetime | None = None) -> None:
    """Every open session of the person ends now (the next request of each is refused)."""
    session.execute(
        update(PersonSession)
        .where(PersonSession.person_id == person_id, PersonSession.ended_at.is_(None))
        .values(ended_at=now or datetime.now(UTC))
    )


def sign_out_everywhere(session: Session, principal: Principal, person_id: str) -> None:
    person = get_person(session, principal, person_id, lock=True)
    if principal.person_id != person.id:
        _require_manager(principal, person.organisation)
    end_sessions(session, person.id)


def deactivate_person(session: Session, principal: Principal, person_id: str) -> Person:
    """End every session and erase the person's personal data everywhere (idempotent)."""
    person = get_person(session, principal, person_id, lock=True)
    _require_manager(principal, person.organisation)
    if person.active:
        end_sessions(session, person.id)
        erase_person(session, principal, person)
    return person
