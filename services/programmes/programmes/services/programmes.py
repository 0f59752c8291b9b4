"""Joint research programmes: create, edit, read for a change (``get_programme``), history,
and a partner's answer. Reads as the API shows them are ``programme_reads``; transitions,
``programme_transitions``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from programmes.domain import programmes as rules
from programmes.domain import slots as slot_rules
from programmes.domain.transitions import PROGRAMME_EDITABLE, Relation, not_now
from programmes.domain.versioning import check_if_match
from programmes.services import calls, participation, programme_actions
from programmes.services.access import require_writer
from programmes.services.actors import history_entries
from programmes.services.events import emit, programme_snapshot
from programmes.services.references import next_number
from programmes.store.models import (
    BudgetLine,
    Organisation,
    Programme,
    ProgrammePartner,
    ProgrammeTransition,
)
from setu_contract.errors import Forbidden, Invalid, NotFound
from setu_contract.events import EventType
from setu_contract.http import Principal


def next_reference(session: Session, year: int) -> str:
    return rules.reference(year, next_number(session, f"JIP-{year}"))


def _countries(session: Session, ids: list[str]) -> dict[str, str]:
    rows = session.execute(
        select(Organisation.id, Organisation.country).where(Organisation.id.in_(set(ids)))
    )
    return {row.id: row.country for row in rows}


def _validate(session: Session, fields: dict[str, Any], creator_id: str | None) -> None:
    ids = [p["organisation_id"] for p in fields["partners"]]
    errors = rules.validate_programme(fields, creator_id, _countries(session, ids))
    errors.update(
        slot_rules.split_errors(
            fields.get("exchange_slots", 0), fields.get("exchange_slots_by_direction")
        )
    )
    if errors:
        raise Invalid("the programme breaks field rules", errors)


def _apply_fields(programme: Programme, fields: dict[str, Any]) -> None:
    for name in (
        "title",
        "summary",
        "focus_area",
        "start_date",
        "end_date",
        "exchange_slots",
        "exchange_slots_by_direction",
        "call_id",
        "technology_transfer",
    ):
        if name in fields:
            setattr(programme, name, fields[name])
    if "partners" in fields:
        answers = participation.answers_carried(programme, fields["partners"])
        programme.partners = [
            ProgrammePartner(
                organisation_id=p["organisation_id"],
                role=p["role"],
                position=i,
                programme_created_at=programme.created_at,
                **answer,
            )
            for i, (p, answer) in enumerate(zip(fields["partners"], answers, strict=True))
        ]
    if "budget" in fields:
        programme.budget = [
            BudgetLine(
                organisation_id=b["organisation_id"],
                currency=b["currency"],
                amount=rules.format_amount(b["currency"], b["amount"]),
                position=i,
            )
            for i, b in enumerate(fields["budget"])
        ]


def create_programme(session: Session, principal: Principal, fields: dict[str, Any]) -> Programme:
    require_writer(principal)
    fields = {"summary": "", "budget": [], "exchange_slots": 0, **fields}
    _validate(session, fields, principal.organisation_id)
    if fields.get("call_id"):
        calls.answerable(session, fields["call_id"])
    programme = Programme(
        status="draft",
        created_by_organisation_id=principal.organisation_id,
        created_at=datetime.now(UTC),  # now, not at the flush: its partners' rows keep it
    )
    _apply_fields(programme, fields)
    # Last, so that the counter row stays locked only for the inserts and the commit.
    programme.reference = next_reference(session, datetime.now(UTC).year)
    session.add(programme)
    session.flush()
    session.refresh(programme)
    emit(session, EventType.PROGRAMME_CREATED, programme_snapshot(programme))
    return programme


def update_programme(
    session: Session,
    principal: Principal,
    programme_id: str,
    changes: dict[str, Any],
    if_match: str | None = None,
) -> Programme:
    """Partners edit while draft or changes_requested; the whole programme is re-checked."""
    require_writer(principal)
    programme = get_programme(session, principal, programme_id, lock=True)
    check_if_match(if_match, programme.id, programme.version)
    before = programme_snapshot(programme)
    if Relation.PARTNER not in programme_actions.relations(before["partners"], principal):
        raise Forbidden("only a partner of the programme that has confirmed it may edit it")
    if programme.status not in PROGRAMME_EDITABLE:
        raise not_now(
            f"a programme cannot be edited while {programme.status}",
            programme.status,
            programme_actions.allowed(before, principal),
            editable_in=sorted(PROGRAMME_EDITABLE),
        )
    merged = {**_editable_fields(programme), **changes}
    _validate(session, merged, principal.organisation_id)
    if changes.get("call_id") and changes["call_id"] != programme.call_id:
        calls.answerable(session, changes["call_id"])
    _apply_fields(programme, changes)
    programme.version += 1
    programme.updated_at = datetime.now(UTC)
    session.flush()
    emit(session, EventType.PROGRAMME_UPDATED, programme_snapshot(programme))
    return programme


def _editable_fields(programme: Programme) -> dict[str, Any]:
    snapshot = programme_snapshot(programme)
    return {
        "start_date": programme.start_date,
        "end_date": programme.end_date,
        "exchange_slots": programme.exchange_slots,
        "exchange_slots_by_direction": programme.exchange_slots_by_direction,
        "partners": snapshot["partners"],
        "budget": [{**line, "amount": Decimal(line["amount"])} for line in snapshot["budget"]],
    }


def history(session: Session, principal: Principal, programme_id: str) -> list[dict[str, Any]]:
    get_programme(session, principal, programme_id)
    rows = session.scalars(
        select(ProgrammeTransition)
        .where(ProgrammeTransition.programme_id == programme_id)
        .order_by(ProgrammeTransition.id)
    )
    return history_entries(session, list(rows))


def get_programme(
    session: Session, principal: Principal, programme_id: str, lock: bool = False
) -> Programme:
    """The programme, or 404 when it does not exist or the caller takes no part in it.

    ``lock``: the programme's row is locked until commit, and its parts are read after the
    lock is held. Read in the locking statement, they could be older than the lock: a
    statement that waits for a row lock re-reads that row only (PostgreSQL), and its joined
    approvals would miss the ones the lock's previous holder added.
    """
    # One query for the programme and its parts (the relationships' defaults take one each).
    query = (
        select(Programme)
        .where(Programme.id == programme_id)
        .options(
            joinedload(Programme.partners),
            joinedload(Programme.budget),
            joinedload(Programme.approvals),
        )
    )
    if lock:
        session.execute(select(Programme.id).where(Programme.id == programme_id).with_for_update())
        query = query.execution_options(populate_existing=True)
    programme = session.scalars(query).unique().first()
    if programme is None or not programme_actions.may_read(
        principal, (p.organisation_id for p in programme.partners)
    ):
        raise NotFound(f"no programme {programme_id}")
    return programme


def answer_participation(
    session: Session, principal: Principal, programme_id: str, decision: str
) -> Programme:
    """The caller's organisation confirms or declines its part in the programme."""
    programme = get_programme(session, principal, programme_id, lock=True)
    return participation.answer(session, principal, programme, decision)
