"""Expert review: the secretariat assigns reviewers; a reviewer declares its conflicts of
interest before it can read anything of the proposal, then submits its scores once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from programmes.domain import reviews as rules
from programmes.domain.transitions import Relation, allowed_actions, plan
from programmes.services import programme_reads
from programmes.services import programmes as programme_service
from programmes.services.access import require_secretariat
from programmes.services.actors import actor
from programmes.services.calls import now
from programmes.services.events import emit
from programmes.store.call_models import Call, ReviewAssignment
from programmes.store.models import Person, Programme
from setu_contract.errors import Conflict, Forbidden, Invalid, NotFound
from setu_contract.events import EventType
from setu_contract.http import Principal


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def event_data(assignment: ReviewAssignment, session: Session) -> dict[str, Any]:
    """The assignment as its events carry it, with the reviewer to write to."""
    programme = session.get(Programme, assignment.programme_id)
    call = session.get(Call, assignment.call_id)
    person = session.get(Person, assignment.reviewer_person_id)
    assert programme is not None and call is not None and person is not None
    return {
        "id": assignment.id,
        "programme_id": programme.id,
        "programme_reference": programme.reference,
        "programme_title": programme.title,
        "call_id": call.id,
        "call_title": call.title,
        "status": assignment.status,
        "due_at": assignment.due_at.isoformat(),
        "submitted_at": _iso(assignment.submitted_at),
        "reviewer": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "language": person.language,
            "time_zone": person.time_zone,
        },
        "version": assignment.version,
    }


def _relations(assignment: ReviewAssignment, principal: Principal) -> set[Relation]:
    if principal.person_id and principal.person_id == assignment.reviewer_person_id:
        return {Relation.REVIEWER}
    return {Relation.SECRETARIAT} if principal.is_secretariat else set()


def view(assignment: ReviewAssignment, session: Session, principal: Principal) -> dict[str, Any]:
    """The assignment as ``principal`` (its reviewer, the secretariat or an auditor) reads it."""
    programme = session.get(Programme, assignment.programme_id)
    call = session.get(Call, assignment.call_id)
    person = session.get(Person, assignment.reviewer_person_id)
    assert programme is not None and call is not None and person is not None
    return {
        "id": assignment.id,
        "programme_id": programme.id,
        "programme_reference": programme.reference,
        "programme_title": programme.title,
        "call_id": call.id,
        "call_title": call.title,
        "criteria": call.review["criteria"],
        "status": assignment.status,
        "due_at": assignment.due_at.isoformat(),
        "reviewer": {
            "id": person.id,
            "name": person.name,
            "organisation_id": person.organisation_id,
        },
        "declaration": assignment.declaration,
        "conflict_reason": assignment.conflict_reason,
        "declared_at": _iso(assignment.declared_at),
        "scores": assignment.scores,
        "weighted_score": rules.shown_score(assignment.weighted_score),
        "submitted_at": _iso(assignment.submitted_at),
        "allowed_actions": allowed_actions(
            rules.REVIEW_TRANSITIONS, assignment.status, _relations(assignment, principal)
        ),
        "version": assignment.version,
        "created_at": assignment.created_at.isoformat(),
    }


def assign(
    session: Session, principal: Principal, programme_id: str, person_id: str
) -> ReviewAssignment:
    """The secretariat assigns a reviewer of an expert panel to a proposal under review."""
    require_secretariat(principal)
    programme = programme_service.get_programme(session, principal, programme_id, lock=True)
    if programme.call_id is None:
        raise Conflict("the programme answers no call: it is not reviewed by experts")
    if programme.status != "under_review":
        raise Conflict(
            f"reviewers are assigned once review has started, not while {programme.status}",
            {"status": programme.status},
        )
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise Invalid("no such person", {"reviewer_person_id": [f"no active person {person_id}"]})
    if person.organisation_id in {p.organisation_id for p in programme.partners}:
        raise Conflict(
            "a person of a partner organisation of the programme cannot review it",
            {"reviewer_person_id": person_id},
        )
    if person.role != "reviewer":
        raise Invalid(
            "only reviewers of an expert panel review proposals",
            {"reviewer_person_id": [f"the person is a {person.role}, not a reviewer"]},
        )
    call = session.get(Call, programme.call_id)
    assert call is not None
    assigned = list(
        session.scalars(
            select(ReviewAssignment).where(ReviewAssignment.programme_id == programme.id)
        )
    )
    if any(a.reviewer_person_id == person_id for a in assigned):
        raise Conflict("the reviewer is already assigned to this programme")
    live = [a for a in assigned if a.status in rules.LIVE]
    wanted = call.review["reviewers_per_proposal"]
    if len(live) >= wanted:
        raise Conflict(f"the call asks for {wanted} reviewers per proposal; it has them")
    moment = now()
    assignment = ReviewAssignment(
        programme_id=programme.id,
        call_id=call.id,
        reviewer_person_id=person.id,
        reviewer_organisation_id=person.organisation_id,
        status="declaration_due",
        due_at=moment + timedelta(days=call.review["due_days"]),
        assigned_by=actor(principal),
        created_at=moment,
        updated_at=moment,
    )
    session.add(assignment)
    session.flush()
    emit(session, EventType.REVIEW_ASSIGNED, event_data(assignment, session))
    return assignment


def get_assignment(
    session: Session, principal: Principal, assignment_id: str, lock: bool = False
) -> ReviewAssignment:
    """The assignment, for its reviewer, the secretariat and auditors; 404 for anyone else."""
    query = select(ReviewAssignment).where(ReviewAssignment.id == assignment_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    assignment = session.scalars(query).first()
    mine = assignment is not None and principal.person_id == assignment.reviewer_person_id
    if assignment is None or not (mine or principal.can_read_everything):
        raise NotFound(f"no review {assignment_id}")
    return assignment


def list_assignments(
    session: Session, principal: Principal, filters: dict[str, Any], page: int, size: int
) -> tuple[list[ReviewAssignment], int]:
    """A reviewer's own assignments (its work); every one for the secretariat and auditors."""
    if principal.role == "reviewer":
        conditions = [ReviewAssignment.reviewer_person_id == principal.person_id]
    elif principal.can_read_everything:
        conditions = []
    else:
        raise Forbidden("only reviewers, the secretariat and auditors list reviews")
    for name in ("status", "call_id", "programme_id"):
        if filters.get(name):
            conditions.append(getattr(ReviewAssignment, name) == filters[name])
    total = session.scalar(select(func.count()).select_from(ReviewAssignment).where(*conditions))
    items = session.scalars(
        select(ReviewAssignment)
        .where(*conditions)
        .order_by(ReviewAssignment.due_at, ReviewAssignment.id)
        .offset((page - 1) * size)
        .limit(size)
    )
    return list(items), total or 0


def declare(
    session: Session, principal: Principal, assignment_id: str, declaration: str, reason: str | None
) -> ReviewAssignment:
    """The reviewer declares no conflict of interest (the proposal becomes readable) or a
    conflict with its reason (the assignment ends; the secretariat is told)."""
    assignment = get_assignment(session, principal, assignment_id, lock=True)
    action = "declare_none" if declaration == "none" else "declare_conflict"
    row = plan(
        rules.REVIEW_TRANSITIONS, assignment.status, action, _relations(assignment, principal)
    )
    if declaration == "conflict" and not (reason or "").strip():
        raise Invalid("a conflict needs its reason", {"reason": ["required for a conflict"]})
    moment = now()
    assignment.status = row.target
    assignment.declaration = declaration
    assignment.conflict_reason = reason if declaration == "conflict" else None
    assignment.declared_at = moment
    assignment.version += 1
    assignment.updated_at = moment
    session.flush()
    data = event_data(assignment, session)
    if declaration == "conflict":
        emit(session, EventType.CONFLICT_DECLARED, {**data, "reason": reason})
    else:
        emit(session, EventType.REVIEW_DECLARED, data)
    return assignment


def submit(
    session: Session, principal: Principal, assignment_id: str, scores: dict[str, Any]
) -> ReviewAssignment:
    """The reviewer submits its scores, once: the row is locked, so of two submissions of one
    review the second finds it submitted (409)."""
    assignment = get_assignment(session, principal, assignment_id, lock=True)
    row = plan(
        rules.REVIEW_TRANSITIONS, assignment.status, "submit", _relations(assignment, principal)
    )
    call = session.get(Call, assignment.call_id)
    assert call is not None
    criteria = call.review["criteria"]
    errors = rules.check_scores(criteria, scores)
    if errors:
        raise Invalid("the review does not score the call's criteria", errors)
    moment = now()
    assignment.status = row.target
    assignment.scores = {key: dict(value) for key, value in scores.items()}
    assignment.weighted_score = rules.shown_score(rules.weighted_score(criteria, scores))
    assignment.submitted_at = moment
    assignment.version += 1
    assignment.updated_at = moment
    session.flush()
    emit(session, EventType.REVIEW_SUBMITTED, event_data(assignment, session))
    return assignment


def proposal(session: Session, principal: Principal, assignment_id: str) -> dict[str, Any]:
    """The proposal, for its reviewer once it has declared no conflict; 404 until then."""
    assignment = get_assignment(session, principal, assignment_id)
    if principal.person_id != assignment.reviewer_person_id:
        raise NotFound(f"no proposal for review {assignment_id}")
    if assignment.status not in rules.PROPOSAL_READABLE:
        raise NotFound(
            f"no proposal for review {assignment_id}: declare your conflicts of interest first"
        )
    snapshot = programme_reads.read_programme(session, _reader(), assignment.programme_id)
    return snapshot


def _reader() -> Principal:
    """Who reads a proposal for its declared reviewer (the reviewer's right is checked)."""
    return Principal("", "auditor", "")


def programme_reviews(
    session: Session, principal: Principal, programme_id: str
) -> list[dict[str, Any]]:
    """A programme's reviews: every one, named, for the secretariat and auditors; its
    partners read the submitted ones without their reviewers."""
    if principal.role == "reviewer":
        raise NotFound(f"no programme {programme_id}")
    programme_service.get_programme(session, principal, programme_id)
    found = list(
        session.scalars(
            select(ReviewAssignment)
            .where(ReviewAssignment.programme_id == programme_id)
            .order_by(ReviewAssignment.created_at, ReviewAssignment.id)
        )
    )
    if principal.can_read_everything:
        return [view(a, session, principal) for a in found]
    return [
        {
            "id": f"review-{n}",
            "status": a.status,
            "scores": a.scores,
            "weighted_score": rules.shown_score(a.weighted_score),
            "submitted_at": _iso(a.submitted_at),
        }
        for n, a in enumerate((a for a in found if a.status == "submitted"), start=1)
    ]
