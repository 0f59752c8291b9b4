"""Moving an application through its table: the guards its rows name (the programme open to
submissions, a slot free to accept), by name; a slot freed offered to the waitlist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from programmes.domain import applications as rules
from programmes.domain import slots
from programmes.domain.transitions import APPLICATION_TRANSITIONS, Transition, plan
from programmes.services import screenings, waitlist
from programmes.services.access import require_writer
from programmes.services.actors import actor
from programmes.services.applications import get_application, relations
from programmes.services.events import application_snapshot, emit
from programmes.services.locks import lock_programme
from programmes.store.models import Application, ApplicationTransition, Programme
from setu_contract.errors import Conflict, Invalid
from setu_contract.events import EventType
from setu_contract.http import Principal


def _slot_problem(
    session: Session, programme: Programme, application: Application
) -> tuple[str, dict[str, object]] | None:
    """Why the programme has no slot for ``application`` (its slots, or its slots in the
    application's direction, all held by other applications: accepted, or offered one), or
    None when it has one."""
    return slots.full(
        programme.exchange_slots,
        programme.exchange_slots_by_direction,
        application.direction,
        *waitlist.held(session, programme.id, application.direction, application.id),
    )


def _slot_free(session: Session, programme: Programme, application: Application) -> None:
    """409 when the programme has no slot for the application."""
    problem = _slot_problem(session, programme, application)
    if problem is not None:
        raise Conflict(*problem)


def _programme_open(session: Session, programme: Programme, application: Application) -> None:
    """409 unless the programme takes applications (approved or active)."""
    if programme.status not in rules.OPEN_PROGRAMME_STATUSES:
        raise Conflict(
            f"the programme is {programme.status}: applications are submitted only to "
            "approved or active programmes",
            {"programme_status": programme.status},
        )


def _start_date_ahead(session: Session, programme: Programme, application: Application) -> None:
    """422 when the exchange would start in the past."""
    problems = rules.submission_errors(application.start_date, datetime.now(UTC).date())
    if problems:
        raise Invalid("the application cannot be submitted yet", problems)


# Every guard the application table names (domain.transitions); each is given the locked
# programme and application.
GUARDS: dict[str, Callable[[Session, Programme, Application], None]] = {
    "programme_open": _programme_open,
    "start_date_ahead": _start_date_ahead,
    "slot_free": _slot_free,
    "host_screened": screenings.check_accept,
}


def transition(
    session: Session,
    principal: Principal,
    application_id: str,
    action: str,
    comment: str | None = None,
) -> Application:
    """Move the application by ``action``; write its history and its event."""
    require_writer(principal)
    application = get_application(session, principal, application_id)
    programme = lock_programme(session, application.programme_id)
    application = session.scalars(
        select(Application)
        .where(Application.id == application.id)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    ).one()
    row = plan(
        APPLICATION_TRANSITIONS,
        application.status,
        action,
        relations(application, principal),
        comment,
    )
    for guard in row.guards:
        GUARDS[guard](session, programme, application)
    source = application.status
    _move(session, principal, application, row, comment)
    if source in slots.HOLDING and row.target not in slots.HOLDING:
        _offer_freed_slot(session, principal, programme, application)
    return application


def _move(
    session: Session,
    principal: Principal,
    application: Application,
    row: Transition,
    comment: str | None,
    **extra: Any,
) -> None:
    """The application moved by ``row``: its status, version, history row and event."""
    source = application.status
    application.status = row.target
    application.version += 1
    application.updated_at = datetime.now(UTC)
    session.add(
        ApplicationTransition(
            application_id=application.id,
            action=row.action,
            from_status=source,
            to_status=row.target,
            actor_organisation_id=principal.organisation_id,
            actor_key_id=principal.key_id,
            actor=actor(principal),
            comment=comment,
        )
    )
    session.flush()
    data = application_snapshot(application) | {
        "from": source,
        "to": row.target,
        "action": row.action,
        "comment": comment,
        "actor_organisation_id": principal.organisation_id,
        "actor": actor(principal),
        **extra,
    }
    emit(session, EventType.APPLICATION_STATUS_CHANGED, data)


def _offer_freed_slot(
    session: Session, principal: Principal, programme: Programme, freed_by: Application
) -> None:
    """The slot ``freed_by`` left, offered to the first waitlisted application of its
    direction, if the programme has a slot free for it (its slots may have been full beyond
    this one). Recorded as the move of whoever freed it, which caused it."""
    offered = waitlist.next_in_line(session, programme.id, freed_by.direction)
    if offered is None:
        return
    if _slot_problem(session, programme, offered) is not None:
        return
    _move(
        session,
        principal,
        offered,
        APPLICATION_TRANSITIONS["offer_slot"],
        None,
        freed_by={"id": freed_by.id, "reference": freed_by.reference, "to": freed_by.status},
    )
