"""TOTP (RFC 6238, pyotp) for a session waiting for it: enrolment at first sign-in (a QR code
and the same secret as text), then a code, or a one-time recovery code, at each sign-in.

Wrong codes are counted on the person, not the session (a new link does not reset them):
after each one the answer waits a little longer, and the fifth locks the person out for 15
minutes and tells it by email (person.locked).
"""

from __future__ import annotations

import hmac
import io
import time
from datetime import UTC, datetime
from typing import Any

import pyotp
import segno
from sqlalchemy.orm import Session

from programmes.domain import people as rules
from programmes.domain.errors import Locked, LockedOut, WrongCode
from programmes.services.events import emit
from programmes.services.people import person_snapshot
from programmes.services.sessions import (
    ACTIVE,
    TOTP_ENROLMENT_REQUIRED,
    TOTP_REQUIRED,
    current_session,
)
from programmes.store.models import Person, PersonSession
from setu_contract.errors import Conflict
from setu_contract.events import EventType
from setu_contract.http import Principal

ISSUER = "Setu"
# Seconds a wrong code's answer waits, per wrong code so far (slowing down guessing).
SLOW_DOWN = 0.2


def _person_of(session: Session, principal: Principal, states: tuple[str, ...]):
    opened = current_session(session, principal)
    if opened.state not in states:
        raise Conflict(f"the session is {opened.state}", {"state": [opened.state]})
    person = session.get(Person, opened.person_id, with_for_update={"of": Person})
    assert person is not None
    return opened, person


def start_enrolment(session: Session, principal: Principal) -> dict[str, Any]:
    """A new secret for the person (replacing one not yet confirmed), as text, URI and QR."""
    states = (TOTP_ENROLMENT_REQUIRED, ACTIVE)
    _opened, person = _person_of(session, principal, states)
    if person.totp_enrolled_at is not None:
        raise Conflict("TOTP is enrolled already", {"totp_enrolled": ["true"]})
    person.totp_secret = pyotp.random_base32()
    session.flush()
    uri = pyotp.TOTP(person.totp_secret).provisioning_uri(
        name=person.email or person.id, issuer_name=ISSUER
    )
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=4, title="TOTP enrolment")
    return {"secret": person.totp_secret, "otpauth_uri": uri, "qr_svg": svg.getvalue().decode()}


def confirm_enrolment(session: Session, principal: Principal, code: str) -> list[str]:
    """The first right code confirms the secret; the session is active and the person given
    ten recovery codes (shown this once; stored as hashes)."""
    opened, person = _person_of(session, principal, (TOTP_ENROLMENT_REQUIRED, ACTIVE))
    if person.totp_enrolled_at is not None or not person.totp_secret:
        raise Conflict("start the enrolment first", {"totp_enrolled": ["no secret to confirm"]})
    _check(session, person, lambda: _accepted(person, code))
    codes = rules.new_recovery_codes()
    person.recovery_codes = [rules.recovery_key(c) for c in codes]
    person.totp_enrolled_at = datetime.now(UTC)
    person.version += 1
    opened.state = ACTIVE
    session.flush()
    return codes


def verify(
    session: Session, principal: Principal, code: str | None, recovery_code: str | None
) -> PersonSession:
    """A TOTP code (or an unused recovery code, spent) makes the session active."""
    opened, person = _person_of(session, principal, (TOTP_REQUIRED,))
    if recovery_code:
        key = rules.recovery_key(recovery_code)
        left = list(person.recovery_codes or [])

        def right() -> bool:
            if key not in left:
                return False
            left.remove(key)
            person.recovery_codes = left
            return True

        _check(session, person, right)
    else:
        _check(session, person, lambda: _accepted(person, code or ""))
    opened.state = ACTIVE
    session.flush()
    return opened


def _accepted(person: Person, code: str) -> bool:
    """Whether ``code`` is the person's for this time step or one either side (clocks drift),
    and newer than the last code accepted; if so, its step is remembered."""
    totp, now = pyotp.TOTP(person.totp_secret or ""), time.time()
    for step_offset in (-1, 0, 1):
        moment = now + step_offset * totp.interval
        step = totp.timecode(datetime.fromtimestamp(moment, UTC))
        if step > (person.totp_last_step or -1) and hmac.compare_digest(totp.at(moment), code):
            person.totp_last_step = step
            return True
    return False


def _check(session: Session, person: Person, right: Any) -> None:
    now = datetime.now(UTC)
    if person.locked_until is not None and person.locked_until > now:
        raise Locked(
            "too many wrong codes: try again later",
            int((person.locked_until - now).total_seconds()) + 1,
        )
    if right():
        person.failed_codes = 0
        person.locked_until = None
        return
    person.failed_codes = (person.failed_codes or 0) + 1
    if person.failed_codes >= rules.CODE_ATTEMPTS:
        person.failed_codes = 0
        person.locked_until = now + rules.LOCK_TIME
        emit(
            session,
            EventType.PERSON_LOCKED,
            {**person_snapshot(person), "locked_until": person.locked_until.isoformat()},
        )
        raise LockedOut(
            "too many wrong codes: locked for 15 minutes", int(rules.LOCK_TIME.total_seconds())
        )
    raise WrongCode(SLOW_DOWN * person.failed_codes)
