"""Snapshots of aggregates and writing their events to the outbox, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.orm import Session

from programmes.services import screening_view
from programmes.store.models import (
    Application,
    Organisation,
    Programme,
    outbox,
)
from setu_contract.events import EventType, build_event
from setu_contract.observability import get_correlation_id, new_correlation_id
from setu_contract.outbox import append

PRODUCER = "programmes"


def emit(
    session: Session,
    event_type: EventType,
    data: dict[str, Any],
    along: tuple[Table, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Build (and validate) the event and append it to the outbox, with the row ``along`` if
    given (setu_contract.outbox.append); commit is the caller's."""
    envelope = build_event(
        event_type,
        data,
        producer=PRODUCER,
        correlation_id=get_correlation_id() or new_correlation_id(),
    )
    append(session, outbox, envelope, along)
    return envelope


def _iso(value: Any) -> str:
    return value.isoformat()


def organisation_snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "country": org.country,
        "kind": org.kind,
        "contact_email": org.contact_email,
        "preferred_language": org.preferred_language,
        "version": org.version,
        "created_at": _iso(org.created_at),
        "updated_at": _iso(org.updated_at),
    }


def programme_snapshot(
    programme: Programme | Row,
    partners: list[dict[str, str]] | None = None,
    budget: list[dict[str, str]] | None = None,
    approvals: list[str] | None = None,
) -> dict[str, Any]:
    """The programme as the API shows it and its events carry it.

    ``programme`` is a Programme, or (for reads done without the ORM) a row of the programmes
    table given with its partners, budget lines and approvals already in this shape.
    """
    return {
        "id": programme.id,
        "reference": programme.reference,
        "title": programme.title,
        "summary": programme.summary,
        "focus_area": programme.focus_area,
        "partners": [
            {
                "organisation_id": p.organisation_id,
                "role": p.role,
                "country": p.organisation.country,
                "name": p.organisation.name,
                "participation": p.participation,
            }
            for p in programme.partners
        ]
        if partners is None
        else partners,
        "start_date": _iso(programme.start_date),
        "end_date": _iso(programme.end_date),
        "budget": [
            {"organisation_id": b.organisation_id, "currency": b.currency, "amount": b.amount}
            for b in programme.budget
        ]
        if budget is None
        else budget,
        "exchange_slots": programme.exchange_slots,
        "exchange_slots_by_direction": programme.exchange_slots_by_direction,
        "status": programme.status,
        "approvals": [a.side for a in programme.approvals] if approvals is None else approvals,
        "created_by_organisation_id": programme.created_by_organisation_id,
        "call_id": programme.call_id,
        **screening_view.programme_fields(programme),
        "version": programme.version,
        "created_at": _iso(programme.created_at),
        "updated_at": _iso(programme.updated_at),
    }


def application_snapshot(
    application: Application, programme_reference: str | None = None
) -> dict[str, Any]:
    """The application as the API shows it and its events carry it; ``programme_reference``
    is given for an application whose programme is not loaded (one just written)."""
    erased = application.personal_data_erased_at is not None
    applicant = None
    if not erased:
        applicant = {
            "full_name": application.applicant_full_name,
            "email": application.applicant_email,
            "nationality": application.applicant_nationality,
            "preferred_language": application.applicant_language,
        }
    return {
        "id": application.id,
        "reference": application.reference,
        "programme_id": application.programme_id,
        "programme_reference": programme_reference or application.programme.reference,
        "applicant": applicant,
        "career_stage": application.career_stage,
        "home_organisation_id": application.home_organisation_id,
        "host_organisation_id": application.host_organisation_id,
        "direction": application.direction,
        "start_date": _iso(application.start_date),
        "end_date": _iso(application.end_date),
        "statement": application.statement,
        "status": application.status,
        "personal_data_erased": erased,
        "version": application.version,
        "created_at": _iso(application.created_at),
        "updated_at": _iso(application.updated_at),
    }
