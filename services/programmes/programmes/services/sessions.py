"""Sign-in: one-time links by email, server-side sessions, and who a session's bearer is.

- A sign-in request answers the same, after the same work, whether the address is a
  person's or not: one lookup, one count, one link row written (for nobody, when it is no
  one's, which nothing can use), and the email is left to the outbox and notifications, so
  the request never waits for SMTP.
- A link is spent by the one UPDATE that sets its ``used_at`` where it was empty: a second
  use, even a concurrent one, finds nothing to update.
- A session's bearer is read from the database on every request, so that a session ended
  (sign-out, deactivation) is refused on its very next request in every process.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from programmes.domain import people as rules
from programmes.services.access import role_fits
from programmes.services.events import emit
from programmes.services.people import link_event, new_link, person_snapshot
from programmes.store.models import ApiKey, Organisation, Person, PersonSession, SignInLink
from programmes.store.savepoints import kept_only_if
from setu_contract.errors import Forbidden, Unauthenticated
from setu_contract.events import EventType
from setu_contract.http import Principal
from setu_contract.sign_in import link_id_of

SIGN_IN_ANSWER = (
    "if this address belongs to a person of Setu, a sign-in link is on its way; it works "
    "once, for 15 minutes"
)
LINK_REFUSED = "this sign-in link is not valid, was used already or has expired"
# The states of a session, and whether it may act.
ACTIVE = "active"
TOTP_REQUIRED = "totp_required"
TOTP_ENROLMENT_REQUIRED = "totp_enrolment_required"


# The columns of a person its sign-in event carries, read as a row (no ORM object): the
# stand-in for an address nobody has is built as cheaply (request_sign_in).
_SNAPSHOT_COLUMNS = (
    Person.id,
    Person.organisation_id,
    Person.name,
    Person.email,
    Person.role,
    Person.language,
    Person.time_zone,
    Person.active,
    Person.totp_enrolled_at,
    Person.version,
    Person.created_at,
)
_BY_EMAIL = select(*_SNAPSHOT_COLUMNS).where(
    Person.email_key == bindparam("email_key"), Person.active
)
_RECENT_LINKS = (
    select(func.count())
    .select_from(SignInLink)
    .where(
        SignInLink.person_id == bindparam("person_id"),
        SignInLink.created_at > bindparam("since"),
    )
)


class _StandIn(NamedTuple):
    """A person who does not exist, shaped like a row of _BY_EMAIL."""

    id: str
    organisation_id: str
    name: str
    email: str
    role: str
    language: str
    time_zone: str
    active: bool
    totp_enrolled_at: datetime | None
    version: int
    created_at: datetime


def request_sign_in(session: Session, email: str, next_path: str | None) -> None:
    """A link for an active person, within 5 in 15 minutes; the same work for anyone else."""
    now = datetime.now(UTC)
    connection = session.connection()
    found = connection.execute(_BY_EMAIL, {"email_key": rules.email_key(email)}).first()
    # The stand-in carries the address asked for and a name of a name's length, so that its
    # event is built, validated and written as a person's is (then rolled back, below).
    person = found or _StandIn(
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        email.split("@", 1)[0][:40] or "nobody",
        email,
        "partner",
        "en",
        "Asia/Tokyo",
        True,
        None,
        1,
        now,
    )
    # For nobody, the stand-in's id: the same index lookup, finding nothing.
    recent = connection.execute(
        _RECENT_LINKS, {"person_id": person.id, "since": now - rules.LINK_LIFETIME}
    ).scalar()
    known = found is not None and (recent or 0) < rules.LINKS_PER_WINDOW
    link = new_link(session, person.id if known else None, next_path, now)
    # The event is written in a savepoint on both paths; for nobody (or a person past its 5
    # links) the savepoint is rolled back: the same statements and round trips, nothing kept.
    with kept_only_if(session, known):
        emit(session, EventType.PERSON_SIGN_IN_REQUESTED, link_event(person, link))


class Opened(NamedTuple):
    token: str
    person: Person
    session: PersonSession
    next: str | None  # the console path the person asked to go back to


def _state_for(person: Person) -> str:
    if person.totp_enrolled_at is not None:
        return TOTP_REQUIRED
    if person.role in rules.TOTP_REQUIRED:
        return TOTP_ENROLMENT_REQUIRED
    return ACTIVE


def open_session(session: Session, secret: str, token: str) -> Opened:
    """Spend the link (once, within 15 minutes) and open a session for its person."""
    now = datetime.now(UTC)
    link_id = link_id_of(secret, token)
    if link_id is None:
        raise Unauthenticated(LINK_REFUSED)
    spent = session.execute(
        update(SignInLink)
        .where(
            SignInLink.id == link_id,
            SignInLink.used_at.is_(None),
            SignInLink.expires_at > now,
            SignInLink.person_id.is_not(None),
        )
        .values(used_at=now)
        .returning(SignInLink.person_id, SignInLink.next)
    ).first()
    person = session.get(Person, spent.person_id) if spent else None
    if person is None or not person.active:
        raise Unauthenticated(LINK_REFUSED)
    opened = PersonSession(
        person_id=person.id,
        state=_state_for(person),
        created_at=now,
        idle_expires_at=now + rules.SESSION_IDLE,
        expires_at=now + rules.SESSION_MAX,
        secret_hash="",
    )
    session.add(opened)
    session.flush()
    bearer, opened.secret_hash = rules.new_session_secret(opened.id)
    session.flush()
    return Opened(bearer, person, opened, spent.next if spent else None)


def session_view(opened: PersonSession) -> dict[str, Any]:
    return {
        "id": opened.id,
        "state": opened.state,
        "created_at": opened.created_at.isoformat(),
        "idle_expires_at": opened.idle_expires_at.isoformat(),
        "expires_at": opened.expires_at.isoformat(),
    }


# Every request of a signed-in person runs this: built once, read as a row (no ORM objects),
# as a key's lookup is (services.access).
_SESSION = (
    select(
        PersonSession.id,
        PersonSession.secret_hash,
        PersonSession.state,
        PersonSession.idle_expires_at,
        PersonSession.expires_at,
        PersonSession.ended_at,
        Person.id.label("person_id"),
        Person.organisation_id,
        Person.name,
        Person.role,
        Person.active,
        Organisation.kind,
        Organisation.country,
    )
    .join(Person, Person.id == PersonSession.person_id)
    .join(Organisation, Organisation.id == Person.organisation_id)
    .where(PersonSession.id == bindparam("session_id"))
)
_RENEW_IDLE = (
    update(PersonSession)
    .where(PersonSession.id == bindparam("session_id"))
    .values(idle_expires_at=bindparam("idle"))
)


class Bearer(NamedTuple):
    principal: Principal
    state: str


def authenticate_session(session: Session, token: str) -> Bearer:
    """The principal of a live session of an active person: 401 otherwise. Its idle deadline
    moves on (at most once a minute)."""
    parts = rules.session_parts(token)
    if parts is None:
        raise Unauthenticated("the session is not valid")
    session_id, secret_hash = parts
    connection = session.connection()
    row = connection.execute(_SESSION, {"session_id": session_id}).first()
    now = datetime.now(UTC)
    if row is None or not hmac.compare_digest(row.secret_hash, secret_hash):
        raise Unauthenticated("the session is not valid")
    if row.ended_at is not None or not row.active:
        raise Unauthenticated("the session has ended: sign in again")
    if now >= row.idle_expires_at or now >= row.expires_at:
        raise Unauthenticated("the session has expired: sign in again")
    if not role_fits(row.role, row.kind):
        raise Unauthenticated("the person's role does not fit its organisation")
    if row.idle_expires_at - now < rules.SESSION_IDLE - rules.IDLE_RENEWAL:
        idle = min(now + rules.SESSION_IDLE, row.expires_at)
        connection.execute(_RENEW_IDLE, {"session_id": row.id, "idle": idle})
    side = row.country if row.role == "secretariat" else None
    principal = Principal(row.organisation_id, row.role, row.id, side, row.person_id, row.name)
    return Bearer(principal, row.state)


def current_session(session: Session, principal: Principal) -> PersonSession:
    if principal.person_id is None:
        raise Forbidden("this is for a signed-in person, not an API key")
    found = session.get(PersonSession, principal.key_id)
    assert found is not None  # authenticated this request
    return found


def sign_out(session: Session, principal: Principal) -> None:
    found = current_session(session, principal)
    found.ended_at = datetime.now(UTC)
    session.flush()


def me(session: Session, principal: Principal) -> dict[str, Any]:
    """Who is calling: the person or the key, its organisation, role and side."""
    organisation = session.get(Organisation, principal.organisation_id)
    assert organisation is not None
    person = session.get(Person, principal.person_id) if principal.person_id else None
    key = None if person else session.get(ApiKey, principal.key_id)
    org_view: dict[str, Any] = {
        "id": organisation.id,
        "name": organisation.name,
        "country": organisation.country,
        "kind": organisation.kind,
    }
    if organisation.kind == "secretariat":
        org_view["side"] = organisation.country
    return {
        "person": person_snapshot(person) if person else None,
        "key": {"id": key.id, "name": key.name} if key else None,
        "organisation": org_view,
        "role": principal.role,
        "side": principal.side,
    }
