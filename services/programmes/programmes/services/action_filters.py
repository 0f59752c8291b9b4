"""The ``allowed_action`` filter of the lists, as SQL: the rows for which the caller's
``allowed_actions`` (``programme_actions.allowed``, ``applications.view``) hold one of the
actions named.

A list filtered so is counted and paged in the database, so that "what waits for me" (the
console's My work) is an exact count and its oldest rows, not every row of a status read and
judged one by one. Each condition is built from the same transition table and guards as
``allowed_actions``: the action's source statuses, what the caller must be to the thing (its
``Relation``: the secretariat by its role, the others by their organisation among the
programme's confirmed partners or as the application's home or host), and the guards that
``allowed_actions`` answers from the snapshot. A guard the snapshot answers that has no SQL
here is a KeyError, never a silently wider list (tests/integration/programmes/
test_programmes_allowed_action_filter.py compares both for every action and role).

The conditions take the caller's organisation and side as parameters (``viewer_org``,
``viewer_side``); what else they depend on of the caller (whether it is the secretariat, or
reads everything) is part of the statement, built once for each shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import and_, bindparam, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from programmes.domain.transitions import (
    APPLICATION_TRANSITIONS,
    PARTICIPATION_ACTIONS,
    PROGRAMME_EDITABLE,
    PROGRAMME_TRANSITIONS,
    Relation,
)
from programmes.services.programme_actions import SHOWN_GUARDS
from programmes.store.models import Application, Programme, ProgrammeApproval, ProgrammePartner
from setu_contract.http import Principal

_PROGRAMMES = Programme.__table__
_PARTNERS = ProgrammePartner.__table__
_APPROVALS = ProgrammeApproval.__table__
_APPLICATIONS = Application.__table__

VIEWER_ORG = "viewer_org"
VIEWER_SIDE = "viewer_side"


def viewer_values(principal: Principal) -> dict[str, str | None]:
    """The parameters of the conditions: the caller's organisation and side."""
    return {VIEWER_ORG: principal.organisation_id, VIEWER_SIDE: principal.side}


def shape(principal: Principal) -> tuple[bool, bool]:
    """What the statement of a filtered list depends on of the caller, besides its values."""
    return (principal.is_secretariat, principal.can_read_everything)


def _partner_row(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Whether the programme has a partner row meeting ``conditions``."""
    return exists(
        select(_PARTNERS.c.programme_id).where(
            _PARTNERS.c.programme_id == _PROGRAMMES.c.id, *conditions
        )
    )


def _mine(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Whether the caller's organisation is a partner of the programme meeting
    ``conditions``: its partner rows, read by the organisation's index (a correlated EXISTS
    probed every programme's partners)."""
    return _PROGRAMMES.c.id.in_(
        select(_PARTNERS.c.programme_id).where(
            _PARTNERS.c.organisation_id == bindparam(VIEWER_ORG), *conditions
        )
    )


# What the caller must be to a programme (``programme_actions.relations``), by relation:
# a condition, given whether the caller is the secretariat; None: never.
_PROGRAMME_RELATIONS: dict[Relation, Callable[[bool], ColumnElement[bool] | None]] = {
    Relation.SECRETARIAT: lambda secretariat: true() if secretariat else None,
    Relation.PARTNER: lambda _: _mine(_PARTNERS.c.participation == "confirmed"),
    Relation.LEAD: lambda _: _mine(
        _PARTNERS.c.participation == "confirmed", _PARTNERS.c.role == "lead"
    ),
}

# The guards ``programme_actions.allowed`` answers from the snapshot (SHOWN_GUARDS), as SQL.
_PROGRAMME_GUARDS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "partners_confirmed": lambda: ~_partner_row(_PARTNERS.c.participation != "confirmed"),
    "side_not_yet_approved": lambda: (
        ~exists(
            select(_APPROVALS.c.programme_id).where(
                _APPROVALS.c.programme_id == _PROGRAMMES.c.id,
                _APPROVALS.c.side == bindparam(VIEWER_SIDE),
            )
        )
    ),
}


def _programme_action(action: str, secretariat: bool, reader: bool) -> ColumnElement[bool] | None:
    status = _PROGRAMMES.c.status
    if action in PARTICIPATION_ACTIONS:
        if reader:
            return None
        asked = _mine(_PARTNERS.c.participation == "pending")
        return and_(status.in_(sorted(PROGRAMME_EDITABLE)), asked)
    row = PROGRAMME_TRANSITIONS[action]
    relation = _PROGRAMME_RELATIONS.get(row.by)
    who = relation(secretariat) if relation else None
    if who is None:
        return None
    guards = [_PROGRAMME_GUARDS[g]() for g in row.guards if g in SHOWN_GUARDS]
    return and_(status.in_(sorted(row.sources)), who, *guards)


def _application_action(action: str, secretariat: bool) -> ColumnElement[bool] | None:
    row = APPLICATION_TRANSITIONS[action]
    viewer: ColumnElement[Any] = bindparam(VIEWER_ORG)
    who = {
        Relation.SECRETARIAT: true() if secretariat else None,
        Relation.HOME: _APPLICATIONS.c.home_organisation_id == viewer,
        Relation.HOST: _APPLICATIONS.c.host_organisation_id == viewer,
    }.get(row.by)
    if who is None:
        return None
    return and_(_APPLICATIONS.c.status.in_(sorted(row.sources)), who)


def _any(conditions: Iterable[ColumnElement[bool] | None]) -> ColumnElement[bool]:
    found = [condition for condition in conditions if condition is not None]
    return or_(*found) if found else false()


def programme_condition(
    actions: Iterable[str], caller_shape: tuple[bool, bool]
) -> ColumnElement[bool]:
    """The programmes for which a caller of ``caller_shape`` may take one of ``actions``."""
    secretariat, reader = caller_shape
    return _any(_programme_action(action, secretariat, reader) for action in actions)


def application_condition(
    actions: Iterable[str], caller_shape: tuple[bool, bool]
) -> ColumnElement[bool]:
    """The applications for which a caller of ``caller_shape`` may take one of ``actions``."""
    secretariat, _ = caller_shape
    return _any(_application_action(action, secretariat) for action in actions)
