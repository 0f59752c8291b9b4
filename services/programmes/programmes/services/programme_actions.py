"""What a caller is to a programme, and what it may do to it now (``allowed_actions``).

Worked out from the programme's snapshot (as the API shows it), so that a programme kept by
the process (store.kept_programmes) answers each caller with its own actions, without a
query. Besides the transitions, an organisation named by another and still to answer may
``confirm_participation`` or ``decline_participation`` (services.participation); until it has
confirmed it is not yet a partner: it reads the programme and answers, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from programmes.domain.transitions import (
    PROGRAMME_EDITABLE,
    PROGRAMME_TRANSITIONS,
    Relation,
    allowed_actions,
)
from setu_contract.http import Principal

PARTICIPATION_ACTIONS = ["confirm_participation", "decline_participation"]


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


def allowed(snapshot: Mapping[str, Any], principal: Principal) -> list[str]:
    """The actions the caller may take on the programme now: those its status and the
    caller's part allow, but ``submit`` while a partner has not confirmed and ``approve`` for
    a side that has approved already; and its answer, if it is asked for one."""
    actions = allowed_actions(
        PROGRAMME_TRANSITIONS, snapshot["status"], relations(snapshot["partners"], principal)
    )
    waiting = any(p["participation"] != "confirmed" for p in snapshot["partners"])
    approved = principal.side in snapshot["approvals"]
    actions = [
        action
        for action in actions
        if not (action == "submit" and waiting) and not (action == "approve" and approved)
    ]
    if not principal.can_read_everything and _asked(snapshot, principal):
        actions.extend(PARTICIPATION_ACTIONS)
    return actions


def view(snapshot: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """The programme as this caller is answered: the snapshot and its ``allowed_actions``."""
    return {**snapshot, "allowed_actions": allowed(snapshot, principal)}
