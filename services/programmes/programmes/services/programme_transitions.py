"""Moving a programme through its table: the guards and effects its rows name, by name.

``transition`` runs ``plan``, then the row's guards (each may refuse the action), then its
effects (co-approval, clearing approvals), then writes the move, its history and its event,
then the effects that follow it (the programme table names none; the application table
names the offer of a freed slot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from programmes.domain import programmes as rules
from programmes.domain.transitions import PROGRAMME_TRANSITIONS, co_approved, not_now, plan
from programmes.services import calls, participation, programme_actions, screenings
from programmes.services.access import require_writer
from programmes.services.actors import actor
from programmes.services.events import emit, programme_snapshot
from programmes.services.programmes import get_programme
from programmes.store.models import Programme, ProgrammeApproval, ProgrammeTransition
from setu_contract.errors import Invalid
from setu_contract.events import EventType
from setu_contract.http import Principal


@dataclass
class Move:
    """One action on a locked programme, as its guards and effects see it."""

    session: Session
    principal: Principal
    programme: Programme
    before: dict[str, Any]  # the programme's snapshot before the action
    allowed: list[str]  # what the caller may do now, named by a 409
    comment: str | None
    target: str
    approved_by: list[dict[str, Any]] | None = None  # both sides' approvals, once recorded

    @property
    def sides(self) -> set[str]:
        return {a.side for a in self.programme.approvals}


def _partners_confirmed(move: Move) -> None:
    """409 until every partner has confirmed its participation, naming those that have not."""
    waiting = participation.unconfirmed(move.before["partners"])
    if waiting:
        names = ", ".join(f"{p['name']} ({p['participation']})" for p in waiting)
        raise not_now(
            f"cannot submit until every partner has confirmed its participation: {names}",
            move.before["status"],
            move.allowed,
            unconfirmed_partners=waiting,
        )


def _lead_in_each_country(move: Move) -> None:
    """422 without exactly one lead from each country."""
    problems = rules.submission_errors(move.before["partners"])
    if problems:
        raise Invalid("the programme cannot be submitted yet", problems)


def _call_open_and_eligible(move: Move) -> None:
    """A programme answering a call: the call is open and the programme meets its rules."""
    if move.before["call_id"]:
        calls.check_submission(move.session, move.before)


def _screened_for_co_approval(move: Move) -> None:
    """The approval that completes co-approval (the second side's) is held by the
    programme's screenings."""
    if co_approved(move.sides | {move.principal.side}):
        screenings.check_approval(move.session, move.programme, move.allowed)


def _side_not_yet_approved(move: Move) -> None:
    """409 when the caller's side has approved the programme already."""
    sides = move.sides
    if move.principal.side in sides:
        raise not_now(
            f"the {move.principal.side} side has already approved this programme",
            move.programme.status,
            move.allowed,
            approvals=sorted(sides),
        )


def _record_approval(move: Move) -> None:
    """This side's approval, and both sides' (named) for the approval's event and emails."""
    principal = move.principal
    move.programme.approvals.append(
        ProgrammeApproval(
            side=principal.side or "",
            organisation_id=principal.organisation_id,
            key_id=principal.key_id,
            actor=actor(principal),
            comment=move.comment,
        )
    )
    move.approved_by = approvals_detail(move.programme)


def _hold_until_co_approved(move: Move) -> None:
    """The first side's approval: the programme stays under review."""
    if not co_approved(move.sides):
        move.target = move.programme.status


def _clear_approvals(move: Move) -> None:
    """The review round ends without approval: its approvals go."""
    move.programme.approvals.clear()


# Every guard and effect the programme table names (domain.transitions).
GUARDS: dict[str, Callable[[Move], None]] = {
    "partners_confirmed": _partners_confirmed,
    "lead_in_each_country": _lead_in_each_country,
    "call_open_and_eligible": _call_open_and_eligible,
    "screened_for_co_approval": _screened_for_co_approval,
    "side_not_yet_approved": _side_not_yet_approved,
}
EFFECTS: dict[str, Callable[[Move], None]] = {
    "record_approval": _record_approval,
    "hold_until_co_approved": _hold_until_co_approved,
    "clear_approvals": _clear_approvals,
}


def transition(
    session: Session,
    principal: Principal,
    programme_id: str,
    action: str,
    comment: str | None = None,
) -> Programme:
    """Move the programme by ``action`` and write its history and event."""
    require_writer(principal)
    programme = get_programme(session, principal, programme_id, lock=True)
    before = programme_snapshot(programme)
    allowed = programme_actions.allowed(before, principal)
    relations = programme_actions.relations(before["partners"], principal)
    row = plan(PROGRAMME_TRANSITIONS, programme.status, action, relations, comment, allowed)
    move = Move(session, principal, programme, before, allowed, comment, row.target)
    for guard in row.guards:
        GUARDS[guard](move)
    for effect in row.effects:
        EFFECTS[effect](move)
    source = programme.status
    programme.status = move.target
    programme.version += 1
    programme.updated_at = datetime.now(UTC)
    session.add(
        ProgrammeTransition(
            programme_id=programme.id,
            action=action,
            from_status=source,
            to_status=move.target,
            actor_organisation_id=principal.organisation_id,
            actor_key_id=principal.key_id,
            actor=actor(principal),
            comment=comment,
        )
    )
    session.flush()
    _emit_status_changed(move, source, action)
    for effect in row.effects_after:
        EFFECTS[effect](move)
    return programme


def approvals_detail(programme: Programme) -> list[dict[str, Any]]:
    return [{"side": a.side, "actor": a.actor, "comment": a.comment} for a in programme.approvals]


def _emit_status_changed(move: Move, source: str, action: str) -> None:
    programme, principal = move.programme, move.principal
    data = programme_snapshot(programme)
    if move.approved_by is not None:
        data["approved_by"] = move.approved_by
    if programme.status == source:
        # One side's approval: nothing moved, but the approvals did (the other side's
        # secretariat is told its approval is awaited).
        data.update({"action": action, "comment": move.comment, "actor": actor(principal)})
        emit(move.session, EventType.PROGRAMME_UPDATED, data)
        return
    data.update(
        {
            "from": source,
            "to": programme.status,
            "action": action,
            "comment": move.comment,
            "actor_organisation_id": principal.organisation_id,
            "actor": actor(principal),
        }
    )
    emit(move.session, EventType.PROGRAMME_STATUS_CHANGED, data)
