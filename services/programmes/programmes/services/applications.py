"""Talent-exchange applications: file, read, edit, list, history (transitions and erasure
have modules of their own)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select
from sqlalchemy.orm import Session

from programmes.domain import applications as rules
from programmes.domain.transitions import (
    APPLICATION_TRANSITIONS,
    Relation,
    allowed_actions,
    not_now,
)
from programmes.domain.versioning import check_if_match
from programmes.services import action_filters
from programmes.services.access import require_writer
from programmes.services.actors import history_entries
from programmes.services.events import application_snapshot, emit
from programmes.services.references import next_number
from programmes.store.models import (
    Application,
    ApplicationTransition,
    Organisation,
    Programme,
    ProgrammePartner,
    new_id,
)
from setu_contract.errors import Conflict, Forbidden, Invalid, NotFound
from setu_contract.events import EventType
from setu_contract.http import Principal
from setu_contract.paging import total_if_last

APPLICANT_COLUMNS = {
    "full_name": "applicant_full_name",
    "email": "applicant_email",
    "nationality": "applicant_nationality",
    "preferred_language": "applicant_language",
}


# One row per partner of the programme: its reference, the partner and the partner's country.
_PARTNERS_OF = (
    select(Programme.reference, ProgrammePartner.organisation_id, Organisation.country)
    .join(Programme.partners)
    .join(ProgrammePartner.organisation)
    .where(Programme.id == bindparam("programme_id"))
)


def _check(session: Session, fields: dict[str, Any], home_id: str) -> tuple[str, str]:
    """The programme's reference and the direction; or 422, naming each field in breach."""
    programme_id = fields["programme_id"]
    rows = session.connection().execute(_PARTNERS_OF, {"programme_id": programme_id}).all()
    countries = {row.organisation_id: row.country for row in rows}
    if home_id not in countries:
        raise Invalid(
            "no such programme of yours", {"programme_id": ["not a programme you take part in"]}
        )
    home_country = countries[home_id]
    host_id = fields["host_organisation_id"]
    errors = {
        **rules.duration_errors(fields["start_date"], fields["end_date"]),
        **rules.host_errors(home_country, countries.get(host_id), host_id in countries),
    }
    if errors:
        raise Invalid("the application breaks field rules", errors)
    return rows[0].reference, rules.direction(home_country)


def _apply(application: Application, fields: dict[str, Any]) -> None:
    for name in ("career_stage", "host_organisation_id", "start_date", "end_date", "statement"):
        if name in fields:
            setattr(application, name, fields[name])
    for name, column in APPLICANT_COLUMNS.items():
        if name in fields.get("applicant", {}):
            setattr(application, column, fields["applicant"][name])


# Every column of applications, read off the model by name (each attribute is its column's).
_TABLE = cast(Table, Application.__table__)
_COLUMNS = tuple(column.key for column in _TABLE.columns)


def create_application(
    session: Session, principal: Principal, fields: dict[str, Any]
) -> dict[str, Any]:
    """A draft filed by a partner of the programme for its own organisation (the home); its
    snapshot.

    The row is written by the statement that appends its event to the outbox (one round trip
    on PostgreSQL, ``setu_contract.outbox.append``), not through the session's unit of work
    (its flush was about a tenth of a POST's CPU): nothing in the request reads the row back.
    The ``Application`` built here is never added to the session; the snapshot is read off it.
    """
    require_writer(principal)
    if principal.is_secretariat:
        raise Forbidden("applications are filed by partner organisations")
    home_id = fields.pop("home_organisation_id", None) or principal.organisation_id
    if home_id != principal.organisation_id:
        raise Invalid("you file for your own organisation", {"home_organisation_id": ["not yours"]})
    programme_reference, direction = _check(session, fields, home_id)
    now = datetime.now(UTC)
    application = Application(
        id=new_id(),
        programme_id=fields["programme_id"],
        home_organisation_id=home_id,
        direction=direction,
        status="draft",
        version=1,
        personal_data_erased_at=None,
        personal_data_erased_by_organisation_id=None,
        personal_data_erased_by_key_id=None,
        created_at=now,
        updated_at=now,
    )
    _apply(application, fields)
    # Last, so that the counter row (SQLite) stays locked only for the inserts and the commit.
    application.reference = rules.reference(now.year, next_number(session, f"TEX-{now.year}"))
    row = {name: getattr(application, name) for name in _COLUMNS}
    snapshot = application_snapshot(application, programme_reference)
    emit(session, EventType.APPLICATION_CREATED, snapshot, along=(_TABLE, row))
    return snapshot


def _relations(home_id: str, host_id: str, principal: Principal) -> set[Relation]:
    found: set[Relation] = set()
    if principal.is_secretariat:
        found.add(Relation.SECRETARIAT)
    if principal.organisation_id == home_id:
        found.add(Relation.HOME)
    if principal.organisation_id == host_id:
        found.add(Relation.HOST)
    return found


def relations(application: Application, principal: Principal) -> set[Relation]:
    """What the caller is to the application."""
    return _relations(application.home_organisation_id, application.host_organisation_id, principal)


def view(snapshot: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """The application as this caller is answered: the snapshot and ``allowed_actions``, what
    its status and the caller's part allow."""
    relations = _relations(
        snapshot["home_organisation_id"], snapshot["host_organisation_id"], principal
    )
    actions = allowed_actions(APPLICATION_TRANSITIONS, snapshot["status"], relations)
    return {**snapshot, "allowed_actions": actions}


def get_application(
    session: Session, principal: Principal, application_id: str, lock: bool = False
) -> Application:
    """The application, or 404 for anyone but home, host, secretariat and auditors."""
    query = select(Application).where(Application.id == application_id)
    application = session.scalar(query.with_for_update(of=Application) if lock else query)
    if application is None or not (
        principal.can_read_everything or relations(application, principal)
    ):
        raise NotFound(f"no application {application_id}")
    return application


def update_application(
    session: Session,
    principal: Principal,
    application_id: str,
    changes: dict[str, Any],
    if_match: str | None = None,
) -> Application:
    """The home organisation edits its draft."""
    require_writer(principal)
    application = get_application(session, principal, application_id, lock=True)
    check_if_match(if_match, application.id, application.version)
    if Relation.HOME not in relations(application, principal):
        raise Forbidden("only the home organisation may edit an application")
    if application.personal_data_erased_at is not None:
        raise Conflict(
            "an application cannot be edited once its personal data has been erased",
            {"status": application.status, "personal_data_erased": True},
        )
    if application.status != "draft":
        raise not_now(
            f"an application cannot be edited while {application.status}",
            application.status,
            view(application_snapshot(application), principal)["allowed_actions"],
            editable_in=["draft"],
        )
    current = {
        "programme_id": application.programme_id,
        "host_organisation_id": application.host_organisation_id,
        "start_date": application.start_date,
        "end_date": application.end_date,
    }
    _check(session, {**current, **changes}, application.home_organisation_id)
    _apply(application, changes)
    bump(application)
    session.flush()
    emit(session, EventType.APPLICATION_UPDATED, application_snapshot(application))
    return application


def bump(application: Application) -> None:
    """A change of the application: its next version, now."""
    application.version += 1
    application.updated_at = datetime.now(UTC)


# A list reads rows, not ORM objects: its one statement, each row with its programme's
# reference, made into snapshots as the API shows them.
_PROGRAMMES = cast(Table, Programme.__table__)
_LISTED = select(_TABLE, _PROGRAMMES.c.reference.label("programme_reference")).join_from(
    _TABLE, _PROGRAMMES, _PROGRAMMES.c.id == _TABLE.c.programme_id
)


def list_applications(
    session: Session, principal: Principal, filters: dict[str, Any], page: int, size: int
) -> tuple[list[dict[str, Any]], int]:
    """The snapshots of the applications the caller may see, filtered (``allowed_action``:
    those whose allowed actions hold one of them), newest first or longest unchanged first
    (``sort``), and how many there are."""
    table = _TABLE.c
    conditions = []
    values: dict[str, Any] = {}
    if not principal.can_read_everything:
        mine = principal.organisation_id
        conditions.append(
            or_(table.home_organisation_id == mine, table.host_organisation_id == mine)
        )
    for name in ("status", "programme_id", "direction", "career_stage"):
        if filters.get(name):
            conditions.append(table[name] == filters[name])
    if filters.get("q"):
        conditions.append(func.lower(table.reference).like(f"%{filters['q'].lower()}%"))
    if filters.get("allowed_action"):
        shape = action_filters.shape(principal)
        conditions.append(action_filters.application_condition(filters["allowed_action"], shape))
        values = action_filters.viewer_values(principal)
    if filters.get("sort") == "updated_at":
        order = (table.updated_at.asc(), table.id.asc())
    else:
        order = (table.created_at.desc(), table.id.desc())
    connection = session.connection()
    page_of = _LISTED.where(*conditions).order_by(*order).offset((page - 1) * size).limit(size)
    rows = connection.execute(page_of, values).all()
    # A short page is the last: its total needs no count (My work's queues mostly are).
    total = total_if_last(page, size, len(rows))
    if total is None:
        counted = select(func.count()).select_from(_TABLE).where(*conditions)
        total = connection.scalar(counted, values) or 0
    return [
        application_snapshot(cast(Application, row), row.programme_reference) for row in rows
    ], total


def history(session: Session, principal: Principal, application_id: str) -> list[dict[str, Any]]:
    get_application(session, principal, application_id)
    query = (
        select(ApplicationTransition)
        .where(ApplicationTransition.application_id == application_id)
        .order_by(ApplicationTransition.id)
    )
    return history_entries(session, list(session.scalars(query)))
