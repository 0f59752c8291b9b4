"""State machines as data: action -> (from, to, who), read by one function.

The whole transition tables of docs/product.md live here; the services layer works out who the
caller is to the thing (its ``Relation``s) and asks ``plan`` whether the action may happen.
A row also names, in order, the guards that may still refuse the action once ``plan`` allows
it, the effects it has besides its new status (before the move is written), and the effects
that follow the move (after it is written: another thing's move it causes); the services
layer implements each name (most need the database) and runs a row's names without knowing
which action it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from setu_contract.errors import Conflict, Forbidden, Invalid
from setu_contract.vocabulary import PROGRAMME_STATUSES as PROGRAMME_STATUSES  # re-exported


class Relation(StrEnum):
    """What the caller is to a programme or an application."""

    SECRETARIAT = "secretariat"
    PARTNER = "partner"  # any partner of the programme
    LEAD = "lead"  # a lead partner of the programme
    HOME = "home"  # the home organisation of an application
    HOST = "host"  # the host organisation of an application
    REVIEWER = "reviewer"  # the reviewer an assignment names
    # Setu itself: what follows from another change (a slot freed offered to the
    # waitlist); no caller is it, so no caller may take its actions.
    SETU = "setu"


# Who each relation is, in the words of a refusal.
WHO = {
    Relation.SECRETARIAT: "the secretariat",
    Relation.PARTNER: "a partner of the programme",
    Relation.LEAD: "a lead partner",
    Relation.HOME: "the home organisation",
    Relation.HOST: "the host organisation",
    Relation.REVIEWER: "the assigned reviewer",
    Relation.SETU: "Setu itself",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    by: Relation
    comment_required: bool = False
    # Checks run in order after ``plan``: each raises the domain error that stops the action.
    guards: tuple[str, ...] = ()
    # What the action does besides moving the status, in order, before the move is written
    # (an effect may keep the status where it is: the first side's approval).
    effects: tuple[str, ...] = ()
    # What follows the move, in order, once it and its event are written (a slot it frees
    # offered to the waitlist: that move's event comes after this one's).
    effects_after: tuple[str, ...] = ()


def _table(*rows: Transition) -> dict[str, Transition]:
    return {row.action: row for row in rows}


def _t(
    action: str,
    sources: str,
    target: str,
    by: Relation,
    comment: bool = False,
    guards: str = "",
    effects: str = "",
    effects_after: str = "",
) -> Transition:
    return Transition(
        action,
        frozenset(sources.split()),
        target,
        by,
        comment,
        tuple(guards.split()),
        tuple(effects.split()),
        tuple(effects_after.split()),
    )


# A programme is approved once the secretariats of both sides have approved it (co-approval).
APPROVING_SIDES = frozenset({"JP", "IN"})


def co_approved(sides: Iterable[str | None]) -> bool:
    """Whether approvals by ``sides`` complete a programme's co-approval."""
    return set(sides) >= APPROVING_SIDES


S = Relation.SECRETARIAT
# A programme that leaves review unapproved, or stops (withdrawn, cancelled), loses its approvals.
PROGRAMME_TRANSITIONS = _table(
    _t(
        "submit",
        "draft changes_requested",
        "submitted",
        Relation.PARTNER,
        guards="partners_confirmed lead_in_each_country call_open_and_eligible",
    ),
    _t("start_review", "submitted", "under_review", S),
    _t(
        "request_changes",
        "under_review",
        "changes_requested",
        S,
        comment=True,
        effects="clear_approvals",
    ),
    # Co-approval: the programme stays under_review until both secretariat sides have
    # approved (docs/product.md); the approval that completes it is held by the screenings.
    _t(
        "approve",
        "under_review",
        "approved",
        S,
        guards="screened_for_co_approval side_not_yet_approved",
        effects="record_approval hold_until_co_approved",
    ),
    _t("reject", "under_review", "rejected", S, comment=True, effects="clear_approvals"),
    _t("activate", "approved", "active", S),
    _t("complete", "active", "completed", S),
    _t(
        "withdraw",
        "draft submitted under_review changes_requested approved",
        "withdrawn",
        Relation.LEAD,
        effects="clear_approvals",
    ),
    _t("cancel", "approved active", "cancelled", S, comment=True, effects="clear_approvals"),
)

APPLICATION_STATUSES = (
    "draft",
    "submitted",
    "endorsed",
    "waitlisted",
    "offered",
    "accepted",
    "rejected",
    "withdrawn",
)

APPLICATION_TRANSITIONS = _table(
    _t("submit", "draft", "submitted", Relation.HOME, guards="programme_open start_date_ahead"),
    _t("endorse", "submitted", "endorsed", Relation.HOST),
    _t("decline_hosting", "submitted", "rejected", Relation.HOST, comment=True),
    _t("accept", "endorsed waitlisted offered", "accepted", S, guards="slot_free host_screened"),
    _t("waitlist", "endorsed", "waitlisted", S),
    # A withdrawn (or rejected) slot holder's slot goes to the first waitlisted application
    # of its direction (``offer_freed_slot``): kept for it until the secretariat accepts or
    # rejects it, or the home organisation withdraws it (domain.slots).
    _t("offer_slot", "waitlisted", "offered", Relation.SETU),
    _t(
        "reject",
        "submitted endorsed waitlisted offered",
        "rejected",
        S,
        comment=True,
        effects_after="offer_freed_slot",
    ),
    _t(
        "withdraw",
        "draft submitted endorsed waitlisted offered accepted",
        "withdrawn",
        Relation.HOME,
        effects_after="offer_freed_slot",
    ),
)

PROGRAMME_EDITABLE = frozenset({"draft", "changes_requested"})
# Besides its transitions, an organisation named in a programme and still to answer may
# confirm or decline its part while the programme is editable (services.participation).
PARTICIPATION_ACTIONS = ("confirm_participation", "decline_participation")
# Every action a programme's ``allowed_actions`` may hold.
PROGRAMME_ACTIONS = [*PROGRAMME_TRANSITIONS, *PARTICIPATION_ACTIONS]


def allowed_actions(
    table: dict[str, Transition], status: str, relations: set[Relation] | frozenset[Relation]
) -> list[str]:
    """The actions a caller with ``relations`` may take from ``status``, in table order."""
    return [
        action for action, row in table.items() if status in row.sources and row.by in relations
    ]


def not_now(message: str, status: str, allowed: list[str], **details: object) -> Conflict:
    """409: an action this caller may take, but not now; naming the status and what this
    caller may do instead."""
    return Conflict(
        f"{message}; allowed actions: {', '.join(allowed) if allowed else 'none'}",
        {"status": status, "allowed_actions": allowed, **details},
    )


def plan(
    table: dict[str, Transition],
    status: str,
    action: str,
    relations: set[Relation] | frozenset[Relation],
    comment: str | None = None,
    allowed: list[str] | None = None,
) -> Transition:
    """The transition ``action`` makes from ``status``, or the domain error that stops it.

    An action the caller may never take is 403 whatever the status; one it may take, but
    not from ``status``, is 409 naming ``allowed`` (what this caller may do now, by default
    what the table allows it from ``status``). The row's ``guards``, ``effects`` and
    ``effects_after`` are the caller's to run, in order, by name.
    """
    row = table.get(action)
    if row is None:
        raise Invalid(
            f"unknown action {action!r}",
            {"action": [f"must be one of: {', '.join(table)}"]},
        )
    if row.by not in relations:
        raise Forbidden(f"only {WHO[row.by]} may {action}")
    if status not in row.sources:
        if allowed is None:
            allowed = allowed_actions(table, status, relations)
        raise not_now(f"cannot {action} while {status}", status, allowed)
    if row.comment_required and not (comment or "").strip():
        raise Invalid(f"{action} needs a comment", {"comment": ["required for this action"]})
    return row
