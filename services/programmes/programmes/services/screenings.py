"""Export-control screenings: each side's secretariat records its screening of a programme
and of the person of each exchange into it; approval and accept are held until they pass,
and a programme whose licence has expired accepts no exchange.

Every write here, and every check that an approval or an accept makes, runs under the
programme's row lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the one write lock every
write transaction takes from its first statement), and reads the day after the lock is held:
an accept that waited for the lock while a licence expired sees it expired.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from programmes.domain import screening as rules
from programmes.services import screening_view
from programmes.services.access import require_secretariat, require_writer
from programmes.services.actors import actor
from programmes.services.events import emit
from programmes.services.locks import lock_programme
from programmes.store.models import Application, Organisation, Programme
from programmes.store.screening_models import Screening
from setu_contract.errors import Conflict, Forbidden, Invalid, NotFound
from setu_contract.events import EventType
from setu_contract.http import Principal


def today() -> date:
    return screening_view.today()


def needs_screening(programme: Programme) -> bool:
    return rules.needs_screening(programme.focus_area, programme.technology_transfer)


def snapshot(screening: Screening) -> dict[str, Any]:
    """A screening as the secretariat and auditors read it and its events carry it."""
    licence = None
    if screening.licence_number is not None:
        licence = {
            "number": screening.licence_number,
            "authority": screening.licence_authority,
            "valid_until": screening.licence_valid_until.isoformat()
            if screening.licence_valid_until
            else None,
        }
    return {
        "id": screening.id,
        "programme_id": screening.programme_id,
        "application_id": screening.application_id,
        "subject": "person" if screening.application_id else "programme",
        "jurisdiction": screening.jurisdiction,
        "regime": screening.regime,
        "classification": screening.classification,
        "basis": screening.basis,
        "outcome": screening.outcome,
        "licence": licence,
        "notes": screening.notes,
        "recorded_by_organisation_id": screening.recorded_by_organisation_id,
        "recorded_by": screening.recorded_by,
        "recorded_at": screening.recorded_at.isoformat(),
        "current": screening.superseded_at is None,
        "superseded_at": screening.superseded_at.isoformat() if screening.superseded_at else None,
        "superseded_by_id": screening.superseded_by_id,
    }


def current(
    session: Session, programme_id: str, application_id: str | None = None
) -> dict[str, Screening]:
    """The current screening of each side of the programme (``application_id`` None) or of
    the person of an exchange."""
    rows = session.scalars(
        select(Screening).where(
            Screening.programme_id == programme_id,
            Screening.application_id.is_(None)
            if application_id is None
            else Screening.application_id == application_id,
            Screening.superseded_at.is_(None),
        )
    )
    return {row.jurisdiction: row for row in rows}


def _facts(screenings: dict[str, Screening]) -> dict[str, dict[str, Any]]:
    return {
        side: {"outcome": s.outcome, "licence_valid_until": s.licence_valid_until}
        for side, s in screenings.items()
    }


def _require_side(principal: Principal, jurisdiction: str) -> None:
    require_writer(principal)
    require_secretariat(principal)
    if principal.side != jurisdiction:
        raise Forbidden(
            f"a {jurisdiction} screening is recorded by the {jurisdiction} secretariat only "
            f"({rules.REGIME[jurisdiction]}); you are the {principal.side} side"
        )


def _check_fields(fields: dict[str, Any]) -> None:
    errors = rules.check_screening(fields)
    if errors:
        raise Invalid("the screening breaks field rules", errors)


def _record(
    session: Session,
    principal: Principal,
    programme: Programme,
    application: Application | None,
    fields: dict[str, Any],
) -> Screening:
    """Supersede the side's current screening of the subject by a new one (a denied one is
    final: 409)."""
    jurisdiction = fields["jurisdiction"]
    before = current(session, programme.id, application.id if application else None)
    previous = before.get(jurisdiction)
    if previous is not None and previous.outcome in rules.FINAL:
        raise Conflict(
            f"the {jurisdiction} screening denied this; a denial is final and is not superseded",
            {"screening_id": previous.id, "outcome": previous.outcome},
        )
    licence = fields.get("licence") or {}
    now = datetime.now(UTC)
    screening = Screening(
        programme_id=programme.id,
        application_id=application.id if application else None,
        jurisdiction=jurisdiction,
        regime=fields["regime"],
        classification=fields["classification"],
        basis=fields["basis"],
        outcome=fields["outcome"],
        licence_number=licence.get("number"),
        licence_authority=licence.get("authority"),
        licence_valid_until=licence.get("valid_until"),
        notes=fields.get("notes"),
        recorded_by_organisation_id=principal.organisation_id,
        recorded_by_key_id=principal.key_id,
        recorded_by=actor(principal),
        recorded_at=now,
    )
    session.add(screening)
    session.flush()
    if previous is not None:
        session.execute(
            update(Screening)
            .where(Screening.id == previous.id)
            .values(superseded_at=now, superseded_by_id=screening.id)
        )
        session.refresh(previous)
    return screening


def _refresh_programme(session: Session, programme: Programme) -> None:
    """The programme's screened sides and earliest current licence, as its snapshot shows
    them."""
    screenings = current(session, programme.id)
    sides = sorted(side for side, s in screenings.items() if s.outcome in rules.DECIDED)
    licences = [
        s.licence_valid_until
        for s in screenings.values()
        if s.outcome == "licence_required" and s.licence_valid_until is not None
    ]
    programme.screened_sides = sides
    programme.licence_expires_on = min(licences) if licences else None
    programme.version += 1
    programme.updated_at = datetime.now(UTC)


def _approval_unblocked(session: Session, programme: Programme) -> list[str]:
    """The sides whose approval is awaited now that nothing holds it (empty when something
    still does, or when both have approved)."""
    if programme.status != "under_review":
        return []
    state = rules.standing(_facts(current(session, programme.id)), rules.SIDES, today())
    if not state.clear:
        return []
    approved = {a.side for a in programme.approvals}
    return [side for side in rules.SIDES if side not in approved]


def record_for_programme(
    session: Session, principal: Principal, programme_id: str, fields: dict[str, Any]
) -> Screening:
    """The caller's side records its screening of the programme."""
    _require_side(principal, fields["jurisdiction"])
    programme = lock_programme(session, programme_id)
    _check_fields(fields)
    screening = _record(session, principal, programme, None, fields)
    _refresh_programme(session, programme)
    session.flush()
    _emit(session, screening, programme, None, _approval_unblocked(session, programme))
    return screening


def record_for_application(
    session: Session, principal: Principal, application_id: str, fields: dict[str, Any]
) -> Screening:
    """The host side records its screening of the person of an exchange."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(f"no application {application_id}")
    _require_side(principal, fields["jurisdiction"])
    programme = lock_programme(session, application.programme_id)
    host = session.get(Organisation, application.host_organisation_id)
    if host is not None and host.country != fields["jurisdiction"]:
        raise Invalid(
            "the person of an exchange is screened by the host side",
            {"jurisdiction": [f"the host organisation is in {host.country}"]},
        )
    _check_fields(fields)
    screening = _record(session, principal, programme, application, fields)
    session.flush()
    _emit(session, screening, programme, application, [])
    return screening


def event_data(
    screening: Screening, programme: Programme | None, application: Application | None
) -> dict[str, Any]:
    """A screening.* event's data: the screening, named by its programme and exchange."""
    return snapshot(screening) | {
        "programme_reference": programme.reference if programme else "",
        "programme_title": programme.title if programme else "",
        "application_reference": application.reference if application else None,
        "version": 1,
    }


def _emit(
    session: Session,
    screening: Screening,
    programme: Programme,
    application: Application | None,
    awaited: list[str],
) -> None:
    # The sides whose approval this screening has unblocked: they are told.
    data = event_data(screening, programme, application) | {"approval_awaited_from": awaited}
    emit(session, EventType.SCREENING_RECORDED, data)


def _require_reader(principal: Principal) -> None:
    if not principal.can_read_everything:
        raise Forbidden("screening details are seen by the secretariat and auditors only")


def list_for_programme(
    session: Session, principal: Principal, programme_id: str
) -> list[dict[str, Any]]:
    """Every screening of the programme (not of its exchanges), newest first."""
    _require_reader(principal)
    if session.get(Programme, programme_id) is None:
        raise NotFound(f"no programme {programme_id}")
    rows = session.scalars(
        select(Screening)
        .where(Screening.programme_id == programme_id, Screening.application_id.is_(None))
        .order_by(Screening.recorded_at.desc(), Screening.id)
    )
    return [snapshot(row) for row in rows]


def list_for_application(
    session: Session, principal: Principal, application_id: str
) -> list[dict[str, Any]]:
    """Every screening of the person of an exchange, newest first."""
    _require_reader(principal)
    if session.get(Application, application_id) is None:
        raise NotFound(f"no application {application_id}")
    rows = session.scalars(
        select(Screening)
        .where(Screening.application_id == application_id)
        .order_by(Screening.recorded_at.desc(), Screening.id)
    )
    return [snapshot(row) for row in rows]


def check_approval(session: Session, programme: Programme, allowed: Iterable[str]) -> None:
    """409 when the approval that would complete the programme's co-approval is held by its
    screenings (the programme's row is locked by the caller)."""
    if not needs_screening(programme):
        return
    state = rules.standing(_facts(current(session, programme.id)), rules.SIDES, today())
    if state.clear:
        return
    raise Conflict(
        f"{rules.describe(state, 'cannot approve')}; allowed actions: "
        f"{', '.join(allowed) if allowed else 'none'}",
        {
            "status": programme.status,
            "allowed_actions": list(allowed),
            "missing_screenings": [
                {"jurisdiction": side, "regime": rules.REGIME[side], "reason": why}
                for side, why in state.missing.items()
            ],
            "denied_screenings": state.denied,
        },
    )


def check_accept(session: Session, programme: Programme, application: Application) -> None:
    """409 when an exchange into the programme may not be accepted: the programme is held
    (its licence expired, read from the screenings themselves) or the person has not been
    screened (and cleared or licensed) by the host side. The programme's row is locked."""
    if not needs_screening(programme):
        return
    day = today()
    held = rules.standing(_facts(current(session, programme.id)), rules.SIDES, day)
    expired = [side for side, why in held.missing.items() if why == "licence expired"]
    if expired:
        raise Conflict(
            "the programme is on hold (export_licence_expired): no exchange is accepted "
            f"until the {', '.join(expired)} licence is renewed",
            {"holds": [rules.HOLD_LICENCE_EXPIRED], "expired_licences": expired},
        )
    host = session.get(Organisation, application.host_organisation_id)
    side = host.country if host is not None else ""
    person = rules.standing(_facts(current(session, programme.id, application.id)), [side], day)
    if not person.clear:
        raise Conflict(
            rules.describe(person, "cannot accept the exchange")
            + " (the person of the exchange, by the host side)",
            {
                "missing_screenings": [
                    {"jurisdiction": s, "regime": rules.REGIME[s], "reason": why}
                    for s, why in person.missing.items()
                ],
                "denied_screenings": person.denied,
            },
        )


# The programmes whose screening a side is asked for: proposed and not yet decided.
DUE_STATUSES = ("submitted", "under_review")


def work(session: Session, principal: Principal) -> dict[str, Any]:
    """What waits for a secretariat side (auditors: both sides): the programmes submitted or
    under review that need its screening and have no decided one of its side, oldest first;
    the current licences of its side that expire within 30 days or have expired, soonest
    first."""
    _require_reader(principal)
    sides = [principal.side] if principal.is_secretariat and principal.side else list(rules.SIDES)
    day = today()
    programmes = session.scalars(
        select(Programme)
        .where(Programme.status.in_(DUE_STATUSES))
        .order_by(Programme.updated_at, Programme.id)
    ).all()
    due = [
        {
            "programme_id": p.id,
            "reference": p.reference,
            "title": p.title,
            "status": p.status,
            "updated_at": p.updated_at.isoformat(),
            "sides": [s for s in sides if s not in (p.screened_sides or [])],
        }
        for p in programmes
        if needs_screening(p) and any(s not in (p.screened_sides or []) for s in sides)
    ]
    rows = session.execute(
        select(Screening, Programme.reference, Programme.title)
        .join(Programme, Programme.id == Screening.programme_id)
        .where(
            Screening.superseded_at.is_(None),
            Screening.outcome == "licence_required",
            Screening.jurisdiction.in_(sides),
            Screening.licence_valid_until < day + rules.NOTICES["30d"],
        )
        .order_by(Screening.licence_valid_until, Screening.id)
    ).all()
    licences = [
        snapshot(s)
        | {
            "programme_reference": reference,
            "programme_title": title,
            "expires_on": rules.expiry_day(s.licence_valid_until).isoformat(),
            "expired": not rules.licence_valid(s.licence_valid_until, day),
        }
        for s, reference, title in rows
        if s.licence_valid_until is not None
    ]
    return {"due": due, "licences": licences}
