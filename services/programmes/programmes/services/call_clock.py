"""The calls' clock: opens and closes calls at their times, reminds partners with drafts
before a call closes, reviewers before their reviews are due and home organisations of
exchanges whose documents are late (services.mobility_clock), each exactly once.

Two beats (or a redelivered tick) may run it at the same moment. A call moves by a
compare-and-set of its status, and its event is written only by the transaction whose update
matched; a reminder is a row with a unique key (call, kind), and a reviewer's reminder a
compare-and-set of ``reminded_at``: the second tick finds the work done and writes nothing.

Each piece of work here takes a session inside a transaction of its own, which the clock's
runner (programmes.clock) opens, one per piece, and ``due_calls`` and ``due_reviews`` say
which pieces are due.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from programmes.domain import calls as rules
from programmes.domain import reviews as review_rules
from programmes.services.calls import call_snapshot, move
from programmes.services.events import emit
from programmes.services.reviews import event_data
from programmes.store.call_models import Call, CallReminder, ReviewAssignment
from programmes.store.models import Programme, ProgrammePartner
from setu_contract.database import changed_rows
from setu_contract.events import EventType

DRAFTS = ("draft", "changes_requested")


def due_calls(session: Session, now: datetime) -> list[str]:
    """The calls to open at ``now``, and the open ones within reach of a reminder."""
    return list(
        session.scalars(
            select(Call.id).where(
                or_(
                    (Call.status == "draft") & (Call.opens_at <= now),
                    (Call.status == "open") & (Call.closes_at <= now + rules.REMINDERS["7d"]),
                )
            )
        )
    )


def due_reviews(session: Session, now: datetime) -> list[str]:
    """The review assignments not yet submitted, soon due and not reminded."""
    return list(
        session.scalars(
            select(ReviewAssignment.id).where(
                ReviewAssignment.status.in_(("declaration_due", "in_progress")),
                ReviewAssignment.reminded_at.is_(None),
                ReviewAssignment.due_at <= now + review_rules.REMINDER_BEFORE,
            )
        )
    )


def advance(session: Session, call_id: str, now: datetime) -> int:
    """Open and/or close the call as its clock says; how many moves this transaction made."""
    call = session.get(Call, call_id)
    moved = 0
    while call is not None:
        action = rules.due_action(call.status, call.opens_at, call.closes_at, now)
        if action is None:
            break
        source, target = call.status, rules.CALL_TRANSITIONS[action].target
        matched = changed_rows(
            session.execute(
                update(Call)
                .where(Call.id == call_id, Call.status == source)
                .values(status=source)  # takes the row's lock; the move writes the rest
            )
        )
        if matched != 1:
            break
        session.refresh(call)
        if call.status != source:
            break  # another tick moved it while this one waited for the lock
        move(session, call, target, action, None)
        moved += 1
    return moved


def remind(session: Session, call_id: str, now: datetime) -> int:
    """Record the reminders now due of an open call, and send the latest to the partners
    with drafts for it; 1 when one was sent."""
    call = session.get(Call, call_id)
    if call is None or call.status != "open":
        return 0
    sent = set(session.scalars(select(CallReminder.kind).where(CallReminder.call_id == call_id)))
    recorded, send = rules.due_reminders(call.closes_at, now, sent)
    for kind in recorded:
        session.add(CallReminder(call_id=call_id, kind=kind, sent=kind == send))
    session.flush()  # the unique (call, kind): a second tick stops here
    if send is None:
        return 0
    drafts = _drafts(session, call_id)
    if not drafts:
        return 0
    emit(
        session,
        EventType.CALL_CLOSING_REMINDER,
        {**call_snapshot(call), "kind": send, "drafts": drafts},
    )
    return 1


def _drafts(session: Session, call_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Programme.id, Programme.reference, Programme.title, ProgrammePartner.organisation_id)
        .join(ProgrammePartner, ProgrammePartner.programme_id == Programme.id)
        .where(Programme.call_id == call_id, Programme.status.in_(DRAFTS))
        .order_by(Programme.reference, ProgrammePartner.position)
    ).all()
    drafts: dict[str, dict[str, Any]] = {}
    for row in rows:
        draft = drafts.setdefault(
            row.id,
            {
                "programme_id": row.id,
                "reference": row.reference,
                "title": row.title,
                "organisation_ids": [],
            },
        )
        draft["organisation_ids"].append(row.organisation_id)
    return list(drafts.values())


def remind_reviewer(session: Session, assignment_id: str, now: datetime) -> int:
    """Remind the reviewer of a review not yet submitted and soon due; 1 when reminded."""
    assignment = session.get(ReviewAssignment, assignment_id)
    if assignment is None or not review_rules.reminder_due(
        assignment.status, assignment.due_at, now
    ):
        return 0
    matched = changed_rows(
        session.execute(
            update(ReviewAssignment)
            .where(ReviewAssignment.id == assignment_id, ReviewAssignment.reminded_at.is_(None))
            .values(reminded_at=now)
        )
    )
    if matched != 1:
        return 0
    session.refresh(assignment)
    emit(session, EventType.REVIEW_REMINDER, event_data(assignment, session))
    return 1
