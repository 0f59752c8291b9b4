"""A person's account erased, as an applicant's is: the person kept as an anonymous row
(id, organisation, role, dates), its name and address gone from the row, from every
``actor`` that names it (history, approvals, participation answers, erasures), from every
event of the event log that names it, and from stored answers. ``person.deactivated`` then
tells every consumer to erase its copies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast, delete, select, update
from sqlalchemy.orm import Session

from programmes.services.actors import actor
from programmes.services.events import emit
from programmes.store.call_models import ReviewAssignment
from programmes.store.mobility_models import MobilityItem
from programmes.store.models import (
    Application,
    ApplicationTransition,
    Person,
    ProgrammeApproval,
    ProgrammePartner,
    ProgrammeTransition,
    SignInLink,
    idempotency_records,
    outbox,
    reclaims_due,
)
from programmes.store.screening_models import Screening
from setu_contract import reclaims
from setu_contract.events import EventType
from setu_contract.http import Principal
from setu_contract.personal_data import without_person

ERASED_TABLES = (
    "people",
    "sign_in_links",
    "person_sessions",
    "programme_transitions",
    "application_transitions",
    "programme_approvals",
    "programme_partners",
    "applications",
    "outbox",
    "idempotency_records",
    "review_assignments",
    "mobility_items",
    "screenings",
)
# The columns that record an actor, by the model that has them.
_ACTOR_COLUMNS = (
    (ProgrammeTransition, "actor"),
    (ApplicationTransition, "actor"),
    (ProgrammeApproval, "actor"),
    (ProgrammePartner, "answered_by"),
    (Application, "personal_data_erased_by"),
    (ReviewAssignment, "assigned_by"),
    (MobilityItem, "set_by"),
    (Screening, "recorded_by"),
)


def erase_person(session: Session, principal: Principal, person: Person) -> None:
    """In the caller's transaction: the person inactive and anonymous everywhere here."""
    now = datetime.now(UTC)
    person_id = person.id
    for name in ("name", "email", "email_key", "totp_secret", "recovery_codes"):
        setattr(person, name, None)
    person.active = False
    person.deactivated_at = person.updated_at = now
    person.version += 1
    session.flush()
    session.execute(delete(SignInLink).where(SignInLink.person_id == person_id))
    for model, column in _ACTOR_COLUMNS:
        attribute = getattr(model, column)
        for row in session.scalars(
            select(model).where(cast(attribute, String).contains(person_id))
        ):
            setattr(row, column, without_person(getattr(row, column), person_id))
    _forget_in_json(session, outbox, outbox.c.position, outbox.c.payload, person_id)
    answers = idempotency_records
    _forget_in_json(session, answers, answers.c.id, answers.c.response, person_id)
    # A person who deactivates itself is not named by its own erasure.
    who = without_person(actor(principal), person_id)
    emit(
        session,
        EventType.PERSON_DEACTIVATED,
        {
            "id": person_id,
            "organisation_id": person.organisation_id,
            "version": person.version,
            "erased_at": now.isoformat(),
            "actor": who,
        },
    )
    reclaims.record(session, reclaims_due, ERASED_TABLES)


def _forget_in_json(session: Session, table: Any, key: Any, column: Any, person_id: str) -> None:
    rows = session.execute(select(key, column).where(cast(column, String).contains(person_id)))
    for position, value in rows.all():
        erased = without_person(value, person_id)
        if erased is not value:
            session.execute(update(table).where(key == position).values({column.name: erased}))
