"""Mobility clearance: the checklist of an accepted exchange (read, set an item) and the
secretariat's pipeline of every exchange by stage. The rules are domain.mobility's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from programmes.domain import mobility as rules
from programmes.domain.transitions import Relation
from programmes.services.access import require_writer
from programmes.services.actors import actor
from programmes.services.applications import get_application, relations
from programmes.services.events import emit
from programmes.store.mobility_models import MobilityItem
from programmes.store.models import Application
from setu_contract.errors import Conflict, Forbidden, Invalid
from setu_contract.events import EventType
from setu_contract.http import Principal

# An exchange has a checklist from its acceptance; one withdrawn since keeps what was set,
# to be read, not changed.
KEPT_WHILE = ("accepted",)


def _items(session: Session, application_ids: Iterable[str]) -> dict[str, dict[str, MobilityItem]]:
    ids = list(application_ids)
    found: dict[str, dict[str, MobilityItem]] = {i: {} for i in ids}
    if ids:
        for row in session.scalars(
            select(MobilityItem).where(MobilityItem.application_id.in_(ids))
        ):
            found[row.application_id][row.item] = row
    return found


def _statuses(items: dict[str, MobilityItem]) -> dict[str, str]:
    return {name: row.status for name, row in items.items()}


def _date(items: dict[str, MobilityItem], name: str) -> str | None:
    row = items.get(name)
    return row.date.isoformat() if row is not None and row.date is not None else None


def _summary(application: Application, items: dict[str, MobilityItem]) -> dict[str, Any]:
    """What the checklist and the pipeline both show of an exchange."""
    return {
        "application_id": application.id,
        "reference": application.reference,
        "programme_id": application.programme_id,
        "home_organisation_id": application.home_organisation_id,
        "host_organisation_id": application.host_organisation_id,
        "direction": application.direction,
        "status": application.status,
        "stage": rules.stage(application.direction, _statuses(items)),
        "planned_arrival": application.start_date.isoformat(),
        "planned_departure": application.end_date.isoformat(),
        "actual_arrival": _date(items, "arrival"),
        "actual_departure": _date(items, "departure"),
    }


def _item_view(
    name: str, row: MobilityItem | None, mine: set[Relation], open_: bool
) -> dict[str, Any]:
    item = rules.ITEMS[name]
    return {
        "item": name,
        "status": row.status if row else rules.PENDING,
        "date": row.date.isoformat() if row and row.date else None,
        "statuses": list(item.statuses),
        "actual_date": sorted(item.actual_date),
        "kept_by": str(item.kept_by),
        "set_by": row.set_by if row else None,
        "set_at": row.set_at.isoformat() if row else None,
        "may_set": open_ and item.kept_by in mine,
    }


def _view(
    application: Application, items: dict[str, MobilityItem], principal: Principal
) -> dict[str, Any]:
    mine = relations(application, principal) if principal.role != "auditor" else set()
    open_ = application.status in KEPT_WHILE
    names = rules.checklist(application.direction, application.start_date, application.end_date)
    return {
        **_summary(application, items),
        "items": [_item_view(name, items.get(name), mine, open_) for name in names],
    }


def _readable(application: Application, items: dict[str, MobilityItem]) -> None:
    if application.status not in KEPT_WHILE and not items:
        raise Conflict(
            f"an exchange has a mobility checklist once accepted; this one is {application.status}",
            {"status": application.status},
        )


def read_checklist(session: Session, principal: Principal, application_id: str) -> dict[str, Any]:
    """The checklist of an accepted exchange, for its home and host organisations, the
    secretariat and auditors (anyone else: 404)."""
    application = get_application(session, principal, application_id)
    items = _items(session, [application.id])[application.id]
    _readable(application, items)
    return _view(application, items, principal)


def set_item(
    session: Session,
    principal: Principal,
    application_id: str,
    name: str,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """Set one item (its status and date) as the organisation that keeps it; the checklist
    as it now stands. ``fields`` missing ``status`` keep the item's."""
    require_writer(principal)
    application = get_application(session, principal, application_id, lock=True)
    items = _items(session, [application.id])[application.id]
    mine = relations(application, principal)
    if not mine & {Relation.HOME, Relation.HOST}:
        raise Forbidden("the checklist is kept by the home and host organisations")
    if application.status not in KEPT_WHILE:
        raise Conflict(
            f"the checklist is kept while the exchange is accepted; it is {application.status}",
            {"status": application.status},
        )
    row = items.get(name)
    status = fields.get("status") or (row.status if row else rules.PENDING)
    kept_day = row.date if row is not None and "status" not in fields else None
    today = datetime.now(UTC).date()
    day = rules.check_change(
        application.direction,
        application.start_date,
        application.end_date,
        name,
        mine,
        status,
        fields.get("date", kept_day),
        today,
    )
    dates = {key: value.date for key, value in items.items()}
    problems = rules.order_errors(name, day, dates)
    if problems:
        raise Invalid(f"{name} cannot be set so", problems)
    previous = row.status if row else rules.PENDING
    row = _write(session, principal, application, row, name, status, day)
    items[name] = row
    _emit(session, application, row, previous, items, principal)
    return _view(application, items, principal)


def _write(
    session: Session,
    principal: Principal,
    application: Application,
    row: MobilityItem | None,
    name: str,
    status: str,
    day: date | None,
) -> MobilityItem:
    if row is None:
        row = MobilityItem(application_id=application.id, item=name, version=0)
        session.add(row)
    row.status, row.date = status, day
    row.set_by_organisation_id = principal.organisation_id
    row.set_by_key_id = principal.key_id
    row.set_by = actor(principal)
    row.set_at = datetime.now(UTC)
    row.version += 1
    session.flush()
    return row


def _emit(
    session: Session,
    application: Application,
    row: MobilityItem,
    previous: str,
    items: dict[str, MobilityItem],
    principal: Principal,
) -> None:
    emit(
        session,
        EventType.MOBILITY_ITEM_UPDATED,
        _summary(application, items)
        | {
            "id": application.id,
            "start_date": application.start_date.isoformat(),
            "end_date": application.end_date.isoformat(),
            "item": row.item,
            "status": row.status,
            "previous_status": previous,
            "application_status": application.status,
            "date": row.date.isoformat() if row.date else None,
            "item_version": row.version,
            "set_at": row.set_at.isoformat(),
            "actor_organisation_id": principal.organisation_id,
            "actor": actor(principal),
        },
    )


def pipeline(
    session: Session, principal: Principal, filters: dict[str, Any], page: int, size: int
) -> dict[str, Any]:
    """Every accepted exchange by stage (the secretariat and auditors): a page of those in
    the asked stage, how many there are, and how many are in each stage."""
    if not principal.can_read_everything:
        raise Forbidden("the pipeline of exchanges is the secretariat's")
    query = select(Application).where(Application.status.in_(KEPT_WHILE))
    for name in ("programme_id", "direction"):
        if filters.get(name):
            query = query.where(getattr(Application, name) == filters[name])
    applications = list(
        session.scalars(query.order_by(Application.start_date, Application.reference))
    )
    items = _items(session, (a.id for a in applications))
    summaries = [_summary(a, items[a.id]) for a in applications]
    stages = {name: 0 for name in rules.STAGE_NAMES}
    for summary in summaries:
        stages[summary["stage"]] += 1
    if filters.get("stage"):
        summaries = [s for s in summaries if s["stage"] == filters["stage"]]
    return {
        "items": summaries[(page - 1) * size : page * size],
        "page": page,
        "page_size": size,
        "total": len(summaries),
        "stages": stages,
    }
