"""Apply events to the read model: each event once, never an older snapshot over a newer one.

A redelivered event finds its id in ``processed_events``. A snapshot whose aggregate
``version`` is not newer than the stored one changes nothing, except the milestone times of
a status change (first time approved, submitted, ...), which are facts of their own and are
kept as the earliest time seen, whatever the order of arrival.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reports.domain.money import to_minor
from reports.store.models import (
    Application,
    BudgetLine,
    Call,
    Organisation,
    ProcessedEvent,
    Programme,
    ProgrammePartner,
    Screening,
    SubmittedReview,
)
from setu_contract.database import changed_rows
from setu_contract.events import EventType

APPLIED, DUPLICATE, STALE = "applied", "duplicate", "stale"

APPLICATION_MILESTONES = {
    "submitted": "submitted_at",
    "endorsed": "endorsed_at",
    "accepted": "accepted_at",
    "rejected": "rejected_at",
    "withdrawn": "withdrawn_at",
}


def when(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def apply_event(session: Session, envelope: dict[str, Any]) -> str:
    """Apply one validated envelope inside the caller's transaction; say what happened."""
    seen = session.get(ProcessedEvent, envelope["id"])
    if seen is not None:
        return DUPLICATE
    handler = HANDLERS.get(EventType(envelope["type"]))
    outcome = handler(session, envelope["data"]) if handler else APPLIED
    session.add(ProcessedEvent(event_id=envelope["id"], type=envelope["type"], processed_at=_now()))
    session.flush()
    return outcome


def _now() -> datetime:
    return datetime.now(UTC)


_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _upsert(
    session: Session, model: type[Any], key: str, version: int, values: dict[str, Any]
) -> bool:
    """Write a snapshot if it is newer than the stored row; True when it was written.

    One statement, so that the version check and the write are one: two snapshots of one
    aggregate applied at once (two workers) cannot both find no row and both insert, the
    newer then failing on the key and waiting for a retry to land. On PostgreSQL the second
    waits for the first's row and then compares versions against it.
    """
    insert_for: Any = _UPSERTS[session.get_bind().dialect.name]  # the dialects' own Insert
    statement = insert_for(model).values(id=key, **values)
    statement = statement.on_conflict_do_update(
        index_elements=[model.id],
        set_={name: statement.excluded[name] for name in values},
        where=model.version < statement.excluded.version,
    ).returning(model.id)
    return session.execute(statement).first() is not None


def _organisation(session: Session, data: dict[str, Any]) -> str:
    values = {
        "name": data["name"],
        "country": data["country"],
        "kind": data["kind"],
        "contact_email": data.get("contact_email"),
        "version": data["version"],
    }
    return APPLIED if _upsert(session, Organisation, data["id"], data["version"], values) else STALE


def _programme(session: Session, data: dict[str, Any]) -> str:
    values = {
        "reference": data["reference"],
        "title": data["title"][:200],
        "focus_area": data["focus_area"],
        "status": data["status"],
        "start_date": date.fromisoformat(data["start_date"]),
        "end_date": date.fromisoformat(data["end_date"]),
        "exchange_slots": data["exchange_slots"],
        "version": data["version"],
        "created_at": when(data["created_at"]),
        "updated_at": when(data["updated_at"]),
        "call_id": data.get("call_id"),
    }
    written = _upsert(session, Programme, data["id"], data["version"], values)
    if written:
        _replace_children(session, data)
    if data.get("to") == "submitted":
        _earliest(session, Programme, data["id"], "submitted_at", when(data["updated_at"]))
    if data.get("to") == "approved":
        moment = when(data["updated_at"])
        _earliest(
            session,
            Programme,
            data["id"],
            "approved_at",
            moment,
            approved_month=moment.strftime("%Y-%m"),
        )
    return APPLIED if written else STALE


def _replace_children(session: Session, data: dict[str, Any]) -> None:
    programme_id = data["id"]
    session.execute(delete(ProgrammePartner).where(ProgrammePartner.programme_id == programme_id))
    session.execute(delete(BudgetLine).where(BudgetLine.programme_id == programme_id))
    partners = {p["organisation_id"]: p for p in data["partners"]}
    if partners:
        session.execute(
            insert(ProgrammePartner),
            [
                {
                    "programme_id": programme_id,
                    "organisation_id": p["organisation_id"],
                    "role": p["role"],
                    "country": p.get("country"),
                }
                for p in partners.values()
            ],
        )
    lines = [
        {
            "programme_id": programme_id,
            "organisation_id": line["organisation_id"],
            "currency": line["currency"],
            "amount_minor": to_minor(line["currency"], line["amount"]),
        }
        for line in data["budget"]
    ]
    if lines:
        session.execute(insert(BudgetLine), lines)


def _earliest(
    session: Session, model: type[Any], key: str, column: str, moment: datetime, **also: Any
) -> None:
    """Keep the earliest time a milestone was reached (events may arrive in any order)."""
    target = getattr(model, column)
    session.execute(
        update(model)
        .where(model.id == key, (target.is_(None)) | (target > moment))
        .values({column: moment, **also})
    )


def _application(session: Session, data: dict[str, Any]) -> str:
    start, end = date.fromisoformat(data["start_date"]), date.fromisoformat(data["end_date"])
    values = {
        "reference": data["reference"],
        "programme_id": data["programme_id"],
        "career_stage": data["career_stage"],
        "home_organisation_id": data["home_organisation_id"],
        "host_organisation_id": data["host_organisation_id"],
        "direction": data["direction"],
        "start_date": start,
        "end_date": end,
        "duration_days": (end - start).days,
        "status": data["status"],
        "version": data["version"],
        "created_at": when(data["created_at"]),
        "updated_at": when(data["updated_at"]),
    }
    written = _upsert(session, Application, data["id"], data["version"], values)
    column = APPLICATION_MILESTONES.get(data.get("to") or "")
    if column:
        _earliest(session, Application, data["id"], column, when(data["updated_at"]))
    return APPLIED if written else STALE


def _erased(session: Session, data: dict[str, Any]) -> str:
    # The read model holds no personal data: only the version moves on.
    result = session.execute(
        update(Application)
        .where(Application.id == data["id"], Application.version < data["version"])
        .values(version=data["version"])
    )
    return APPLIED if changed_rows(result) else STALE


def _call(session: Session, data: dict[str, Any]) -> str:
    envelope = data["budget_envelope"]
    values = {
        "title": data["title"][:200],
        "status": data["status"],
        "closes_at": when(data["closes_at"]),
        "envelope_jpy": to_minor("JPY", envelope.get("JPY") or "0"),
        "envelope_inr": to_minor("INR", envelope.get("INR") or "0"),
        "version": data["version"],
    }
    return APPLIED if _upsert(session, Call, data["id"], data["version"], values) else STALE


def _review_submitted(session: Session, data: dict[str, Any]) -> str:
    if session.get(SubmittedReview, data["id"]) is None:
        session.add(
            SubmittedReview(
                id=data["id"], call_id=data["call_id"], programme_id=data["programme_id"]
            )
        )
    return APPLIED


def _mobility(session: Session, data: dict[str, Any]) -> str:
    """An exchange's actual arrival and departure as its checklist now stands; an event
    older than the one applied last changes nothing."""
    moment = when(data["set_at"])
    result = session.execute(
        update(Application)
        .where(
            Application.id == data["id"],
            (Application.mobility_at.is_(None)) | (Application.mobility_at < moment),
        )
        .values(
            actual_arrival=_day(data.get("actual_arrival")),
            actual_departure=_day(data.get("actual_departure")),
            mobility_at=moment,
        )
    )
    return APPLIED if changed_rows(result) else STALE


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _screening(session: Session, data: dict[str, Any]) -> str:
    """A screening is written once and never changes (a newer one supersedes it)."""
    if session.get(Screening, data["id"]) is None:
        licence = data.get("licence") or {}
        session.add(
            Screening(
                id=data["id"],
                programme_id=data["programme_id"],
                application_id=data.get("application_id"),
                jurisdiction=data["jurisdiction"],
                outcome=data["outcome"],
                licence_number=licence.get("number"),
                licence_authority=licence.get("authority"),
                licence_valid_until=_day(licence.get("valid_until")),
                recorded_at=when(data["recorded_at"]),
            )
        )
    return APPLIED


HANDLERS: dict[EventType, Callable[[Session, dict[str, Any]], str]] = {
    EventType.ORGANISATION_REGISTERED: _organisation,
    EventType.ORGANISATION_UPDATED: _organisation,
    EventType.PROGRAMME_CREATED: _programme,
    EventType.PROGRAMME_UPDATED: _programme,
    EventType.PROGRAMME_STATUS_CHANGED: _programme,
    EventType.APPLICATION_CREATED: _application,
    EventType.APPLICATION_UPDATED: _application,
    EventType.APPLICATION_STATUS_CHANGED: _application,
    EventType.APPLICATION_PERSONAL_DATA_ERASED: _erased,
    EventType.CALL_CREATED: _call,
    EventType.CALL_UPDATED: _call,
    EventType.CALL_STATUS_CHANGED: _call,
    EventType.REVIEW_SUBMITTED: _review_submitted,
    EventType.MOBILITY_ITEM_UPDATED: _mobility,
    EventType.SCREENING_RECORDED: _screening,
}


def read_model_counts(session: Session) -> dict[str, int]:
    """How many rows each read-model table holds (for rebuild output and checks)."""
    return {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Organisation, Programme, Application)
    }
