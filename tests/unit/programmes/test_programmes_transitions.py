"""The programme and application state machines, as data, on plain Python."""

from __future__ import annotations

import pytest

from programmes.domain.transitions import (
    APPLICATION_STATUSES,
    APPLICATION_TRANSITIONS,
    PROGRAMME_STATUSES,
    PROGRAMME_TRANSITIONS,
    Relation,
    allowed_actions,
    plan,
)
from setu_contract.errors import Conflict, Forbidden, Invalid

EVERYONE = frozenset(Relation)

# The table of docs/product.md, written out again so that a change to either shows up here.
PRODUCT_PROGRAMME_TABLE = {
    "submit": ({"draft", "changes_requested"}, "submitted", Relation.PARTNER, False),
    "start_review": ({"submitted"}, "under_review", Relation.SECRETARIAT, False),
    "request_changes": ({"under_review"}, "changes_requested", Relation.SECRETARIAT, True),
    "approve": ({"under_review"}, "approved", Relation.SECRETARIAT, False),
    "reject": ({"under_review"}, "rejected", Relation.SECRETARIAT, True),
    "activate": ({"approved"}, "active", Relation.SECRETARIAT, False),
    "complete": ({"active"}, "completed", Relation.SECRETARIAT, False),
    "withdraw": (
        {"draft", "submitted", "under_review", "changes_requested", "approved"},
        "withdrawn",
        Relation.LEAD,
        False,
    ),
    "cancel": ({"approved", "active"}, "cancelled", Relation.SECRETARIAT, True),
}


def test_programme_table_matches_the_product_contract():
    table = {
        a: (set(t.sources), t.target, t.by, t.comment_required)
        for a, t in PROGRAMME_TRANSITIONS.items()
    }
    assert table == PRODUCT_PROGRAMME_TABLE


def test_every_status_in_the_tables_is_a_known_status():
    for table, statuses in (
        (PROGRAMME_TRANSITIONS, PROGRAMME_STATUSES),
        (APPLICATION_TRANSITIONS, APPLICATION_STATUSES),
    ):
        for row in table.values():
            assert row.sources <= set(statuses)
            assert row.target in statuses


def test_submit_from_draft_by_a_partner_goes_to_submitted():
    row = plan(PROGRAMME_TRANSITIONS, "draft", "submit", {Relation.PARTNER})
    assert row.target == "submitted"


def test_an_action_from_the_wrong_status_names_the_status_and_allowed_actions():
    with pytest.raises(Conflict) as caught:
        plan(PROGRAMME_TRANSITIONS, "submitted", "submit", EVERYONE)
    assert caught.value.errors == {
        "status": "submitted",
        "allowed_actions": ["start_review", "withdraw"],
    }
    assert "submitted" in caught.value.message


def test_terminal_statuses_allow_nothing():
    for status in ("rejected", "completed", "withdrawn", "cancelled"):
        assert allowed_actions(PROGRAMME_TRANSITIONS, status, EVERYONE) == []


def test_the_actions_allowed_are_this_callers():
    partner = {Relation.PARTNER}
    assert allowed_actions(PROGRAMME_TRANSITIONS, "draft", partner) == ["submit"]
    assert allowed_actions(PROGRAMME_TRANSITIONS, "submitted", partner) == []
    secretariat = {Relation.SECRETARIAT}
    assert allowed_actions(PROGRAMME_TRANSITIONS, "submitted", secretariat) == ["start_review"]


def test_an_action_the_caller_may_never_take_is_forbidden_whatever_the_status():
    for status in PROGRAMME_STATUSES:
        with pytest.raises(Forbidden):
            plan(PROGRAMME_TRANSITIONS, status, "approve", {Relation.PARTNER, Relation.LEAD})


def test_not_from_this_status_names_what_this_caller_may_do():
    with pytest.raises(Conflict) as caught:
        plan(PROGRAMME_TRANSITIONS, "submitted", "submit", {Relation.PARTNER, Relation.LEAD})
    assert caught.value.errors == {"status": "submitted", "allowed_actions": ["withdraw"]}
    assert "allowed actions: withdraw" in caught.value.message


def test_the_wrong_party_is_forbidden():
    with pytest.raises(Forbidden):
        plan(PROGRAMME_TRANSITIONS, "submitted", "start_review", {Relation.PARTNER, Relation.LEAD})
    with pytest.raises(Forbidden):
        plan(PROGRAMME_TRANSITIONS, "draft", "withdraw", {Relation.PARTNER})


def test_a_required_comment_must_not_be_blank():
    with pytest.raises(Invalid) as caught:
        plan(PROGRAMME_TRANSITIONS, "under_review", "reject", EVERYONE, comment="   ")
    assert "comment" in caught.value.errors
    assert plan(PROGRAMME_TRANSITIONS, "under_review", "reject", EVERYONE, "out of scope")


def test_an_unknown_action_is_invalid():
    with pytest.raises(Invalid) as caught:
        plan(PROGRAMME_TRANSITIONS, "draft", "teleport", EVERYONE)
    assert "action" in caught.value.errors


def test_application_accept_is_for_the_secretariat_from_endorsed_waitlisted_or_offered():
    row = APPLICATION_TRANSITIONS["accept"]
    assert row.sources == {"endorsed", "waitlisted", "offered"}
    assert row.by is Relation.SECRETARIAT
    with pytest.raises(Forbidden):
        plan(APPLICATION_TRANSITIONS, "endorsed", "accept", {Relation.HOME, Relation.HOST})


def test_a_slot_is_offered_by_setu_itself_never_by_a_caller():
    row = APPLICATION_TRANSITIONS["offer_slot"]
    assert (row.sources, row.target) == ({"waitlisted"}, "offered")
    with pytest.raises(Forbidden):
        plan(APPLICATION_TRANSITIONS, "waitlisted", "offer_slot", EVERYONE - {Relation.SETU})
