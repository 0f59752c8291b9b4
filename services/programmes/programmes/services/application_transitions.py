"""Moving an application through its table, with the capacity rule of ``accept``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from programmes.domain import applications as rules
from programmes.domain.errors import Conflict, Invalid
from programmes.domain.transitions import APPLICATION_TRANSITIONS, plan
from programmes.services import screenings
from programmes.services.access import require_writer
from programmes.services.actors import actor
from programmes.services.applications import get_application, relations
from programmes.services.events import application_snapshot, emit
from programmes.store.models import Application, ApplicationTransition, Programme
from setu_contract.events import EventType
from setu_contract.http import Principal


def _lock_programme(session: Session, programme_id: str) -> Programme:
    """The programme row, locked until commit (PostgreSQL: SELECT ... FOR UPDATE).

    Every application transition takes this lock first, so two ``accept``s of the same
    programme run one after the other and the second one sees the first one's count.
    On SQLite every write transaction holds the database's one write lock from its first
    statement (``setu_contract.database``), which gives the same guarantee.
    """
    query = (
        select(Programme)
        .where(Programme.id == programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()


def _check_capacity(session: Session, programme: Programme) -> None:
    accepted = session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.programme_id == programme.id, Application.status == "accepted")
    )
    if (accepted or 0) >= programme.exchange_slots:
        raise Conflict(
            f"the programme's {programme.exchange_slots} exchange slots are all taken",
            {"exchange_slots": programme.exchange_slots, "accepted": accepted or 0},
        )


def _check_submission(programme: Programme, application: Application) -> None:
    if programme.status not in rules.OPEN_PROGRAMME_STATUSES:
        raise Conflict(
            f"the programme is {programme.status}: applications are submitted only to "
            "approved or active programmes",
            {"programme_status": programme.status},
        )
    problems = rules.submission_errors(application.start_date, datetime.now(UTC).date())
    if problems:
        raise Invalid("the application cannot be submitted yet", problems)


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
    programme = _lock_programme(session, application.programme_id)
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
    if action == "submit":
        _check_submission(programme, application)
    if action == "accept":
        _check_capacity(session, programme)
        screenings.check_accept(session, programme, application)
    source = application.status
    application.status = row.target
    application.version += 1
    application.updated_at = datetime.now(UTC)
    session.add(
        ApplicationTransition(
            application_id=application.id,
            action=action,
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
        "action": action,
        "comment": comment,
        "actor_organisation_id": principal.organisation_id,
        "actor": actor(principal),
    }
    emit(session, EventType.APPLICATION_STATUS_CHANGED, data)
    return application
