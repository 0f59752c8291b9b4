"""Moving an application through its table: the guards and effects its rows name, by name.

``transition`` runs ``plan``, then the row's guards (the programme open to submissions, a slot
free to accept), then its effects, then writes the move, its history and its event, then the
effects that follow it (a slot freed offered to the waitlist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass
class Move:
    """One action on a locked application, as its guards and effects see it."""

    session: Session
    principal: Principal
    programme: Programme
    application: Application
    source: str  # the application's status before the action


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


def _slot_free(move: Move) -> None:
    """409 when the programme has no slot for the application."""
    problem = _slot_problem(move.session, move.programme, move.application)
    if problem is not None:
        raise Conflict(*problem)


def _host_screened(move: Move) -> None:
    """The host side's screening of the application clears it (services.screenings)."""
    screenings.check_accept(move.session, move.programme, move.application)


def _programme_open(move: Move) -> None:
    """409 unless the programme takes applications (approved or active)."""
    status = move.programme.status
    if status not in rules.OPEN_PROGRAMME_STATUSES:
        raise Conflict(
            f"the programme is {status}: applications are submitted only to "
            "approved or active programmes",
            {"programme_status": status},
        )


def _start_date_ahead(move: Move) -> None:
    """422 when the exchange would start in the past."""
    problems = rules.submission_errors(move.application.start_date, datetime.now(UTC).date())
    if problems:
        raise Invalid("the application cannot be submitted yet", problems)


def _offer_freed_slot(move: Move) -> None:
    """The slot the application held (accepted, or offered one) and has left, offered to the
    first waitlisted application of its direction, if the programme has a slot free for it
    (its slots may have been full beyond this one). Recorded as the move of whoever freed
    it, which caused it."""
    freed_by = move.application
    if move.source not in slots.HOLDING or freed_by.status in slots.HOLDING:
        return
    session, programme = move.session, move.programme
    offered = waitlist.next_in_line(session, programme.id, freed_by.direction)
    if offered is None:
        return
    if _slot_problem(session, programme, offered) is not None:
        return
    _write(
        session,
        move.principal,
        offered,
        APPLICATION_TRANSITIONS["offer_slot"],
        None,
        freed_by={"id": freed_by.id, "reference": freed_by.reference, "to": freed_by.status},
    )


# Every guard and effect the application table names (domain.transitions).
GUARDS: dict[str, Callable[[Move], None]] = {
    "programme_open": _programme_open,
    "start_date_ahead": _start_date_ahead,
    "slot_free": _slot_free,
    "host_screened": _host_screened,
}
EFFECTS: dict[str, Callable[[Move], None]] = {
    "offer_freed_slot": _offer_freed_slot,
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
    move = Move(session, principal, programme, application, application.status)
    for guard in row.guards:
        GUARDS[guard](move)
    for effect in row.effects:
        EFFECTS[effect](move)
    _write(session, principal, application, row, comment)
    for effect in row.effects_after:
        EFFECTS[effect](move)
    return application


def _write(
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
