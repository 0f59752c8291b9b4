"""Calls for proposals: create, edit while draft, read, list, move; and what a call asks of
the programmes that answer it (the call's window, its eligibility rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from programmes.domain import calls as rules
from programmes.domain.programmes import format_amount
from programmes.domain.transitions import Relation, allowed_actions, not_now, plan
from programmes.domain.versioning import check_if_match
from programmes.services.access import require_secretariat
from programmes.services.actors import actor
from programmes.services.events import emit
from programmes.store.call_models import Call
from programmes.store.models import Organisation
from setu_contract.errors import Conflict, Invalid, NotFound
from setu_contract.events import EventType
from setu_contract.http import Principal

FIELDS = (
    "title",
    "description",
    "focus_areas",
    "timezone",
    "budget_envelope",
    "max_budget_per_programme",
    "eligibility",
    "review",
)


def now() -> datetime:
    return datetime.now(UTC)


def _amounts(amounts: dict[str, Any] | None) -> dict[str, str] | None:
    if amounts is None:
        return None
    return {currency: format_amount(currency, Decimal(a)) for currency, a in amounts.items()}


def call_snapshot(call: Call) -> dict[str, Any]:
    """The call as the API shows it and its events carry it: its times in its time zone."""
    return {
        "id": call.id,
        "title": call.title,
        "description": call.description,
        "focus_areas": list(call.focus_areas),
        "opens_at": rules.local(call.opens_at, call.timezone).isoformat(),
        "closes_at": rules.local(call.closes_at, call.timezone).isoformat(),
        "timezone": call.timezone,
        "budget_envelope": call.budget_envelope,
        "max_budget_per_programme": call.max_budget_per_programme,
        "eligibility": call.eligibility,
        "review": call.review,
        "status": call.status,
        "created_by_organisation_id": call.created_by_organisation_id,
        "version": call.version,
        "created_at": call.created_at.isoformat(),
        "updated_at": call.updated_at.isoformat(),
    }


def view(call: Call, principal: Principal) -> dict[str, Any]:
    """The call as ``principal`` is answered: with what it may do to it now."""
    relations = {Relation.SECRETARIAT} if principal.is_secretariat else set()
    actions = allowed_actions(rules.CALL_TRANSITIONS, call.status, relations)
    if principal.is_secretariat and call.status in rules.CALL_EDITABLE:
        actions = ["edit", *actions]
    return {**call_snapshot(call), "allowed_actions": actions}


def _check(fields: dict[str, Any]) -> None:
    errors = rules.validate_call(fields)
    if errors:
        raise Invalid("the call breaks field rules", errors)


def _apply(call: Call, fields: dict[str, Any]) -> None:
    for name in FIELDS:
        if name in fields:
            value = fields[name]
            if name in ("budget_envelope", "max_budget_per_programme"):
                value = _amounts(value)
            setattr(call, name, value)
    for name in ("opens_at", "closes_at"):
        if name in fields:
            setattr(call, name, rules.to_utc(fields[name], fields["timezone"]))


def create_call(session: Session, principal: Principal, fields: dict[str, Any]) -> Call:
    require_secretariat(principal)
    fields = {"description": "", "eligibility": {}, "max_budget_per_programme": None, **fields}
    _check(fields)
    call = Call(status="draft", created_by_organisation_id=principal.organisation_id)
    _apply(call, fields)
    session.add(call)
    session.flush()
    emit(session, EventType.CALL_CREATED, {**call_snapshot(call), "actor": actor(principal)})
    return call


def _editable(call: Call) -> dict[str, Any]:
    return {
        **{name: getattr(call, name) for name in FIELDS},
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
    }


def update_call(
    session: Session,
    principal: Principal,
    call_id: str,
    changes: dict[str, Any],
    if_match: str | None = None,
) -> Call:
    """The secretariat edits a call while it is a draft; the whole call is checked again."""
    require_secretariat(principal)
    call = get_call(session, principal, call_id, lock=True)
    check_if_match(if_match, call.id, call.version)
    if call.status not in rules.CALL_EDITABLE:
        raise not_now(
            f"a call can be edited only while draft, not {call.status}",
            call.status,
            view(call, principal)["allowed_actions"],
        )
    merged = {**_editable(call), **changes}
    _check(merged)
    old_zone = call.timezone
    _apply(call, {**changes, "timezone": merged["timezone"]})
    if merged["timezone"] != old_zone:  # the same local times, read in the new zone
        for name in ("opens_at", "closes_at"):
            if name not in changes:
                moment = rules.local(getattr(call, name), old_zone).replace(tzinfo=None)
                setattr(call, name, rules.to_utc(moment, merged["timezone"]))
    call.version += 1
    call.updated_at = now()
    session.flush()
    emit(session, EventType.CALL_UPDATED, {**call_snapshot(call), "actor": actor(principal)})
    return call


def get_call(session: Session, principal: Principal, call_id: str, lock: bool = False) -> Call:
    """The call, or 404: partners and reviewers know a call once it is published."""
    query = select(Call).where(Call.id == call_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    call = session.scalars(query).first()
    if call is None or not (principal.can_read_everything or call.status in rules.PUBLISHED):
        raise NotFound(f"no call {call_id}")
    return call


def list_calls(
    session: Session, principal: Principal, status: str | None, page: int, size: int
) -> tuple[list[Call], int]:
    """The calls the caller may read, newest first."""
    conditions = []
    if status:
        conditions.append(Call.status == status)
    if not principal.can_read_everything:
        conditions.append(Call.status.in_(rules.PUBLISHED))
    total = session.scalar(select(func.count()).select_from(Call).where(*conditions)) or 0
    items = session.scalars(
        select(Call)
        .where(*conditions)
        .order_by(Call.created_at.desc(), Call.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    )
    return list(items), total


def transition_call(session: Session, principal: Principal, call_id: str, action: str) -> Call:
    """The secretariat opens or closes a call before its time, or decides a closed one."""
    require_secretariat(principal)
    call = get_call(session, principal, call_id, lock=True)
    row = plan(rules.CALL_TRANSITIONS, call.status, action, {Relation.SECRETARIAT})
    move(session, call, row.target, action, actor(principal))
    return call


def move(session: Session, call: Call, target: str, action: str, by: dict[str, Any] | None) -> None:
    """Write the call's new status and its event (``by`` is None for the clock)."""
    source = call.status
    call.status = target
    call.version += 1
    call.updated_at = now()
    session.flush()
    data = {
        **call_snapshot(call),
        "from": source,
        "to": target,
        "action": action,
        "actor_organisation_id": by["organisation_id"] if by else None,
        "actor": by,
    }
    emit(session, EventType.CALL_STATUS_CHANGED, data)


def answerable(session: Session, call_id: str) -> Call:
    """The call a programme is set to answer: 422 when there is none (or it is a draft no
    partner may know), 409 when it no longer takes proposals."""
    call = session.get(Call, call_id)
    if call is None or call.status not in rules.PUBLISHED:
        raise Invalid("no such call", {"call_id": [f"no open call {call_id}"]})
    if rules.status_at(call.status, call.opens_at, call.closes_at, now()) != "open":
        raise _closed(call)
    return call


def _closed(call: Call) -> Conflict:
    closes_at = rules.local(call.closes_at, call.timezone).isoformat()
    return Conflict(
        f"the call closed at {closes_at} ({call.timezone}); it takes no more proposals",
        {"call_id": call.id, "closes_at": closes_at},
    )


def check_submission(session: Session, snapshot: dict[str, Any]) -> None:
    """A programme answering a call is submitted only while the call is open by its clock
    (409 naming the opening or closing time) and only if it meets every eligibility rule
    (422 naming each rule it breaks)."""
    call = session.get(Call, snapshot["call_id"])
    if call is None:
        raise Invalid("no such call", {"call_id": [f"no call {snapshot['call_id']}"]})
    moment = now()
    if not rules.accepting(call.status, call.opens_at, call.closes_at, moment):
        if moment < call.opens_at and call.status == "draft":
            opens_at = rules.local(call.opens_at, call.timezone).isoformat()
            raise Conflict(
                f"the call opens at {opens_at} ({call.timezone}); submit after it opens",
                {"call_id": call.id, "opens_at": opens_at},
            )
        raise _closed(call)
    ids = [p["organisation_id"] for p in snapshot["partners"]]
    kinds = {
        row.id: row.kind
        for row in session.execute(
            select(Organisation.id, Organisation.kind).where(Organisation.id.in_(ids))
        )
    }
    broken = rules.broken_rules(call_snapshot(call), snapshot, kinds)
    if broken:
        raise Invalid(
            "the programme does not meet the call's eligibility rules: "
            + "; ".join(b.message for b in broken),
            {b.rule: [b.message] for b in broken},
        )
