"""Personal-data erasure: an applicant forgotten for good in everything this service keeps.

The application keeps its anonymous facts (direction, career stage, dates, statuses) and
records who erased it and when. Its personal data goes from the row, from the comments of
its transitions, from every event of it in the event log (GET /v1/events shows them with the
personal fields emptied, and the relay publishes them so) and from the stored answer to the
POST that filed it. ``application.personal_data_erased`` then tells every consumer, and the
home and host organisations' webhooks, to erase their copies. Each step takes the id of what
it erases, so that a person's account can be erased with the same steps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from programmes.services.access import require_secretariat
from programmes.services.actors import actor
from programmes.services.applications import APPLICANT_COLUMNS, bump, get_application
from programmes.services.events import emit
from programmes.store.models import (
    Application,
    ApplicationTransition,
    idempotency_records,
    outbox,
    reclaims_due,
)
from setu_contract import reclaims
from setu_contract.events import EventType
from setu_contract.http import Principal
from setu_contract.personal_data import erased_data, without_personal_data

# The tables an erasure rewrites, whose freed space is reclaimed after it.
ERASED_TABLES = ("applications", "application_transitions", "outbox", "idempotency_records")
# The stored answers that may hold an application: those to the POST that files one.
FILING = "POST /v1/applications"


def erase_personal_data(session: Session, principal: Principal, application_id: str) -> bool:
    """Erase the application's personal data everywhere in this service's database, in the
    caller's transaction; False when it was erased already (nothing to do)."""
    application = get_application(session, principal, application_id, lock=True)
    require_secretariat(principal)
    if application.personal_data_erased_at is not None:
        return False
    for column in (*APPLICANT_COLUMNS.values(), "statement"):
        setattr(application, column, None)
    application.personal_data_erased_at = datetime.now(UTC)
    application.personal_data_erased_by_organisation_id = principal.organisation_id
    application.personal_data_erased_by_key_id = principal.key_id
    application.personal_data_erased_by = actor(principal)
    bump(application)
    session.flush()
    forget_comments(session, application.id)
    forget_in_event_log(session, "application", application.id)
    forget_in_answers(session, FILING, application.id)
    emit(session, EventType.APPLICATION_PERSONAL_DATA_ERASED, _erasure_data(application))
    reclaims.record(session, reclaims_due, ERASED_TABLES)
    return True


def _erasure_data(application: Application) -> dict[str, Any]:
    erased_at = application.personal_data_erased_at
    return {
        "id": application.id,
        "version": application.version,
        "reference": application.reference,
        "home_organisation_id": application.home_organisation_id,
        "host_organisation_id": application.host_organisation_id,
        "erased_at": erased_at.isoformat() if erased_at else None,
        "actor_organisation_id": application.personal_data_erased_by_organisation_id,
        "actor": application.personal_data_erased_by,
    }


def forget_comments(session: Session, application_id: str) -> None:
    """The comments written on the application's transitions (they may name the person)."""
    session.execute(
        update(ApplicationTransition)
        .where(
            ApplicationTransition.application_id == application_id,
            ApplicationTransition.comment.is_not(None),
        )
        .values(comment=None)
    )


def forget_in_event_log(session: Session, aggregate_type: str, aggregate_id: str) -> None:
    """Every event of the aggregate written so far, with its personal fields emptied."""
    rows = session.execute(
        select(outbox.c.position, outbox.c.payload).where(
            outbox.c.aggregate_type == aggregate_type, outbox.c.aggregate_id == aggregate_id
        )
    ).all()
    for position, payload in rows:
        erased = without_personal_data(payload)
        if erased is not payload:
            session.execute(
                update(outbox).where(outbox.c.position == position).values(payload=erased)
            )


def forget_in_answers(session: Session, method_path: str, resource_id: str) -> None:
    """The stored answer to the creating POST of the resource (an Idempotency-Key replays it)."""
    answers = idempotency_records
    records = session.execute(
        select(answers.c.id, answers.c.response).where(
            answers.c.method_path == method_path,
            answers.c.response["id"].as_string() == resource_id,
        )
    )
    for record_id, response in records.all():
        session.execute(
            update(answers).where(answers.c.id == record_id).values(response=erased_data(response))
        )


def reclaim_after_erasure(engine: Engine) -> None:
    """Once the erasure has committed: no old copy of what it rewrote in the database's free
    space (SQLite's pages and write-ahead log, PostgreSQL's dead row versions); if that must
    wait longer, the calls' clock reclaims it (setu_contract.reclaims)."""
    reclaims.reclaim_due(engine, reclaims_due)
