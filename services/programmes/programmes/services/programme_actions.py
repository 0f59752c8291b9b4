"""What a caller is to a programme, and what it may do to it now (``allowed_actions``).

Worked out from the programme's snapshot (as the API shows it), so that a programme kept by
the process (store.kept_programmes) answers each caller with its own actions, without a
query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from programmes.domain.transitions import PROGRAMME_TRANSITIONS, Relation, allowed_actions
from setu_contract.http import Principal


def relations(partners: Iterable[Mapping[str, Any]], principal: Principal) -> set[Relation]:
    """What the caller is to a programme with these partners (snapshot entries)."""
    found: set[Relation] = set()
    if principal.is_secretariat:
        found.add(Relation.SECRETARIAT)
    for partner in partners:
        if partner["organisation_id"] == principal.organisation_id:
            found.add(Relation.PARTNER)
            if partner["role"] == "lead":
                found.add(Relation.LEAD)
    return found


def allowed(snapshot: Mapping[str, Any], principal: Principal) -> list[str]:
    """The actions the caller may take on the programme now: those its status and the
    caller's part allow, but ``approve`` for a side that has approved already."""
    actions = allowed_actions(
        PROGRAMME_TRANSITIONS, snapshot["status"], relations(snapshot["partners"], principal)
    )
    approved = principal.side in snapshot["approvals"]
    return [action for action in actions if not (action == "approve" and approved)]


def view(snapshot: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """The programme as this caller is answered: the snapshot and its ``allowed_actions``."""
    return {**snapshot, "allowed_actions": allowed(snapshot, principal)}
