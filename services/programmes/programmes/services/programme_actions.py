"""What a caller is to a programme, and what it may do to it now (``allowed_actions``).

Worked out from the programme's snapshot (as the API shows it), so that a programme kept by
the process (store.kept_programmes) answers each caller with its own actions, without a
query. Besides the transitions, an organisation named by another and still to answer may
``confirm_participation`` or ``decline_participation`` (services.participation); until it has
confirmed it is not yet a partner: it reads the programme and answers, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from programmes.domain.transitions import (
    PARTICIPATION_ACTIONS,
    PROGRAMME_EDITABLE,
    PROGRAMME_TRANSITIONS,
    Relation,
    allowed_actions,
)
from setu_contract.http import Principal


def relations(partners: Iterable[Mapping[str, Any]], principal: Principal) -> set[Relation]:
    """What the caller is to a programme with these partners (snapshot entries)."""
    found: set[Relation] = set()
    if principal.is_secretariat:
        found.add(Relation.SECRETARIAT)
    for partner in partners:
        if (
            partner["organisation_id"] == principal.organisation_id
            and partner["participation"] == "confirmed"
        ):
            found.add(Relation.PARTNER)
            if partner["role"] == "lead":
                found.add(Relation.LEAD)
    return found


def may_read(principal: Principal, partner_ids: Iterable[str]) -> bool:
    """The secretariat and auditors read every programme; a partner organisation, its own."""
    return principal.can_read_everything or principal.organisation_id in partner_ids


def _asked(snapshot: Mapping[str, Any], principal: Principal) -> bool:
    """Whether the caller's organisation is named and still to answer, and may answer now."""
    return snapshot["status"] in PROGRAMME_EDITABLE and any(
        p["organisation_id"] == principal.organisation_id and p["participation"] == "pending"
        for p in snapshot["partners"]
    )


def _partners_confirmed(snapshot: Mapping[str, Any], principal: Principal) -> bool:
    return all(p["participation"] == "confirmed" for p in snapshot["partners"])


def _side_not_yet_approved(snapshot: Mapping[str, Any], principal: Principal) -> bool:
    return principal.side not in snapshot["approvals"]


# The guards of the programme table (services.programme_transitions) that the snapshot
# answers: an action one of them would refuse is not offered. The others need the database,
# and refuse the action when it is taken.
SHOWN_GUARDS: dict[str, Callable[[Mapping[str, Any], Principal], bool]] = {
    "partners_confirmed": _partners_confirmed,
    "side_not_yet_approved": _side_not_yet_approved,
}


def _passes(action: str, snapshot: Mapping[str, Any], principal: Principal) -> bool:
    guards = PROGRAMME_TRANSITIONS[action].guards
    return all(SHOWN_GUARDS[g](snapshot, principal) for g in guards if g in SHOWN_GUARDS)


def allowed(snapshot: Mapping[str, Any], principal: Principal) -> list[str]:
    """The actions the caller may take on the programme now: those its status and the
    caller's part allow, but ``submit`` while a partner has not confirmed and ``approve`` for
    a side that has approved already; and its answer, if it is asked for one."""
    actions = allowed_actions(
        PROGRAMME_TRANSITIONS, snapshot["status"], relations(snapshot["partners"], principal)
    )
    actions = [action for action in actions if _passes(action, snapshot, principal)]
    if not principal.can_read_everything and _asked(snapshot, principal):
        actions.extend(PARTICIPATION_ACTIONS)
    return actions


def view(snapshot: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """The programme as this caller is answered: the snapshot and its ``allowed_actions``."""
    return {**snapshot, "allowed_actions": allowed(snapshot, principal)}
