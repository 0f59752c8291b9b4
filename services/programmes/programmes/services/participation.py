"""Nobody is made a partner without consent: each organisation named in a programme by another
confirms or declines its participation, and the programme is submitted only once every
partner has confirmed.

- The creating organisation is confirmed by proposing the programme.
- An answer is given once, while the programme is being prepared (draft, changes_requested);
  the same answer again changes nothing, another answer is 409.
- When the partners change (PATCH), an organisation that stays with the same role keeps its
  answer; one added, or whose role changed, is asked again (pending); one removed loses its
  answer. So a programme a partner declined stays a draft until its partners change.
- Until it has confirmed, a named organisation reads the programme and answers, nothing
  more (services.programme_actions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from programmes.domain.transitions import PROGRAMME_EDITABLE, not_now
from programmes.services import programme_actions
from programmes.services.access import require_writer
from programmes.services.actors import actor
from programmes.services.events import emit, programme_snapshot
from programmes.store.models import Programme, ProgrammePartner
from setu_contract.database import changed_rows
from setu_contract.errors import Forbidden
from setu_contract.events import EventType
from setu_contract.http import Principal

CONFIRMED, PENDING, DECLINED = "confirmed", "pending", "declined"
ANSWERS = {"confirm": CONFIRMED, "decline": DECLINED}
EVENTS = {
    CONFIRMED: EventType.PARTICIPATION_CONFIRMED,
    DECLINED: EventType.PARTICIPATION_DECLINED,
}


def answers_carried(
    programme: Programme, partners: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Each new partner's answer, from the programme's partners before the change."""
    before = {p.organisation_id: p for p in programme.partners}
    answers: list[dict[str, Any]] = []
    for partner in partners:
        kept = before.get(partner["organisation_id"])
        if partner["organisation_id"] == programme.created_by_organisation_id:
            answers.append({"participation": CONFIRMED})
        elif kept is not None and kept.role == partner["role"]:
            answers.append(
                {
                    "participation": kept.participation,
                    "answered_at": kept.answered_at,
                    "answered_by_key_id": kept.answered_by_key_id,
                    "answered_by": kept.answered_by,
                }
            )
        else:
            answers.append({"participation": PENDING})
    return answers


def unconfirmed(partners: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The partners (snapshot entries) that have not confirmed, with their answer."""
    return [
        {key: p[key] for key in ("organisation_id", "name", "participation")}
        for p in partners
        if p["participation"] != CONFIRMED
    ]


def answer(
    session: Session, principal: Principal, programme: Programme, decision: str
) -> Programme:
    """The caller's organisation answers for itself (``programme`` is locked by the caller);
    its event is written, and the programme's version moves."""
    require_writer(principal)
    mine = _named(programme, principal)
    given = ANSWERS[decision]
    if programme.status not in PROGRAMME_EDITABLE:
        allowed = programme_actions.allowed(programme_snapshot(programme), principal)
        raise not_now(f"cannot answer while {programme.status}", programme.status, allowed)
    if mine.participation == given:
        return programme
    if mine.participation != PENDING or not _recorded(session, mine, given, principal):
        session.refresh(mine)
        if mine.participation == given:  # the same answer, given at the same moment
            return programme
        raise not_now(
            f"your organisation has already {mine.participation} its participation",
            programme.status,
            programme_actions.allowed(programme_snapshot(programme), principal),
            participation=mine.participation,
        )
    _announce(session, programme, principal, given)
    return programme


def _named(programme: Programme, principal: Principal) -> ProgrammePartner:
    """The caller's partner row, if it is a partner organisation named by another; else 403."""
    mine = next(
        (p for p in programme.partners if p.organisation_id == principal.organisation_id), None
    )
    if (
        mine is None
        or principal.role != "partner"
        or mine.organisation_id == programme.created_by_organisation_id
    ):
        raise Forbidden("only an organisation named by another answers for its participation")
    return mine


def _recorded(session: Session, mine: ProgrammePartner, given: str, principal: Principal) -> bool:
    """Write the answer if the partner is still to answer: one answer per partner however
    the answers' transactions interleave."""
    written = session.execute(
        update(ProgrammePartner)
        .where(
            ProgrammePartner.programme_id == mine.programme_id,
            ProgrammePartner.organisation_id == mine.organisation_id,
            ProgrammePartner.participation == PENDING,
        )
        .values(
            participation=given,
            answered_at=datetime.now(UTC),
            answered_by_key_id=principal.key_id,
            answered_by=actor(principal),
        )
        .execution_options(synchronize_session=False)
    )
    session.expire(mine)
    return changed_rows(written) == 1


def _announce(session: Session, programme: Programme, principal: Principal, given: str) -> None:
    """A new version of the programme (its partners' answers changed) and the answer's event."""
    programme.version = Programme.version + 1
    programme.updated_at = datetime.now(UTC)
    session.flush()
    session.refresh(programme)
    data = programme_snapshot(programme) | {
        "organisation_id": principal.organisation_id,
        "participation": given,
        "actor_organisation_id": principal.organisation_id,
        "actor": actor(principal),
    }
    emit(session, EVENTS[given], data)
