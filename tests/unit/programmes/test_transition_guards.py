"""The guards and effects the transition tables name, and what a caller is offered by them."""

from __future__ import annotations

from programmes.domain import slots
from programmes.domain.transitions import (
    APPLICATION_TRANSITIONS,
    PROGRAMME_TRANSITIONS,
    co_approved,
)
from programmes.services import application_transitions, programme_actions, programme_transitions
from setu_contract.http import Principal


def test_every_guard_and_effect_the_tables_name_is_implemented():
    for row in PROGRAMME_TRANSITIONS.values():
        assert set(row.guards) <= set(programme_transitions.GUARDS), row.action
        assert set(row.effects) <= set(programme_transitions.EFFECTS), row.action
        assert set(row.effects_after) <= set(programme_transitions.EFFECTS), row.action
    for row in APPLICATION_TRANSITIONS.values():
        assert set(row.guards) <= set(application_transitions.GUARDS), row.action
        assert row.effects == (), row.action
        assert set(row.effects_after) <= set(application_transitions.EFFECTS), row.action


def test_the_rules_of_each_programme_action():
    named = {
        a: (row.guards, row.effects)
        for a, row in PROGRAMME_TRANSITIONS.items()
        if row.guards or row.effects
    }
    assert not any(row.effects_after for row in PROGRAMME_TRANSITIONS.values())
    assert named == {
        "submit": (("partners_confirmed", "lead_in_each_country", "call_open_and_eligible"), ()),
        "request_changes": ((), ("clear_approvals",)),
        "approve": (
            ("screened_for_co_approval", "side_not_yet_approved"),
            ("record_approval", "hold_until_co_approved"),
        ),
        "reject": ((), ("clear_approvals",)),
        "withdraw": ((), ("clear_approvals",)),
        "cancel": ((), ("clear_approvals",)),
    }


def test_the_rules_of_each_application_action():
    named = {a: row.guards for a, row in APPLICATION_TRANSITIONS.items() if row.guards}
    assert named == {
        "submit": ("programme_open", "start_date_ahead"),
        "accept": ("slot_free", "host_screened"),
    }
    following = {a: row.effects_after for a, row in APPLICATION_TRANSITIONS.items()}
    assert {a: names for a, names in following.items() if names} == {
        "reject": ("offer_freed_slot",),
        "withdraw": ("offer_freed_slot",),
    }


def test_every_action_that_frees_a_slot_offers_it_to_the_waitlist():
    for row in APPLICATION_TRANSITIONS.values():
        frees = bool(row.sources & set(slots.HOLDING)) and row.target not in slots.HOLDING
        assert frees == ("offer_freed_slot" in row.effects_after), row.action


def test_co_approval_needs_both_sides():
    assert not co_approved([])
    assert not co_approved(["JP"])
    assert not co_approved(["IN", "IN", None, ""])
    assert co_approved(["JP", "IN"])
    assert co_approved({"IN", "JP", ""})


def _snapshot(status: str, participation: str = "confirmed", approvals: list[str] | None = None):
    return {
        "status": status,
        "approvals": approvals or [],
        "partners": [
            {"organisation_id": "o-jp", "role": "lead", "participation": "confirmed"},
            {"organisation_id": "o-in", "role": "lead", "participation": participation},
        ],
    }


def test_submit_is_offered_only_once_every_partner_has_confirmed():
    partner = Principal("o-jp", "partner", "k-1")
    assert programme_actions.allowed(_snapshot("draft", "pending"), partner) == ["withdraw"]
    assert programme_actions.allowed(_snapshot("draft"), partner) == ["submit", "withdraw"]


def test_approve_is_not_offered_to_a_side_that_has_approved():
    jp = Principal("o-s", "secretariat", "k-2", side="JP")
    inn = Principal("o-s", "secretariat", "k-3", side="IN")
    snapshot = _snapshot("under_review", approvals=["JP"])
    assert "approve" not in programme_actions.allowed(snapshot, jp)
    assert "approve" in programme_actions.allowed(snapshot, inn)
