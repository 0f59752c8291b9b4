"""Reading programmes as the API shows them: one programme, or a page of a list, each a
snapshot read with one statement, not through the ORM (``programmes.get_programme`` reads the
ORM objects a change needs)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    FromClause,
    Row,
    Select,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from programmes.services import action_filters, programme_actions, screening_view
from programmes.services.events import programme_snapshot
from programmes.store.kept_programmes import KeptProgrammes
from programmes.store.list_totals import ListTotals
from programmes.store.models import (
    BudgetLine,
    Organisation,
    Programme,
    ProgrammeApproval,
    ProgrammePartner,
)
from setu_contract.errors import NotFound
from setu_contract.http import Principal
from setu_contract.paging import total_if_last

# Reads (a programme, a list page) are done without the ORM: one statement gives each
# programme's row with its partners, budget lines and approvals on the same row, each a JSON
# array already in the snapshot's shape. The ORM took one joined query and built a dozen
# objects for one programme, and a page's parts took three more statements.
_PROGRAMMES = Programme.__table__
_PARTNERS = ProgrammePartner.__table__
_ORGANISATIONS = Organisation.__table__
_BUDGET = BudgetLine.__table__
_APPROVALS = ProgrammeApproval.__table__


def _json_array(
    dialect: str,
    value: dict[str, ColumnElement[Any]] | ColumnElement[Any],
    source: FromClause,
    where: ColumnElement[bool],
    order_by: ColumnElement[Any],
) -> ColumnElement[Any]:
    """A JSON array of ``value`` (an object of named columns, or one column) over the rows
    of ``source`` that meet ``where`` (correlated to the programmes table), in ``order_by``
    order; ``[]`` when none do.

    PostgreSQL orders inside the aggregate. SQLite (3.40 has no ORDER BY in aggregates)
    aggregates an ordered subquery, which it reads in order.
    """
    names = list(value) if isinstance(value, dict) else []
    array: ColumnElement[Any]
    if dialect == "postgresql":
        item = _json_object("json_build_object", value) if isinstance(value, dict) else value
        rows = select(func.json_agg(aggregate_order_by(item, order_by)))
        array = func.coalesce(
            rows.select_from(source).where(where).scalar_subquery(),
            literal_column("'[]'::json"),
        )
    else:
        columns = (
            [c.label(n) for n, c in value.items()]
            if isinstance(value, dict)
            else [value.label("value")]
        )
        ordered = select(*columns).select_from(source).where(where).order_by(order_by)
        inner = ordered.correlate(_PROGRAMMES).subquery()
        item = (
            _json_object("json_object", {n: inner.c[n] for n in names}) if names else inner.c.value
        )
        array = select(func.json_group_array(item)).select_from(inner).scalar_subquery()
    return type_coerce(array, JSON)


def _json_object(function: str, columns: dict[str, ColumnElement[Any]]) -> ColumnElement[Any]:
    pairs = [part for n, c in columns.items() for part in (literal_column(f"'{n}'"), c)]
    return getattr(func, function)(*pairs)


@cache
def _with_parts(dialect: str) -> Select[Any]:
    """The programmes table's columns with ``partners``, ``budget`` and ``approvals``."""
    of_programme = _PROGRAMMES.c.id
    partners = _json_array(
        dialect,
        {
            "organisation_id": _PARTNERS.c.organisation_id,
            "role": _PARTNERS.c.role,
            "country": _ORGANISATIONS.c.country,
            "name": _ORGANISATIONS.c.name,
            "participation": _PARTNERS.c.participation,
        },
        _PARTNERS.join(_ORGANISATIONS, _ORGANISATIONS.c.id == _PARTNERS.c.organisation_id),
        _PARTNERS.c.programme_id == of_programme,
        _PARTNERS.c.position,
    )
    budget = _json_array(
        dialect,
        {
            "organisation_id": _BUDGET.c.organisation_id,
            "currency": _BUDGET.c.currency,
            "amount": _BUDGET.c.amount,
        },
        _BUDGET,
        _BUDGET.c.programme_id == of_programme,
        _BUDGET.c.position,
    )
    approvals = _json_array(
        dialect,
        _APPROVALS.c.side,
        _APPROVALS,
        _APPROVALS.c.programme_id == of_programme,
        _APPROVALS.c.approved_at,
    )
    return select(
        _PROGRAMMES,
        partners.label("partners"),
        budget.label("budget"),
        approvals.label("approvals"),
    )


def _snapshot(row: Row) -> dict[str, Any]:
    return programme_snapshot(row, row.partners, row.budget, row.approvals)


@cache
def _by_id(dialect: str) -> Select[Any]:
    return _with_parts(dialect).where(_PROGRAMMES.c.id == bindparam("programme_id"))


def kept_programme(
    principal: Principal, programme_id: str, kept: KeptProgrammes, generation: bytes | None
) -> dict[str, Any] | None:
    """The programme's snapshot as kept under ``generation`` (read before any statement), or
    None if it is not kept; 404 when the caller takes no part in it."""
    snapshot = kept.get(_kept_key(programme_id), generation)
    return None if snapshot is None else _readable(principal, snapshot)


def read_programme(
    session: Session,
    principal: Principal,
    programme_id: str,
    kept: KeptProgrammes | None = None,
    generation: bytes | None = None,
) -> dict[str, Any]:
    """The programme's snapshot, or 404 when it does not exist or the caller takes no part
    in it (as ``get_programme``, for reads); kept in ``kept`` under ``generation``, if given."""
    connection = session.connection()
    statement = _by_id(connection.dialect.name)
    row = connection.execute(statement, {"programme_id": programme_id}).first()
    if row is None:
        raise NotFound(f"no programme {programme_id}")
    snapshot = _snapshot(row)
    if kept is not None:
        kept.keep(_kept_key(programme_id), snapshot, generation)
    return _readable(principal, snapshot)


def _kept_key(programme_id: str) -> tuple[str, Any]:
    """A programme's snapshot is kept for the day it was read on: its holds (an expired
    licence) change with the day, not only with writes."""
    return (programme_id, screening_view.today())


def _readable(principal: Principal, snapshot: dict[str, Any]) -> dict[str, Any]:
    if not programme_actions.may_read(
        principal, (p["organisation_id"] for p in snapshot["partners"])
    ):
        raise NotFound(f"no programme {snapshot['id']}")
    return snapshot


# The list's filters other than its partners, in the order their conditions are added.
_LIST_FILTERS = ("status", "focus_area", "call_id", "q")
_NEWEST_FIRST = (_PROGRAMMES.c.created_at.desc(), _PROGRAMMES.c.id.desc())
# ``sort=updated_at``: what has waited longest first.
UNCHANGED_LONGEST = "updated_at"
_UNCHANGED_LONGEST = (_PROGRAMMES.c.updated_at.asc(), _PROGRAMMES.c.id.asc())


@dataclass
class Page:
    """A page of the programmes a caller may see, and how many there are in all. ``answer``
    is the HTTP layer's rendering of it, made once while the page is kept."""

    items: list[dict[str, Any]]
    total: int
    answer: bytes | None = None


def kept_page(
    principal: Principal,
    filters: dict[str, Any],
    page: int,
    size: int,
    kept: KeptProgrammes,
    generation: bytes | None,
) -> Page | None:
    """A page of ``list_programmes`` as kept under ``generation`` (read before any
    statement), or None if it is not kept."""
    return kept.get(_page_key(principal, filters, page, size), generation)


def list_programmes(
    session: Session,
    principal: Principal,
    filters: dict[str, Any],
    page: int,
    size: int,
    totals: ListTotals | None = None,
    kept: KeptProgrammes | None = None,
    generation: bytes | None = None,
) -> Page:
    """The programmes the caller may see, as it is answered (with its allowed actions),
    filtered (``allowed_action``: those whose allowed actions hold one of them), newest first
    or longest unchanged first (``sort``), and how many there are (kept in ``totals`` between
    writes, if given); the page is kept in ``kept`` under ``generation``, if given."""
    partners = _partners_of(principal, filters)
    shape = _Shape(
        len(partners),
        tuple(name for name in _LIST_FILTERS if filters.get(name)),
        tuple(filters.get("allowed_action") or ()),
        action_filters.shape(principal) if filters.get("allowed_action") else None,
    )
    values: dict[str, Any] = {f"partner_{i}": p for i, p in enumerate(partners)}
    values.update({name: filters[name] for name in shape.used})
    if "q" in shape.used:
        values["q"] = f"%{filters['q'].lower()}%"
    if shape.actions:
        values.update(action_filters.viewer_values(principal))
    connection = session.connection()
    page_of = _page(connection.dialect.name, shape, filters.get("sort") == UNCHANGED_LONGEST)
    rows = connection.execute(page_of, {**values, "offset": (page - 1) * size, "limit": size}).all()
    items = [programme_actions.view(_snapshot(row), principal) for row in rows]

    def count() -> int:
        return connection.scalar(_count(shape), values) or 0

    # A short page is the last: its total needs no count.
    known = total_if_last(page, size, len(items))
    if known is not None:
        found = Page(items, known)
    elif totals is None:
        found = Page(items, count())
    else:
        # The order does not change the count; the caller's actions do.
        scope = {"partners": partners, **{k: v for k, v in filters.items() if k != "sort"}}
        if shape.actions:
            scope["viewer"] = [principal.role, principal.side, principal.organisation_id]
        found = Page(items, totals.total("programmes", scope, count))
    if kept is not None:
        kept.keep(_page_key(principal, filters, page, size), found, generation, len(items) or 1)
    return found


def _partners_of(principal: Principal, filters: dict[str, Any]) -> list[str]:
    """The organisations every programme of a list must have among its partners."""
    partners = set()
    if not principal.can_read_everything:
        partners.add(principal.organisation_id)
    if filters.get("organisation_id"):
        partners.add(filters["organisation_id"])
    return sorted(partners)


def _page_key(
    principal: Principal, filters: dict[str, Any], page: int, size: int
) -> tuple[Any, ...]:
    """What a list page depends on: the partners it is limited to (``_partners_of``), whose
    allowed actions it shows (the caller's role, side and organisation), its filters,
    where it is."""
    partners = tuple(_partners_of(principal, filters))
    viewer = (principal.role, principal.side, principal.organisation_id)
    shown = tuple(sorted((name, value) for name, value in filters.items() if value))
    return ("page", partners, viewer, shown, page, size, screening_view.today())


@dataclass(frozen=True)
class _Shape:
    """What a list's statement is built for: how many partners it is limited to, which other
    filters it has, the actions it is filtered by, and the caller's shape
    (``action_filters.shape``) when it is."""

    partners: int
    used: tuple[str, ...]
    actions: tuple[str, ...] = ()
    caller: tuple[bool, bool] | None = None


# A list's statements are built once for each shape of query (which filters it has), with
# the caller's values as parameters: building and keying a new statement for every request
# cost more than a tenth of a page.
@cache
def _conditions(shape: _Shape) -> tuple[ColumnElement[bool], ...]:
    conditions: list[ColumnElement[bool]] = [
        _PROGRAMMES.c.id.in_(
            select(_PARTNERS.c.programme_id).where(
                _PARTNERS.c.organisation_id == bindparam(f"partner_{i}")
            )
        )
        for i in range(shape.partners)
    ]
    for name in ("status", "focus_area", "call_id"):
        if name in shape.used:
            conditions.append(_PROGRAMMES.c[name] == bindparam(name))
    if "q" in shape.used:
        conditions.append(
            or_(
                func.lower(_PROGRAMMES.c.reference).like(bindparam("q")),
                func.lower(_PROGRAMMES.c.title).like(bindparam("q")),
            )
        )
    if shape.caller is not None:
        conditions.append(action_filters.programme_condition(shape.actions, shape.caller))
    return tuple(conditions)


@cache
def _page(dialect: str, shape: _Shape, unchanged_longest: bool) -> Select[Any]:
    """A page: its ids first, so that the parts are built for its rows only, not for every
    row that the OFFSET skips. One organisation's programmes with no other filter (a
    partner's own list) are paged from its partner rows alone, newest first by the creation
    time they keep (an index-only scan), not by probing the partners of every programme."""
    order = _UNCHANGED_LONGEST if unchanged_longest else _NEWEST_FIRST
    if shape == _Shape(1, ()) and not unchanged_longest:
        ids = (
            select(_PARTNERS.c.programme_id.label("id"))
            .where(_PARTNERS.c.organisation_id == bindparam("partner_0"))
            .order_by(_PARTNERS.c.programme_created_at.desc(), _PARTNERS.c.programme_id.desc())
        )
    else:
        ids = select(_PROGRAMMES.c.id).where(*_conditions(shape)).order_by(*order)
    page_ids = ids.offset(bindparam("offset")).limit(bindparam("limit")).subquery()
    return (
        _with_parts(dialect)
        .join_from(_PROGRAMMES, page_ids, page_ids.c.id == _PROGRAMMES.c.id)
        .order_by(*order)
    )


@cache
def _count(shape: _Shape) -> Select[Any]:
    """The exact total of a list. The common cases (everything, or one organisation's
    programmes with no other filter) are counted from one index, not a join."""
    if shape == _Shape(0, ()):
        return select(func.count()).select_from(_PROGRAMMES)
    if shape == _Shape(1, ()):
        return select(func.count()).where(_PARTNERS.c.organisation_id == bindparam("partner_0"))
    return select(func.count()).select_from(_PROGRAMMES).where(*_conditions(shape))
